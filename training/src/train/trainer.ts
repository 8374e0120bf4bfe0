/**
 * The training loop: batches -> HWNetwork (fused kernels) -> task + hardware losses -> Adam with
 * separate frontend/core rates and global-norm clipping -> hard constraints. After every epoch the
 * network is exported in memory and scored by the RUNTIME on the validation set; the best
 * compliant epoch is kept and restored at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NwaveModel, checkConstraints, simulatedChip, type Checkpoint } from '@nwave/runtime';
import { signAnnealingAlpha, type HWNetwork } from '../layers/index.js';
import { sumOverTime } from '../losses/index.js';
import { NWaveDataLoader, type LoaderItem, deriveSeed, mulberry32, shuffleInPlace } from '@nwave/data';
import { applyHardConstraints } from './sign-projection.js';
import { calibrateDetector, evaluateModel, type EvalItem, type EvalResult } from '@nwave/data/evaluate';
import { networkToCheckpoint, type ExportOptions } from './export-checkpoint.js';
import { FusedTrainStep, fusedStepConfig } from './fused-step.js';
import { TfjsTrainStep, type TfjsStepResult } from './tfjs-step.js';
import type { TrainConfig } from './train-config.js';
import type { MismatchRobustness } from './mismatch-robustness.js';

export interface EpochRow {
  epoch: number;
  epochs: number;
  /** The core weights' learning rate of this epoch (the schedule's value). */
  lrCore: number;
  loss: number;
  components: {
    ce: number;
    topology: number;
    magnitude: number;
    firingRate: number;
    silence: number;
    /** After-word quiet term (before `lamTail`), when a trailing silence is trained (`tailSilenceS`). */
    tail?: number;
    /** Mean KL of the mismatch-robustness term (before its weight), when it is on. */
    mismatchKl?: number;
  };
  /** The detector's softmax temperature after this epoch (learned with `learnCountScale`). */
  countScale: number;
  trainAccuracy: number;
  /** Runtime (fixed-point) scores of this epoch's export on the validation set (detector calibrated). */
  valAccuracy: number;
  /** Null when the validation set has no keyword clip / no non-keyword clip. */
  valKeywordAccuracy: number | null;
  valRejection: number | null;
  valBalancedAccuracy: number;
  /**
   * With `selectChips`: the score of the worst quarter of those simulated chips (mean), running
   * this epoch's detector; the epoch's selection score is the mean of it and the nominal score.
   */
  valChipScore?: number;
  /** The tfjs float model's validation accuracy (same weights, float membranes). */
  valFloatAccuracy: number;
  /** Mean spikes per neuron per step over the training batches, per HWLayer. */
  firingRates: number[];
  compliant: boolean;
  signProjection: boolean;
  seconds: number;
  /** Of `seconds`: waiting for batches (features, augmentation, batch assembly). */
  dataSeconds: number;
  /** Of `seconds`: training steps (forward, losses, backward, Adam, constraints). */
  stepSeconds: number;
  etaS: number;
}

export interface TrainHooks {
  onBatch?: (batch: number, batches: number, loss: number) => void;
  onEpoch?: (row: EpochRow) => void;
  /** Resumable state after every epoch (write it somewhere safe). */
  onState?: (state: TrainState) => Promise<void> | void;
  /** Abort: the loop stops after the current batch and keeps the best epoch so far. */
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export interface TrainState {
  epoch: number;
  history: EpochRow[];
  weights: Record<string, number[]>;
  /** Detector softmax temperature of `weights` (absent in states written before it was learned). */
  countScale?: number;
  best: {
    epoch: number;
    score: number;
    weights: Record<string, number[]>;
    countScale?: number;
    /** How `score` was computed ({@link selectionCriterion}; absent: the nominal score). */
    criterion?: string;
  } | null;
}

export interface TrainResult {
  history: EpochRow[];
  bestEpoch: number;
  bestScore: number;
  stoppedEarly: boolean;
  aborted: boolean;
  state: TrainState;
  /** The detector's countScale of the restored (best) weights: export it with them. */
  countScale: number;
}

/**
 * Which training step runs: `fused` (the whole step on typed arrays, `fused-step.ts`) or `tfjs`
 * (autodiff through the tfjs losses and optimizer: the reference, slower).
 */
export type TrainStepImpl = 'fused' | 'tfjs';

/** @returns `NWAVE_TRAIN_STEP` (`fused` | `tfjs`), else `fused` */
export function defaultTrainStepImpl(): TrainStepImpl {
  return process.env.NWAVE_TRAIN_STEP === 'tfjs' ? 'tfjs' : 'fused';
}

function countScaleOf(logScale: tf.Variable): number {
  return Math.exp(logScale.dataSync()[0]);
}

/**
 * Stream context: every clip of the batch preceded by a random non-keyword clip (or, one time in
 * five, by silence), so the network learns with what a stream puts before a keyword (its state
 * carries over) and the loss sees windows that hold only other speech. The keyword starts
 * where the clip does.
 */
export function withStreamContext(
  batch: { x: Float32Array; shape: [number, number, number] },
  background: readonly LoaderItem[],
  epoch: number,
  seed: number,
): { x: Float32Array; shape: [number, number, number]; starts: Int32Array } {
  const [B, T, C] = batch.shape;
  const rand = mulberry32(seed);
  const x = new Float32Array(B * 2 * T * C);
  for (let b = 0; b < B; b++) {
    if (background.length && rand() < 0.8) x.set(background[Math.floor(rand() * background.length)].features(epoch), b * 2 * T * C);
    x.set(batch.x.subarray(b * T * C, (b + 1) * T * C), (b * 2 + 1) * T * C);
  }
  return { x, shape: [B, 2 * T, C], starts: new Int32Array(B).fill(T) };
}

/**
 * Trailing silence: every sample followed by `tail` steps of zero input (features `[B, T, C]` ->
 * `[B, T + tail, C]`), where the loss asks the keyword neurons to fall quiet.
 */
export function withTrailingSilence(
  batch: { x: Float32Array; shape: [number, number, number] },
  tail: number,
): { x: Float32Array; shape: [number, number, number] } {
  const [B, T, C] = batch.shape;
  const x = new Float32Array(B * (T + tail) * C);
  for (let b = 0; b < B; b++) x.set(batch.x.subarray(b * T * C, (b + 1) * T * C), b * (T + tail) * C);
  return { x, shape: [B, T + tail, C] };
}

/**
 * The mismatch-robustness settings of a config (null when off).
 * @throws InvalidArgumentError when it is on for a chip without synaptic mismatch and no σ is given
 */
export function robustnessOf(
  cfg: Pick<TrainConfig, 'robustMismatch' | 'robustAttackSteps' | 'robustAttackSize' | 'robustSigma'>,
  net: HWNetwork,
): MismatchRobustness | null {
  if (cfg.robustMismatch === null || cfg.robustMismatch === 0) return null;
  const sigma = cfg.robustSigma ?? net.chip.mismatch.synapticSigma;
  if (!sigma)
    throw new InvalidArgumentError(`${net.chip.chip} has no synaptic mismatch: --robust-mismatch needs --robust-sigma`, {
      field: 'robustSigma',
      value: sigma,
    });
  return { weight: cfg.robustMismatch, sigma, attackSteps: cfg.robustAttackSteps, attackSize: cfg.robustAttackSize };
}

/** Keyword accuracy at the calibrated detector, scaled down when rejection misses its floor. */
export function detectorScore(val: Pick<EvalResult, 'keywordAccuracy' | 'rejection'>, minRejection: number): number {
  const [kw, rej] = [val.keywordAccuracy ?? 0, val.rejection ?? 1]; // nothing to reject: no penalty
  return rej >= minRejection ? kw : kw * rej;
}

/** Names how epochs are compared, so that a resumed run does not compare two kinds of score. */
export function selectionCriterion(cfg: Pick<TrainConfig, 'selectChips' | 'selectChipSeed'>): string {
  return cfg.selectChips > 0 ? `chips ${cfg.selectChips} seed ${cfg.selectChipSeed}` : 'nominal';
}

/**
 * Mean detector score of the worst quarter of `count` simulated chips (chip k of `seed`, the
 * runtime's definition) at the chip profile's nominal mismatch, each running `model`'s detector.
 * The worst quarter, not the 5th percentile: a few chips give a steadier signal per epoch.
 */
export function worstChipsScore(
  model: NwaveModel,
  items: readonly EvalItem[],
  T: number,
  count: number,
  seed: number,
  minRejection: number,
): number {
  const scores = Array.from({ length: count }, (_, index) =>
    detectorScore(evaluateModel(simulatedChip(model, { index, seed }), items, T), minRejection),
  ).sort((a, b) => a - b);
  const q = Math.max(1, Math.ceil(count / 4));
  return scores.slice(0, q).reduce((a, b) => a + b, 0) / q;
}

/** Learning-rate factor of an epoch (1-based) under the config's schedule. */
export function lrFactor(cfg: Pick<TrainConfig, 'lrSchedule' | 'lrMinFraction' | 'epochs'>, epoch: number): number {
  if (cfg.lrSchedule !== 'cosine' || cfg.epochs <= 1) return 1;
  const p = Math.min(1, Math.max(0, (epoch - 1) / (cfg.epochs - 1)));
  return cfg.lrMinFraction + (1 - cfg.lrMinFraction) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/** Weights keyed by module name (variable names carry a process-wide counter, module names do not). */
function snapshot(net: HWNetwork): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { name, variable } of net.namedVariables()) out[name] = Array.from(variable.dataSync());
  return out;
}

export function restoreWeights(net: HWNetwork, weights: Record<string, number[]>): void {
  for (const { name, variable: v } of net.namedVariables()) {
    const w = weights[name];
    if (!w || w.length !== v.size) throw new Error(`resume state has no weights for ${name} (or a different shape)`);
    tf.tidy(() => v.assign(tf.tensor(w, v.shape, 'float32')));
  }
}

/** Float (tfjs) arg-max accuracy of the network on evaluation items. */
/** Spike counts per class [B, K] from output spikes [B, T, K·P] (population sums, as the runtime). */
export function classCounts(out: tf.Tensor3D, population: number): tf.Tensor2D {
  const counts = sumOverTime(out);
  if (population === 1) return counts;
  const [B, N] = counts.shape;
  return tf.sum(tf.reshape(counts, [B, N / population, population]), 2) as tf.Tensor2D;
}

export function floatAccuracy(net: HWNetwork, items: readonly EvalItem[], T: number, C: number, population = 1): number {
  let ok = 0;
  for (let s = 0; s < items.length; s += 64) {
    const chunk = items.slice(s, s + 64);
    const x = new Float32Array(chunk.length * T * C);
    chunk.forEach((it, b) => x.set(it.features, b * T * C));
    const pred = tf.tidy(() => {
      const { spikes } = net.forward(tf.tensor3d(x, [chunk.length, T, C]));
      return tf.argMax(classCounts(spikes[spikes.length - 1], population), 1).dataSync();
    });
    chunk.forEach((it, b) => (ok += pred[b] === it.label ? 1 : 0));
  }
  return items.length ? ok / items.length : 0;
}

export async function trainNetwork(
  net: HWNetwork,
  data: { train: NWaveDataLoader; val: readonly EvalItem[]; T: number; C: number },
  cfg: TrainConfig,
  exportOpts: ExportOptions,
  hooks: TrainHooks = {},
  resume?: TrainState,
  minRejection = 0.95,
  stepImpl: TrainStepImpl = defaultTrainStepImpl(),
): Promise<TrainResult> {
  const { T, C } = data;
  const K = exportOpts.labels.length;
  const bgIndex = new Set(exportOpts.backgroundLabels.map((l) => exportOpts.labels.indexOf(l)));
  // Non-keyword clips are either a background class (label in bgIndex) or, in "uniform" mode,
  // label -1: trained towards a uniform output distribution (outlier exposure), rejected by the
  // detector's confidence threshold.
  const isBg = (label: number) => label < 0 || bgIndex.has(label);
  const keywordItems = data.train.items.filter((it) => !isBg(it.label));
  const backgroundItems = data.train.items.filter((it) => isBg(it.label));
  const kwClasses = Math.max(1, K - bgIndex.size);
  const bgPerEpoch =
    cfg.backgroundPerEpoch > 0 && backgroundItems.length > 0
      ? Math.min(backgroundItems.length, Math.round((cfg.backgroundPerEpoch * keywordItems.length) / kwClasses))
      : backgroundItems.length;
  /** The training items of one epoch: every keyword clip plus a fresh draw of background clips. */
  const epochLoader = (epoch: number): NWaveDataLoader => {
    if (bgPerEpoch >= backgroundItems.length) return data.train;
    const bg: LoaderItem[] = shuffleInPlace([...backgroundItems], mulberry32(deriveSeed(cfg.seed, 'background', epoch))).slice(
      0,
      bgPerEpoch,
    );
    return new NWaveDataLoader([...keywordItems, ...bg], data.train.options);
  };
  const counts = new Array<number>(K).fill(0);
  for (const it of keywordItems) counts[it.label]++;
  for (const l of bgIndex) counts[l] = bgIndex.size ? bgPerEpoch / bgIndex.size : 0;
  const total = counts.reduce((a, b) => a + b, 0);
  const classWeights = counts.map((n) => (cfg.balanceClasses && n > 0 ? total / (K * n) : 1));
  const uniformWeight = cfg.balanceClasses && bgPerEpoch > 0 ? (total + bgPerEpoch) / ((K + 1) * bgPerEpoch) : 1;
  const sampleWeight = (y: number) => (y < 0 ? uniformWeight : classWeights[y]);
  // The detector's softmax temperature, as a log (learned when asked; exported as countScale).
  const init = tf.scalar(Math.log(resume?.countScale ?? cfg.logitScale));
  const logScale = tf.variable(init, cfg.learnCountScale);
  init.dispose();

  const withScale = (o: ExportOptions, countScale = countScaleOf(logScale)): ExportOptions => ({
    ...o,
    detector: { ...o.detector, windowS: cfg.detectorWindowS, countScale },
  });
  const criterion = selectionCriterion(cfg);
  /**
   * The network's current weights exported in memory (at `countScale`) and scored by the runtime:
   * the detector calibrated to reject the background on validation, then the keyword accuracy
   * (and, with `selectChips`, the worst chips' score).
   */
  const scoreNetwork = (countScale: number) => {
    const ck = networkToCheckpoint(net, { ...withScale(exportOpts, countScale), allowViolations: true });
    const compliant = checkConstraints(ck, new NwaveModel(ck).chip).ok;
    const detector = calibrateDetector(new NwaveModel(ck), data.val, T, minRejection);
    const model = new NwaveModel({ ...ck, detector: { ...ck.detector, ...detector } });
    const val: EvalResult = evaluateModel(model, data.val, T);
    const nominal = detectorScore(val, minRejection);
    if (cfg.selectChips === 0) return { compliant, val, score: nominal };
    const chipScore = worstChipsScore(model, data.val, T, cfg.selectChips, cfg.selectChipSeed, minRejection);
    return { compliant, val, score: (nominal + chipScore) / 2, chipScore };
  };
  const lifCount = net.hwLayers().length;
  const tailSteps = Math.round(cfg.tailSilenceS / exportOpts.filterbank.binS);
  // The quiet half of the tail is the last floor(tail / 2) steps: a tail of one step has none.
  if (cfg.lamTail > 0 && tailSteps < 2)
    throw new InvalidArgumentError(
      `lamTail ${cfg.lamTail} needs a trailing silence (tailSilenceS ${cfg.tailSilenceS} s is under two steps)`,
      {
        field: 'lamTail',
        value: cfg.lamTail,
      },
    );
  const history: EpochRow[] = resume ? [...resume.history] : [];
  let best = resume?.best ?? null;
  if (best && (best.criterion ?? 'nominal') !== criterion) {
    // Resumed under another selection rule: score the kept epoch again, by this run's rule.
    restoreWeights(net, best.weights);
    const again = scoreNetwork(best.countScale ?? countScaleOf(logScale));
    hooks.log?.(`best epoch ${best.epoch} scored again by ${criterion}: ${best.score.toFixed(4)} -> ${again.score.toFixed(4)}`);
    best = { ...best, score: again.score, criterion };
  }
  if (resume) restoreWeights(net, resume.weights);
  const stepCfg = {
    ...fusedStepConfig(cfg, lifCount, {
      windowSteps: Math.round(cfg.detectorWindowS / exportOpts.filterbank.binS),
      strideSteps: Math.max(1, Math.round(cfg.detectorStrideS / exportOpts.filterbank.binS)),
      backgroundClasses: [...bgIndex],
      tailSteps,
    }),
    robustness: robustnessOf(cfg, net),
  };
  // The fused step covers every chip option (charge map, threshold spread, snapped taus,
  // SignAnnealing); the mismatch-robustness term (a second, attacked network pass) runs on tfjs.
  const useFused = stepImpl === 'fused' && !stepCfg.robustness;
  if (!useFused && cfg.worstOfChips > 1)
    throw new InvalidArgumentError(
      `worstOfChips ${cfg.worstOfChips} needs the fused training step (not with robustMismatch or NWAVE_TRAIN_STEP=tfjs)`,
      {
        field: 'worstOfChips',
        value: cfg.worstOfChips,
      },
    );
  const trainStep = useFused ? new FusedTrainStep(net, stepCfg, logScale) : new TfjsTrainStep(net, stepCfg, logScale);
  if (!useFused)
    hooks.log?.(
      `training step: the tfjs reference implementation (slower; ${stepImpl === 'tfjs' ? 'NWAVE_TRAIN_STEP=tfjs' : '--robust-mismatch'})`,
    );
  const startEpoch = resume ? resume.epoch + 1 : 1;
  let stale = 0;
  let aborted = false;
  let stoppedEarly = false;
  const t0 = performance.now();

  for (let epoch = startEpoch; epoch <= cfg.epochs; epoch++) {
    const te = performance.now();
    trainStep.setLearningRates(cfg.lrFrontend * lrFactor(cfg, epoch), cfg.lrCore * lrFactor(cfg, epoch));
    const project = epoch > Math.floor(cfg.signProjectFrom * cfg.epochs);
    net.setSignAlpha(cfg.signAnnealing ? signAnnealingAlpha(cfg.signAnnealingAlphas, epoch, cfg.epochs) : null);
    const sums = { loss: 0, ce: 0, topology: 0, magnitude: 0, firingRate: 0, silence: 0, tail: 0, mismatchKl: 0, correct: 0, n: 0, kwN: 0 };
    const rateSums = new Array<number>(lifCount).fill(0);
    let batches = 0;
    const loader = epochLoader(epoch);
    const nBatches = loader.length;
    let dataMs = 0;
    let stepMs = 0;
    let tAfter = performance.now();
    for (const batch of loader.batches(epoch)) {
      const tStep = performance.now();
      dataMs += tStep - tAfter;
      if (hooks.signal?.aborted) {
        aborted = true;
        break;
      }
      const [B] = batch.shape;
      const ctx = cfg.streamContext
        ? withStreamContext(batch, backgroundItems, epoch, deriveSeed(cfg.seed, 'context', epoch) + batches)
        : null;
      const input = ctx ?? batch;
      const fed = tailSteps > 0 ? withTrailingSilence(input, tailSteps) : input;
      const r = trainStep.step(
        {
          x: fed.x,
          shape: fed.shape,
          labels: batch.y,
          weights: Array.from(batch.y, sampleWeight),
          ...(ctx ? { keywordStarts: ctx.starts } : {}),
        },
        { signGroups: project },
      );
      for (let b = 0; b < B; b++) if (batch.y[b] >= 0 && r.predicted[b] === batch.y[b]) sums.correct++;
      for (let b = 0; b < B; b++) if (batch.y[b] >= 0) sums.kwN++;
      r.rates.forEach((rate, i) => (rateSums[i] += rate));
      const loss = r.loss;
      sums.loss += loss * B;
      sums.ce += r.ce * B;
      sums.topology += r.topology * B;
      sums.magnitude += r.magnitude * B;
      sums.firingRate += r.firingRate * B;
      sums.silence += r.silence * B;
      sums.tail += r.tail * B;
      const kl = (r as TfjsStepResult).mismatchKl;
      if (kl !== undefined) sums.mismatchKl += kl * B;
      sums.n += B;
      batches++;
      tAfter = performance.now();
      stepMs += tAfter - tStep;
      hooks.onBatch?.(batches, nBatches, loss);
      if (batches % 8 === 0) await new Promise((r) => setImmediate(r)); // let Ctrl-C and progress bars in
    }
    if (aborted && batches === 0) break;
    trainStep.syncToNetwork();
    if (!aborted && epoch < cfg.epochs && epoch % cfg.evalEvery !== 0) {
      hooks.log?.(
        `epoch ${epoch}: train ce ${(sums.ce / Math.max(1, sums.n)).toFixed(3)}${stepCfg.robustness ? ` kl ${(sums.mismatchKl / Math.max(1, sums.n)).toFixed(3)}` : ''} acc ${((sums.correct / Math.max(1, sums.kwN)) * 100).toFixed(1)}% (${((performance.now() - te) / 1000).toFixed(0)}s, not scored)`,
      );
      continue;
    }
    const { compliant, val, score, chipScore } = scoreNetwork(countScaleOf(logScale));
    const seconds = (performance.now() - te) / 1000;
    const done = epoch - startEpoch + 1;
    const row: EpochRow = {
      epoch,
      epochs: cfg.epochs,
      lrCore: cfg.lrCore * lrFactor(cfg, epoch),
      loss: sums.loss / Math.max(1, sums.n),
      components: {
        ce: sums.ce / Math.max(1, sums.n),
        topology: sums.topology / Math.max(1, sums.n),
        magnitude: sums.magnitude / Math.max(1, sums.n),
        firingRate: sums.firingRate / Math.max(1, sums.n),
        silence: sums.silence / Math.max(1, sums.n),
        ...(tailSteps > 0 ? { tail: sums.tail / Math.max(1, sums.n) } : {}),
        ...(stepCfg.robustness ? { mismatchKl: sums.mismatchKl / Math.max(1, sums.n) } : {}),
      },
      countScale: countScaleOf(logScale),
      trainAccuracy: sums.correct / Math.max(1, sums.kwN),
      valAccuracy: val.accuracy,
      valKeywordAccuracy: val.keywordAccuracy,
      valRejection: val.rejection,
      valBalancedAccuracy: val.balancedAccuracy,
      ...(chipScore !== undefined ? { valChipScore: chipScore } : {}),
      valFloatAccuracy: floatAccuracy(net, data.val, T, C, cfg.outputPopulation),
      firingRates: rateSums.map((r) => r / Math.max(1, batches)),
      compliant,
      signProjection: project,
      seconds,
      dataSeconds: dataMs / 1000,
      stepSeconds: stepMs / 1000,
      etaS: ((performance.now() - t0) / 1000 / done) * (cfg.epochs - epoch),
    };
    history.push(row);
    hooks.onEpoch?.(row);
    if (compliant && (!best || score > best.score)) {
      best = { epoch, score, weights: snapshot(net), countScale: countScaleOf(logScale), criterion };
      stale = 0;
    } else stale++;
    await hooks.onState?.({ epoch, history: [...history], weights: snapshot(net), countScale: countScaleOf(logScale), best });
    if (aborted) break;
    if (cfg.patience > 0 && stale >= cfg.patience && project) {
      stoppedEarly = true;
      break;
    }
  }
  const state: TrainState = {
    epoch: history.at(-1)?.epoch ?? 0,
    history,
    weights: snapshot(net),
    countScale: countScaleOf(logScale),
    best,
  };
  let countScale = countScaleOf(logScale);
  if (best) {
    restoreWeights(net, best.weights);
    countScale = best.countScale ?? countScale;
  } else {
    // Stopped before any compliant epoch (early Ctrl-C): project the current weights onto the
    // sign groups so that what gets exported still satisfies the chip.
    applyHardConstraints(net, { signGroups: true });
    hooks.log?.(`no compliant epoch yet: exporting the last weights projected onto sign groups of ${net.chip.signGroupSize}`);
  }
  net.setSignAlpha(null);
  if (trainStep instanceof TfjsTrainStep) trainStep.dispose();
  logScale.dispose();
  return { history, bestEpoch: best?.epoch ?? 0, bestScore: best?.score ?? 0, stoppedEarly, aborted, state, countScale };
}

export type { Checkpoint };
