/**
 * Benchmark of the fused `HwLayerScan` kernel against the per-step tfjs reference, on NWAVE
 * Tutorial 2's network (13 → 64 → 2, T = 125, batch 16), CPU backend.
 *
 * One training step = `prepare_net` + forward + loss (CE on counts + topology + magnitude)
 * + backward + Adam update. Both paths run the same network, data and loss in the same process;
 * only the scan implementation differs.
 *
 * Run: `node --conditions=source --import tsx bench/training-kernels.bench.ts`
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Rng, tutorialNetwork, type HWNetwork, type ScanImpl } from '../training/src/layers/index.js';
import { spike_count_cross_entropy, topology_loss, weight_magnitude_loss } from '../training/src/losses/index.js';

const B = 16;
const T = 125;
const C = 13;

/** Timing of one implementation (one training step = one batch). */
export interface ImplTiming {
  impl: ScanImpl;
  msPerBatch: number;
  msPerSample: number;
}

function randomFeatures(rng: Rng): { x: tf.Tensor3D; labels: tf.Tensor1D } {
  const x = new Float32Array(B * T * C);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, rng.normal(5, 3));
  const labels = Int32Array.from({ length: B }, () => (rng.next() < 0.5 ? 0 : 1));
  return { x: tf.tensor3d(x, [B, T, C]), labels: tf.tensor1d(labels, 'int32') };
}

function trainStep(net: HWNetwork, opt: tf.Optimizer, x: tf.Tensor3D, labels: tf.Tensor1D, impl: ScanImpl): void {
  tf.tidy(() => {
    const cost = opt.minimize(
      () => {
        const { spikes } = net.forward(x, { impl });
        const out = spikes[spikes.length - 1];
        return tf.addN([spike_count_cross_entropy(out, labels), topology_loss(net, 0.05), weight_magnitude_loss(net)]) as tf.Scalar;
      },
      true,
      net.trainableVariables(),
    );
    cost?.dataSync();
  });
}

function timeImpl(impl: ScanImpl, warmup: number, timed: number): ImplTiming {
  const net = tutorialNetwork({ rng: new Rng(42), warn: () => {} });
  const opt = tf.train.adam(1e-3);
  const dataRng = new Rng(7);
  const batches = Array.from({ length: warmup + timed }, () => randomFeatures(dataRng));
  for (let i = 0; i < warmup; i++) trainStep(net, opt, batches[i].x, batches[i].labels, impl);
  const t0 = performance.now();
  for (let i = warmup; i < warmup + timed; i++) trainStep(net, opt, batches[i].x, batches[i].labels, impl);
  const msPerBatch = (performance.now() - t0) / timed;
  for (const b of batches) tf.dispose([b.x, b.labels]);
  opt.dispose();
  net.dispose();
  return { impl, msPerBatch, msPerSample: msPerBatch / B };
}

/** Result of {@link measureTrainingKernels}. */
export interface TrainingKernelsMeasurement {
  fused: ImplTiming;
  reference: ImplTiming;
  /** reference ms/sample ÷ fused ms/sample. */
  ratio: number;
}

/**
 * Measures one training step (forward + backward + Adam) per implementation, in this process.
 * @returns timings and the speed ratio
 */
export async function measureTrainingKernels(): Promise<TrainingKernelsMeasurement> {
  await tf.setBackend('cpu');
  await tf.ready();
  const fused = timeImpl('fused', 5, 20);
  const reference = timeImpl('reference', 2, 5);
  return { fused, reference, ratio: reference.msPerSample / fused.msPerSample };
}

/**
 * Prints ms per sample (forward + backward + Adam) for the fused kernels and the per-step
 * reference, and their ratio (target ≥ 10×).
 */
export async function benchTrainingKernels(): Promise<void> {
  const { fused, reference, ratio } = await measureTrainingKernels();
  console.log(`training-kernels: tutorial net 13-64-2, T=${T}, batch ${B}, tfjs ${tf.version_core} (${tf.getBackend()})`);
  for (const r of [fused, reference]) {
    console.log(`  ${r.impl.padEnd(9)} ${r.msPerBatch.toFixed(1).padStart(8)} ms/batch  ${r.msPerSample.toFixed(2).padStart(7)} ms/sample`);
  }
  console.log(`  speed ratio fused/reference: ${ratio.toFixed(1)}x (target >= 10x) ${ratio >= 10 ? 'OK' : 'BELOW TARGET'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchTrainingKernels();
}
