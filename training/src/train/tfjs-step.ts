/**
 * The training step through tfjs autodiff: the network's fused op, the tfjs losses of `losses/`
 * and tfjs' Adam. The reference implementation of {@link FusedTrainStep} (same interface, same
 * results within float tolerance), and what `NWAVE_TRAIN_STEP=tfjs` trains with.
 */
import * as tf from '@tensorflow/tfjs';
import type { HWNetwork, ScanImpl } from '../layers/index.js';
import { detectorLoss, firing_rate_target_mse_loss, topology_loss, weight_magnitude_loss } from '../losses/index.js';
import {
  LOG_SCALE_MAX,
  LOG_SCALE_MIN,
  type FusedBatch,
  type FusedGrads,
  type FusedStepConfig,
  type FusedStepResult,
} from './fused-step.js';
import { adversarialChip, chipForward, meanWindowKl, windowLogProbs, type MismatchRobustness } from './mismatch-robustness.js';
import { applyHardConstraints } from './sign-projection.js';

/** Settings of the tfjs step: the fused step's, plus what only this step trains. */
export interface TfjsStepConfig extends FusedStepConfig {
  /** Mismatch-robustness term (mismatch-robustness.ts), or null/absent for none. */
  robustness?: MismatchRobustness | null;
}

/** A step's figures; `mismatchKl` when the robustness term is on (before its weight). */
export type TfjsStepResult = FusedStepResult & { mismatchKl?: number };

/** The tfjs training step of one network (see the module comment). */
export class TfjsTrainStep {
  private readonly net: HWNetwork;
  private readonly cfg: TfjsStepConfig;
  private readonly logScaleVar: tf.Variable;
  private readonly optFront: tf.AdamOptimizer;
  private readonly optCore: tf.AdamOptimizer;
  private readonly frontVars: Set<string>;
  private readonly names: Map<string, string>;
  private readonly impl: ScanImpl;
  /** Gradients of the last step (before clipping), by variable name, when {@link recordGrads} is set. */
  readonly lastGrads: FusedGrads = {};
  /** Keep a copy of every step's gradients in {@link lastGrads} (tests). */
  recordGrads = false;

  /**
   * @param net - the network
   * @param cfg - step settings
   * @param logScale - the detector's log-scale variable
   * @param impl - how the network runs (`reference`: per-step tfjs ops) @defaultValue 'fused'
   */
  constructor(net: HWNetwork, cfg: TfjsStepConfig, logScale: tf.Variable, impl: ScanImpl = 'fused') {
    this.net = net;
    this.impl = impl;
    this.cfg = cfg;
    this.logScaleVar = logScale;
    this.optFront = tf.train.adam(cfg.lrFrontend);
    this.optCore = tf.train.adam(cfg.lrCore);
    this.frontVars = new Set(net.frontendVariables().map((v) => v.name));
    this.names = new Map(net.namedVariables().map(({ name, variable }) => [variable.name, name]));
    this.names.set(logScale.name, 'logScale');
  }

  /** The detector's current log-scale. */
  get logScale(): number {
    return this.logScaleVar.dataSync()[0];
  }

  /**
   * Sets both groups' learning rates (a schedule).
   * @param front - frontend rate
   * @param core - core rate
   */
  setLearningRates(front: number, core: number): void {
    // tfjs reads `learningRate` on every update; it has no public setter.
    (this.optFront as unknown as { learningRate: number }).learningRate = front;
    (this.optCore as unknown as { learningRate: number }).learningRate = core;
  }

  /** The weights already live in the network's variables. */
  syncToNetwork(): void {}

  /** Frees the optimizers' state. */
  dispose(): void {
    this.optFront.dispose();
    this.optCore.dispose();
  }

  /**
   * One training step (see {@link FusedTrainStep.step}).
   */
  step(batch: FusedBatch, opts: { signGroups: boolean }): TfjsStepResult {
    const { net, cfg } = this;
    const logScale = this.logScaleVar;
    const robust = cfg.robustness && cfg.robustness.weight > 0 ? cfg.robustness : null;
    // The chip is chosen before the tape (its ascent steps differentiate wrt Δ, not the weights);
    // the KL term uses the current temperature as a constant (else it would just flatten both).
    const countScale = Math.exp(logScale.dataSync()[0]);
    const deltas = robust ? adversarialChip(net, batch, cfg.detector, countScale, robust, net.mismatchRng, this.impl) : [];
    const vars = cfg.learnCountScale ? [...net.trainableVariables(), logScale] : net.trainableVariables();
    const parts: tf.Scalar[] = [];
    let spikesCount = 0;
    const extra: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.tensor3d(batch.x, batch.shape);
      const { spikes } = net.forward(x, { impl: this.impl });
      const out = spikes[spikes.length - 1];
      const obj = detectorLoss(
        {
          spikes: out,
          labels: batch.labels,
          logScale: logScale as tf.Scalar,
          ...(batch.weights ? { weights: batch.weights } : {}),
          ...(batch.keywordStarts ? { keywordStarts: batch.keywordStarts } : {}),
        },
        cfg.detector,
      );
      const topo = topology_loss(net, cfg.lamTopology);
      const mag = tf.mul(weight_magnitude_loss(net), cfg.lamMagnitude) as tf.Scalar;
      const frList: tf.Tensor[] = [];
      const frTargets: number[] = [];
      spikes.forEach((s, i) => {
        const target = cfg.rateTargets[i];
        if (target !== null) {
          frList.push(s);
          frTargets.push(target);
        }
      });
      const fr = frList.length
        ? firing_rate_target_mse_loss(
            frList,
            frTargets,
            frTargets.map(() => cfg.lamFiringRate),
          )
        : tf.scalar(0);
      parts.push(tf.keep(obj.ce), tf.keep(topo), tf.keep(mag), tf.keep(fr), tf.keep(obj.silence), tf.keep(obj.tail));
      extra.push(tf.keep(obj.predicted), ...spikes.map((s) => tf.keep(tf.mean(s))));
      spikesCount = spikes.length;
      const terms = [obj.total, topo, mag, fr];
      if (robust) {
        const base = net.synapses().map((s) => s.effectiveWeight());
        const chip = chipForward(net, x, base, deltas, this.impl);
        const kl = meanWindowKl(windowLogProbs(out, cfg.detector, countScale), windowLogProbs(chip, cfg.detector, countScale));
        extra.push(tf.keep(kl));
        terms.push(tf.mul(kl, robust.weight) as tf.Scalar);
      }
      return tf.addN(terms) as tf.Scalar;
    }, vars);
    if (this.recordGrads)
      for (const [name, g] of Object.entries(grads)) this.lastGrads[this.names.get(name) ?? name] = Float32Array.from(g.dataSync());
    // Global-norm clipping across both groups, then one Adam step per group.
    const norm = Math.sqrt(Object.values(grads).reduce((a, g) => a + (tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]) as number), 0));
    const scale = norm > cfg.gradClip ? cfg.gradClip / norm : 1;
    const gFront: tf.NamedTensorMap = {};
    const gCore: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) (this.frontVars.has(name) ? gFront : gCore)[name] = scale === 1 ? g : tf.mul(g, scale);
    if (Object.keys(gFront).length) this.optFront.applyGradients(Object.entries(gFront).map(([name, tensor]) => ({ name, tensor })));
    this.optCore.applyGradients(Object.entries(gCore).map(([name, tensor]) => ({ name, tensor })));
    applyHardConstraints(net, { signGroups: opts.signGroups });
    const v = logScale.dataSync()[0];
    if (v < LOG_SCALE_MIN || v > LOG_SCALE_MAX)
      tf.tidy(() => logScale.assign(tf.scalar(Math.min(LOG_SCALE_MAX, Math.max(LOG_SCALE_MIN, v)))));
    const [ce, topology, magnitude, firingRate, silence, tail] = parts.map((p) => p.dataSync()[0]);
    const result: TfjsStepResult = {
      loss: value.dataSync()[0],
      ce,
      topology,
      magnitude,
      firingRate,
      silence,
      tail,
      predicted: Int32Array.from(extra[0].dataSync()),
      rates: extra.slice(1, 1 + spikesCount).map((t) => t.dataSync()[0]),
      ...(robust ? { mismatchKl: extra[1 + spikesCount].dataSync()[0] } : {}),
    };
    tf.dispose([...deltas, value, ...Object.values(grads), ...Object.values(gFront), ...Object.values(gCore), ...parts, ...extra]);
    return result;
  }
}
