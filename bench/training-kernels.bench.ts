/**
 * Training speed: one training step (`prepare_net` + forward + loss + backward + Adam) per
 * implementation, on
 *   - the seed network 13-64-2 (NWAVE Tutorial 2), T = 125, batch 16, and
 *   - the largest default architecture: 13-64r-64r-64r-3 (three recurrent 64-neuron cores,
 *     learnable per-neuron τ, synaptic + leak mismatch, 5-bit QAT), T = 125, batch 16.
 * Loss: CE on spike counts + topology + magnitude + firing rate (every layer). Implementations:
 * `fused` (whole network as one op, worker threads), the same on one thread, `layerwise` (one
 * fused op per synapse/layer, the previous kernels; feed-forward nets only) and the per-step
 * tfjs `reference`, all in this process on the same data.
 *
 * Run: `node --conditions=source --import tsx bench/training-kernels.bench.ts`
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setTrainingThreads, shutdownTrainingThreads, trainingThreads } from '../training/src/kernels/index.js';
import { Rng, tutorialNetwork, type HWNetwork, type ScanImpl } from '../training/src/layers/index.js';
import {
  firing_rate_target_mse_loss,
  spike_count_cross_entropy,
  topology_loss,
  weight_magnitude_loss,
} from '../training/src/losses/index.js';
import { buildNetwork } from '../training/src/train/build-network.js';
import { DEFAULT_TRAIN_CONFIG } from '../training/src/train/train-config.js';

const B = 16;
const T = 125;
const C = 13;

/** A benchmarked network. */
interface NetCase {
  name: string;
  classes: number;
  build: () => HWNetwork;
}

const CASES: NetCase[] = [
  { name: '13-64-2', classes: 2, build: () => tutorialNetwork({ rng: new Rng(42), warn: () => {} }) },
  {
    name: '13-64r-64r-64r-3',
    classes: 3,
    build: () =>
      buildNetwork(
        C,
        3,
        { ...DEFAULT_TRAIN_CONFIG, hidden: [64, 64, 64], recurrent: true, learnTaus: true, stddev: 0.02, ileakMismatch: true },
        8e-3,
      ),
  },
];

/** Timing of one implementation (one training step = one batch). */
export interface ImplTiming {
  impl: string;
  msPerBatch: number;
  msPerSample: number;
}

function randomFeatures(rng: Rng, classes: number): { x: tf.Tensor3D; labels: tf.Tensor1D } {
  const x = new Float32Array(B * T * C);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, rng.normal(5, 3));
  const labels = Int32Array.from({ length: B }, () => Math.min(classes - 1, Math.floor(rng.next() * classes)));
  return { x: tf.tensor3d(x, [B, T, C]), labels: tf.tensor1d(labels, 'int32') };
}

function trainStep(net: HWNetwork, opt: tf.Optimizer, x: tf.Tensor3D, labels: tf.Tensor1D, impl: ScanImpl): void {
  tf.tidy(() => {
    const cost = opt.minimize(
      () => {
        const { spikes } = net.forward(x, { impl });
        const out = spikes[spikes.length - 1];
        const fr = firing_rate_target_mse_loss(
          spikes,
          spikes.map(() => 0.1),
          spikes.map(() => 1),
        );
        return tf.addN([spike_count_cross_entropy(out, labels), topology_loss(net, 0.05), weight_magnitude_loss(net), fr]) as tf.Scalar;
      },
      true,
      net.trainableVariables(),
    );
    cost?.dataSync();
  });
}

function timeImpl(c: NetCase, impl: ScanImpl, label: string, warmup: number, timed: number): ImplTiming {
  const net = c.build();
  const opt = tf.train.adam(1e-3);
  const dataRng = new Rng(7);
  const batches = Array.from({ length: warmup + timed }, () => randomFeatures(dataRng, c.classes));
  for (let i = 0; i < warmup; i++) trainStep(net, opt, batches[i].x, batches[i].labels, impl);
  const t0 = performance.now();
  for (let i = warmup; i < warmup + timed; i++) trainStep(net, opt, batches[i].x, batches[i].labels, impl);
  const msPerBatch = (performance.now() - t0) / timed;
  for (const b of batches) tf.dispose([b.x, b.labels]);
  opt.dispose();
  net.dispose();
  return { impl: label, msPerBatch, msPerSample: msPerBatch / B };
}

/** Result of {@link measureTrainingKernels} for one network. */
export interface TrainingKernelsMeasurement {
  net: string;
  timings: ImplTiming[];
  /** reference ms/sample ÷ fused ms/sample. */
  ratio: number;
}

/**
 * Measures one training step per implementation and network, in this process.
 * @returns timings and the speed ratio per network
 */
export async function measureTrainingKernels(): Promise<TrainingKernelsMeasurement[]> {
  await tf.setBackend('cpu');
  await tf.ready();
  const threads = trainingThreads();
  const out: TrainingKernelsMeasurement[] = [];
  try {
    for (const c of CASES) {
      const recurrent = c.name.includes('r');
      const timings: ImplTiming[] = [];
      // One thread first: it also warms the JIT for the kernel, which the workers then reuse.
      if (threads > 1) {
        setTrainingThreads(1);
        timings.push(timeImpl(c, 'fused', 'fused (1 thread)', 5, recurrent ? 10 : 20));
      }
      setTrainingThreads(threads);
      timings.unshift(timeImpl(c, 'fused', `fused (${threads} threads)`, 5, recurrent ? 10 : 20));
      if (!recurrent) timings.push(timeImpl(c, 'layerwise', 'layerwise', 3, 10));
      timings.push(timeImpl(c, 'reference', 'reference', 1, recurrent ? 2 : 4));
      const ref = timings[timings.length - 1];
      out.push({ net: c.name, timings, ratio: ref.msPerSample / timings[0].msPerSample });
    }
  } finally {
    setTrainingThreads(threads);
    shutdownTrainingThreads();
  }
  return out;
}

/**
 * Prints `training <net>: X ms/sample (batch B)` per network and implementation, and the
 * fused/reference ratio (issue 16's target: seed network ≤ 0.6 ms/sample).
 */
export async function benchTrainingKernels(): Promise<void> {
  const results = await measureTrainingKernels();
  console.log(`training step (forward + backward + Adam), T=${T}, tfjs ${tf.version_core} (${tf.getBackend()})`);
  for (const r of results) {
    for (const t of r.timings) {
      console.log(`training ${r.net} [${t.impl}]: ${t.msPerSample.toFixed(3)} ms/sample (batch ${B})`);
    }
    const fused = r.timings[0].msPerSample;
    const target = r.net === '13-64-2' ? ` (target <= 0.6 ms/sample: ${fused <= 0.6 ? 'OK' : 'ABOVE'})` : '';
    console.log(`  ${r.net}: fused is ${r.ratio.toFixed(1)}x faster than the per-step reference${target}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchTrainingKernels();
}
