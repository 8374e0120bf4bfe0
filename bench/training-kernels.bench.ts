/**
 * Training speed: one training step (`prepare_net` + forward + losses + backward + clipping +
 * Adam + hard constraints) per implementation, T = 125, batch 16, on
 *   - the seed network 13-64-2 (NWAVE Tutorial 2: float frontend, 5-bit core, clip objective),
 *   - the shipped default architecture 13-64r-15 (in-core recurrence, learnt per-neuron τ,
 *     3 classes × 5 output neurons, synaptic + leak mismatch, 5-bit QAT, detector objective with
 *     a learnt softmax temperature and the keyword-silence term),
 *   - 13-64r-64r-64r-64r-3 (four recurrent 64-neuron cores, same options; on H1v1 with a fifth
 *     64-neuron core, as 4 × 64 hidden neurons and the outputs do not fit H1v1's four cores),
 *   - H1v2 13-50r-15 (the default recipe on H1v2: charge per unit weight, per-neuron threshold
 *     spread, learnt τ snapped to the chip's profiles, subtractive reset). Before the fused step
 *     covered these options, H1v2 trained on the `tfjs step + fused kernel` line.
 * Implementations, all in this process on the same batches:
 *   - `fused step`: the whole step on typed arrays (train/fused-step.ts), on all threads and on one,
 *     with the WebAssembly SIMD network kernel (the default) and with the JS kernel (its fallback,
 *     bit-identical results: the lines compare the kernels' speed A/B, interleaved);
 *   - `tfjs step + fused kernel`: tfjs losses, autodiff and Adam around the fused network op;
 *   - `per-step reference`: the same tfjs step with the network as per-step tfjs ops.
 * Steps of every implementation are interleaved round by round (the machine's load hits them
 * alike) and each figure is the MEDIAN step time; the process CPU time per step (all threads) is
 * printed too, a figure that other jobs' load disturbs less than wall time. With `python3-torch` installed and
 * `../shared/bench/torch_ref.py` present (or `NWAVE_TORCH_REF`), PyTorch's CPU build times the
 * seed recipe in the same run.
 *
 * Run: `node --conditions=source --import tsx bench/training-kernels.bench.ts`
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { H1V1_ESTIMATE, findChipProfileByName, registerChipProfile, type ChipProfile } from '@nwave/runtime';
import {
  setTrainingKernels,
  setTrainingThreads,
  shutdownTrainingThreads,
  trainingKernels,
  trainingThreads,
  type TrainingKernels,
} from '../training/src/kernels/index.js';
import { Rng, tutorialNetwork, type HWNetwork } from '../training/src/layers/index.js';
import { buildNetwork } from '../training/src/train/build-network.js';
import {
  FusedTrainStep,
  fusedStepConfig,
  type FusedBatch,
  type FusedStepConfig,
  type FusedStepResult,
} from '../training/src/train/fused-step.js';
import { TfjsTrainStep } from '../training/src/train/tfjs-step.js';
import { withRecipe } from '../training/src/train/recipes.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../training/src/train/train-config.js';

const B = 16;
const T = 125;
const C = 13;

/** The shipped recipe (13 → 64r → 3 × 5, learnt τ) with every training path on: synaptic and leak mismatch, detector objective. */
const DEFAULT_RECIPE: TrainConfig = withRecipe('keyword-spotter');

/** H1v1 with a fifth 64-neuron core: room for 4 × 64 recurrent hidden neurons plus the outputs. */
const H1V1_FIVE_CORES: ChipProfile = { ...H1V1_ESTIMATE, id: 'bench-h1v1-5x64', coreSizes: [64, 64, 64, 64, 64] };
const DEEP_RECIPE: TrainConfig = { ...DEFAULT_RECIPE, chip: H1V1_FIVE_CORES.id, hidden: [64, 64, 64, 64], outputPopulation: 1 };
/** The default recipe on H1v2 (no synaptic mismatch on that chip; 50 neurons fit its hidden cores). */
const H1V2_RECIPE: TrainConfig = withRecipe('keyword-spotter', { chip: 'h1v2' });

/** A benchmarked network. */
interface NetCase {
  name: string;
  classes: number;
  cfg: TrainConfig;
  build: () => HWNetwork;
  /** Timed rounds of the fast implementations, and of the per-step reference. */
  rounds: number;
  refRounds: number;
}

const CASES: NetCase[] = [
  {
    name: '13-64-2',
    classes: 2,
    cfg: DEFAULT_TRAIN_CONFIG,
    build: () => tutorialNetwork({ rng: new Rng(42), warn: () => {} }),
    rounds: 40,
    refRounds: 3,
  },
  { name: '13-64r-15', classes: 3, cfg: DEFAULT_RECIPE, build: () => buildNetwork(C, 3, DEFAULT_RECIPE, 8e-3), rounds: 30, refRounds: 2 },
  {
    name: '13-64r-64r-64r-64r-3',
    classes: 3,
    cfg: DEEP_RECIPE,
    build: () => {
      if (!findChipProfileByName(H1V1_FIVE_CORES.id)) registerChipProfile(H1V1_FIVE_CORES);
      return buildNetwork(C, 3, DEEP_RECIPE, 8e-3);
    },
    rounds: 12,
    refRounds: 1,
  },
  { name: 'H1v2 13-50r-15', classes: 3, cfg: H1V2_RECIPE, build: () => buildNetwork(C, 3, H1V2_RECIPE, 8e-3), rounds: 30, refRounds: 2 },
];

function stepConfig(cfg: TrainConfig, layers: number): FusedStepConfig {
  // Window = the clip (the seed's clip objective; the recipe's 1 s window on 1 s clips).
  return fusedStepConfig(cfg, layers, { windowSteps: T, strideSteps: 12, backgroundClasses: [0] });
}

function randomBatch(rng: Rng, classes: number): FusedBatch {
  const x = new Float32Array(B * T * C);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, rng.normal(5, 3));
  const labels = Array.from({ length: B }, () => Math.min(classes - 1, Math.floor(rng.next() * classes)));
  return { x, shape: [B, T, C], labels, weights: labels.map(() => 1) };
}

/** Timing of one implementation. */
export interface ImplTiming {
  impl: string;
  /** Median step time (ms) and per sample. */
  msPerBatch: number;
  msPerSample: number;
  /** Median process CPU time per sample (all threads): robust to other jobs' load. */
  cpuMsPerSample: number;
  steps: number;
}

interface Runner {
  label: string;
  threads: number;
  kernels: TrainingKernels;
  rounds: number;
  step: (batch: FusedBatch) => FusedStepResult;
  times: number[];
  cpu: number[];
  dispose: () => void;
}

function runner(
  c: NetCase,
  label: string,
  kind: 'fused' | 'tfjs' | 'reference',
  threads: number,
  rounds: number,
  kernels: TrainingKernels,
): Runner {
  const net = c.build();
  const logScale = tf.variable(tf.scalar(Math.log(c.cfg.logitScale)), c.cfg.learnCountScale);
  const cfg = stepConfig(c.cfg, net.hwLayers().length);
  const step =
    kind === 'fused'
      ? new FusedTrainStep(net, cfg, logScale)
      : new TfjsTrainStep(net, cfg, logScale, kind === 'reference' ? 'reference' : 'fused');
  return {
    label,
    threads,
    kernels,
    rounds,
    step: (batch) => step.step(batch, { signGroups: true }),
    times: [],
    cpu: [],
    dispose: () => {
      if (step instanceof TfjsTrainStep) step.dispose();
      net.dispose();
      logScale.dispose();
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Result of {@link measureTrainingKernels} for one network. */
export interface TrainingKernelsMeasurement {
  net: string;
  timings: ImplTiming[];
}

/**
 * Measures the training step per implementation and network, interleaved, in this process.
 * @returns median timings per network
 */
export async function measureTrainingKernels(): Promise<TrainingKernelsMeasurement[]> {
  await tf.setBackend('cpu');
  await tf.ready();
  const threads = trainingThreads();
  const kernels = trainingKernels();
  const out: TrainingKernelsMeasurement[] = [];
  try {
    for (const c of CASES) {
      const k0 = trainingKernels();
      const kernelRunners = (k: TrainingKernels) => [
        runner(c, `fused step, ${k} kernel (${threads} threads)`, 'fused', threads, c.rounds, k),
        ...(threads > 1 ? [runner(c, `fused step, ${k} kernel (1 thread)`, 'fused', 1, c.rounds, k)] : []),
      ];
      // The default kernel first: its 'threads' line is the figure the ratios use.
      const runners = [
        ...kernelRunners(k0),
        ...(k0 === 'wasm' ? kernelRunners('js') : []),
        runner(c, 'tfjs step + fused kernel', 'tfjs', threads, c.rounds, k0),
        runner(c, 'per-step reference', 'reference', threads, c.refRounds, k0),
      ];
      const dataRng = new Rng(7);
      const batches = Array.from({ length: 8 }, () => randomBatch(dataRng, c.classes));
      const warmup = 3;
      for (let r = 0; r < warmup + c.rounds; r++) {
        for (const run of runners) {
          if (r >= warmup + run.rounds || (run.label === 'per-step reference' && r < warmup - 1)) continue;
          setTrainingThreads(run.threads, { keepWorkers: true });
          setTrainingKernels(run.kernels);
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          run.step(batches[r % batches.length]);
          if (r < warmup) continue;
          run.times.push(performance.now() - t0);
          const c = process.cpuUsage(c0);
          run.cpu.push((c.user + c.system) / 1000);
        }
      }
      out.push({
        net: c.name,
        timings: runners.map((run) => {
          const ms = median(run.times);
          return { impl: run.label, msPerBatch: ms, msPerSample: ms / B, cpuMsPerSample: median(run.cpu) / B, steps: run.times.length };
        }),
      });
      for (const run of runners) run.dispose();
    }
  } finally {
    setTrainingThreads(threads);
    setTrainingKernels(kernels);
    shutdownTrainingThreads();
  }
  return out;
}

/** The Python that has torch (Debian's python3-torch lives in /usr/bin/python3; a pyenv shim may come first). */
const PYTHON = process.env.NWAVE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** PyTorch's CPU build on the seed recipe (random features), or null when unavailable. */
function torchReference(): { msPerSample: number; threads: number } | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = process.env.NWAVE_TORCH_REF ?? resolve(here, '../../shared/bench/torch_ref.py');
  if (!existsSync(script)) return null;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const r = spawnSync(PYTHON, [script, '-', '--synthetic', '960', '--time-only', '--epochs', '2', '--batch', String(B)], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const m = /threads (\d+).*ms_per_sample ([\d.]+)/.exec(r.stdout ?? '');
  return m ? { threads: Number(m[1]), msPerSample: Number(m[2]) } : null;
}

/**
 * Prints `training <net>: X ms/sample (batch B)` per network and implementation (medians of
 * interleaved steps) and the ratios against the tfjs step and the per-step reference measured
 * in the same run (issue 16's target: seed network ≤ 0.6 ms/sample).
 */
export async function benchTrainingKernels(): Promise<void> {
  const results = await measureTrainingKernels();
  console.log(
    `training step (prepare + forward + losses + backward + Adam), T=${T}, tfjs ${tf.version_core}; medians of interleaved steps`,
  );
  for (const r of results) {
    for (const t of r.timings) {
      console.log(
        `training ${r.net} [${t.impl}]: ${t.msPerSample.toFixed(3)} ms/sample (batch ${B}, median of ${t.steps} steps; CPU ${t.cpuMsPerSample.toFixed(3)} ms/sample)`,
      );
    }
    const fused = r.timings[0].msPerSample;
    const of = (label: string) => r.timings.find((t) => t.impl === label)?.msPerSample ?? NaN;
    const cpuOf = (label: string) => r.timings.find((t) => t.impl === label)?.cpuMsPerSample ?? NaN;
    for (const label of r.timings.filter((t) => t.impl.startsWith('fused step, wasm')).map((t) => t.impl)) {
      const js = label.replace('wasm', 'js');
      if (!r.timings.some((t) => t.impl === js)) continue;
      console.log(
        `  ${r.net}: wasm kernel ${(of(js) / of(label)).toFixed(2)}x the js kernel${label.slice(label.indexOf(' ('))} ` +
          `(CPU ${(cpuOf(js) / cpuOf(label)).toFixed(2)}x)`,
      );
    }
    const target = r.net === '13-64-2' ? ` (target <= 0.6 ms/sample: ${fused <= 0.6 ? 'OK' : 'ABOVE'})` : '';
    console.log(
      `  ${r.net}: fused step ${(of('tfjs step + fused kernel') / fused).toFixed(2)}x the tfjs step, ` +
        `${(of('per-step reference') / fused).toFixed(1)}x the per-step reference${target}`,
    );
  }
  const torch = torchReference();
  if (!torch) console.log('training 13-64-2 [PyTorch CPU]: skipped (python3-torch or ../shared/bench/torch_ref.py not available)');
  else {
    const seed = results.find((r) => r.net === '13-64-2')?.timings[0].msPerSample ?? NaN;
    console.log(`training 13-64-2 [PyTorch CPU, ${torch.threads} threads]: ${torch.msPerSample.toFixed(3)} ms/sample (batch ${B})`);
    console.log(`  13-64-2: fused step ${(torch.msPerSample / seed).toFixed(1)}x PyTorch (target >= 10x)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchTrainingKernels();
}
