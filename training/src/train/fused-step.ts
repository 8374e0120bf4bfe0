/**
 * The whole training step without tfjs: `prepare_net` (fake quantization, synaptic and leak
 * mismatch, learnt τ, and every chip option: charge per unit weight, threshold spread, τ snapped
 * to the chip's profiles, SignAnnealing's soft sign gate), the fused network kernel forward (worker threads), the detector objective
 * and the firing-rate / topology / magnitude losses with hand-written gradients, the BPTT
 * backward, global-norm clipping, Adam (frontend and core rates) and the hard constraints — all
 * on typed arrays kept between steps. The tfjs step of `trainer.ts` (autodiff through the same
 * ops) is its reference: the tests compare one step of each (losses, gradients, updated weights).
 *
 * The weights live here while training runs; {@link FusedTrainStep.syncToNetwork} writes them
 * (and the detector's log-scale) back into the network's variables, e.g. before an export.
 * Mismatch draws consume the network's `mismatchRng` exactly as `prepare_net` does, so the
 * same seed gives the same noise on both paths, and a seeded run is reproducible whatever the
 * thread count.
 */
import * as tf from '@tensorflow/tfjs';
import { netLayout, transposeWeights, type NetLayout } from '../kernels/cpu/HwNetworkScan.js';
import { DetectorScratch, detectorLossCpu, magnitudePenaltyCpu, topologyPenaltyCpu } from '../kernels/cpu/step-losses.js';
import { netArenas, runNetBackward, runNetForward } from '../kernels/net-pool.js';
import { snapTau } from '@nwave/runtime';
import { Frontend, HWLayer, HWSynapse, softSignFactors, type HWNetwork } from '../layers/index.js';
import { detectorPlan, type DetectorLossOptions, type DetectorPlan } from '../losses/detector-loss.js';
import { quantizeValues } from '../quantize/quantize.js';
import type { Surrogate } from '../surrogates/surrogates.js';
import { constrainFrontend, constrainLogTau, constrainSynapse, frontendBitsOf } from './sign-projection.js';
import type { TrainConfig } from './train-config.js';

/** Settings of the step (from the training config). */
export interface FusedStepConfig {
  lrFrontend: number;
  lrCore: number;
  gradClip: number;
  lamTopology: number;
  lamMagnitude: number;
  lamFiringRate: number;
  /** Target rate per HWLayer (null: no firing-rate term for that layer). */
  rateTargets: (number | null)[];
  /** Train the detector's log-scale. */
  learnCountScale: boolean;
  /** Detector objective (window, stride, population, background classes, silence weight). */
  detector: DetectorLossOptions;
  /** Mismatch draws per step; the step trains on the one with the highest detector loss (1: plain injection). */
  worstOfChips: number;
}

/**
 * The step settings of a training config for a network of `layers` HWLayers (frontend first):
 * the output layer gets the output rate target, every hidden layer the hidden one, the frontend none.
 * @param detector - window, stride and background classes of the detector objective
 */
export function fusedStepConfig(
  cfg: TrainConfig,
  layers: number,
  detector: Pick<DetectorLossOptions, 'windowSteps' | 'strideSteps' | 'backgroundClasses' | 'tailSteps'>,
): FusedStepConfig {
  return {
    lrFrontend: cfg.lrFrontend,
    lrCore: cfg.lrCore,
    gradClip: cfg.gradClip,
    lamTopology: cfg.lamTopology,
    lamMagnitude: cfg.lamMagnitude,
    lamFiringRate: cfg.lamFiringRate,
    rateTargets: Array.from({ length: layers }, (_, i) => (i === layers - 1 ? cfg.outputRateTarget : i > 0 ? cfg.hiddenRateTarget : null)),
    learnCountScale: cfg.learnCountScale,
    detector: { ...detector, population: cfg.outputPopulation, silenceWeight: cfg.lamSilence, tailWeight: cfg.lamTail },
    worstOfChips: cfg.worstOfChips,
  };
}

/** One batch. */
export interface FusedBatch {
  /** Features `[B, T, C]`, flat. */
  x: Float32Array;
  shape: [number, number, number];
  labels: ArrayLike<number>;
  weights?: ArrayLike<number>;
  keywordStarts?: ArrayLike<number>;
}

/** What one step reports (the same figures as the tfjs step). */
export interface FusedStepResult {
  loss: number;
  ce: number;
  topology: number;
  magnitude: number;
  firingRate: number;
  silence: number;
  /** After-word quiet term (before its weight; 0 without a trailing silence). */
  tail: number;
  /** Scored decision per sample. */
  predicted: Int32Array;
  /** Mean spikes per neuron per step, per HWLayer. */
  rates: number[];
}

/** Gradients of the last step, per trainable (before clipping), for tests. */
export type FusedGrads = Record<string, Float32Array>;

type ParamKind = 'frontend' | 'synapse' | 'logTau' | 'logScale';

interface Param {
  name: string;
  kind: ParamKind;
  variable: tf.Variable;
  value: Float32Array;
  grad: Float32Array;
  m: Float32Array;
  v: Float32Array;
  group: 0 | 1; // (not a chip number): frontend or core optimizer
  shape: number[];
}

/** Adam of tfjs (`tf.train.adam`, β1 0.9, β2 0.999, ε 1e-7), op by op in float32. */
const BETA1 = Math.fround(0.9); // (not a chip number)
const BETA2 = Math.fround(0.999);
const ONE_MINUS_BETA1 = Math.fround(1 - 0.9); // (not a chip number)
const ONE_MINUS_BETA2 = Math.fround(1 - 0.999);
const EPSILON = Math.fround(1e-7);

function surrogateCode(s: Surrogate): [number, number] {
  if (s.name === 'fast_sigmoid') return [0, s.params.slope];
  if (s.name === 'atan') return [1, s.params.alpha];
  return [2, s.params.slope];
}

/** Schema bounds of the detector's countScale (0, 100], as a log; kept a little inside them. */
export const LOG_SCALE_MIN = Math.log(1e-3);
export const LOG_SCALE_MAX = Math.log(100);

/** The fused training step of one network (see the module comment). */
export class FusedTrainStep {
  private readonly net: HWNetwork;
  private readonly cfg: FusedStepConfig;
  private readonly syns: (Frontend | HWSynapse)[];
  private readonly layers: HWLayer[];
  private readonly params: Param[];
  private readonly byModule = new Map<object, Param>();
  private readonly logScaleParam: Param;
  private readonly eff = new Map<object, Float32Array>();
  private readonly betas: Float32Array[];
  /** `−dt/m` per neuron of learnt-τ layers (m: the leak mismatch factor), for dβ/dlog τ. */
  private readonly betaFactor: Float32Array[];
  /** The continuous β(log τ) of learnt-τ layers: the gradient's path when the forward runs snapped taus. */
  private readonly betaCont: Float32Array[];
  /** Per-neuron input scale `1/(1 + δ_i)` of a threshold spread, per layer (null: none this step). */
  private readonly inputScale: (Float32Array | null)[];
  /** Per weight module this step: SignAnnealing's gate factors and the gated weights (null: no gate). */
  private readonly gate = new Map<object, { factors: Float32Array; gated: Float32Array } | null>();
  /** The HWLayer each weight module feeds (its threshold spread scales the module's columns). */
  private readonly feeds = new Map<object, number>();
  private readonly acc: [number, number] = [BETA1, BETA1];
  private readonly acc2: [number, number] = [BETA2, BETA2];
  private lay: NetLayout | null = null;
  /** Learning rates of the frontend and core groups. */
  private lr: [number, number];
  private readonly scratch = new DetectorScratch();
  private red = new Float64Array(0);
  /** Gradients of the last step (before clipping), by variable name, when {@link recordGrads} is set. */
  readonly lastGrads: FusedGrads = {};
  /** Keep a copy of every step's gradients in {@link lastGrads} (tests). */
  recordGrads = false;

  /**
   * @param net - the network (its variables are read now; see {@link syncToNetwork})
   * @param cfg - step settings
   * @param logScale - the detector's log-scale variable (trained when `cfg.learnCountScale`)
   */
  constructor(net: HWNetwork, cfg: FusedStepConfig, logScale: tf.Variable) {
    this.net = net;
    this.cfg = cfg;
    this.lr = [cfg.lrFrontend, cfg.lrCore];
    this.layers = net.hwLayers();
    this.syns = net.layers.filter((m): m is Frontend | HWSynapse => m instanceof Frontend || m instanceof HWSynapse);
    if (cfg.rateTargets.length !== this.layers.length)
      throw new RangeError(`fused step: ${cfg.rateTargets.length} rate targets for ${this.layers.length} layers`);
    const front = new Set(net.frontendVariables());
    const mk = (name: string, kind: ParamKind, variable: tf.Variable): Param => {
      const value = Float32Array.from(variable.dataSync());
      const n = value.length;
      return {
        name,
        kind,
        variable,
        value,
        grad: new Float32Array(n),
        m: new Float32Array(n),
        v: new Float32Array(n),
        group: front.has(variable) ? 0 : 1,
        shape: [...variable.shape],
      };
    };
    this.params = [];
    for (const { name, variable } of net.namedVariables()) {
      const module =
        net.modules().find((m) => (m instanceof Frontend || m instanceof HWSynapse) && m.weight === variable) ??
        this.layers.find((l) => l.logTau === variable);
      if (!module) throw new Error(`fused step: variable ${name} belongs to no module`);
      const p = mk(name, module instanceof HWLayer ? 'logTau' : module instanceof Frontend ? 'frontend' : 'synapse', variable);
      this.params.push(p);
      this.byModule.set(module, p);
    }
    this.logScaleParam = mk('logScale', 'logScale', logScale);
    this.betas = this.layers.map((l) => new Float32Array(l.n_neurons));
    this.betaFactor = this.layers.map((l) => new Float32Array(l.n_neurons));
    this.betaCont = this.layers.map((l) => new Float32Array(l.n_neurons));
    this.inputScale = this.layers.map(() => null);
    this.syns.forEach((syn, l) => this.feeds.set(syn, l));
    this.layers.forEach((layer, l) => {
      if (layer.recurrent) this.feeds.set(layer.recurrent, l);
    });
  }

  /** The detector's current log-scale. */
  get logScale(): number {
    return this.logScaleParam.value[0];
  }

  /**
   * Sets both groups' learning rates (a schedule).
   * @param front - frontend rate
   * @param core - core rate
   */
  setLearningRates(front: number, core: number): void {
    this.lr = [front, core];
  }

  /** Writes the weights, log τ and log-scale back into the network's (and the log-scale's) variables. */
  syncToNetwork(): void {
    for (const p of [...this.params, this.logScaleParam]) {
      tf.tidy(() => p.variable.assign(tf.tensor(p.value, p.shape, 'float32')));
    }
  }

  private layout(B: number, T: number, C: number): NetLayout {
    const l = this.lay;
    if (l && l.B === B && l.T === T && l.C === C) return l;
    const sur = this.layers.map((x) => surrogateCode(x.spike_grad));
    this.lay = netLayout({
      B,
      T,
      C,
      inputDiag: this.syns[0] instanceof Frontend,
      sizes: this.layers.map((x) => x.n_neurons),
      rec: this.layers.map((x) => x.recurrent !== null),
      learnBeta: this.layers.map((x) => x.logTau !== null),
      theta: this.layers.map((x) => x.threshold),
      subtractive: this.layers.map((x) => x.reset.subtractive),
      ceiling: this.layers.map((x) => x.reset.ceiling),
      surKind: sur.map((s) => s[0]),
      surParam: sur.map((s) => s[1]),
      inputGrad: false,
      constHiddenDy: true,
    });
    return this.lay;
  }

  /** The current draw's effective weights and leaks into the arena. */
  private loadChip(lay: NetLayout, F: Float32Array): void {
    this.syns.forEach((s, l) => F.set(this.eff.get(s) as Float32Array, lay.wOff[l]));
    this.layers.forEach((layer, l) => {
      if (layer.recurrent) F.set(this.eff.get(layer.recurrent) as Float32Array, lay.recOff[l]);
      F.set(this.betas[l], lay.betaOff[l]);
    });
  }

  /**
   * Worst of n chips: n mismatch draws (the first is the current one), a forward pass and the
   * detector loss of each on this batch; the draw with the highest loss is kept for the step.
   * Plain injection averages over chips, so the tail of the chip distribution (the p5 chip) gets
   * little weight; training on the worst of a few random chips moves it (a cheap adversary, no
   * gradient attack).
   */
  private keepWorstDraw(lay: NetLayout, plan: DetectorPlan, n: number): void {
    const { F } = netArenas(lay);
    const L = this.layers.length;
    const predicted = new Int32Array(plan.B);
    let worst: ReturnType<FusedTrainStep['saveDraw']> | null = null;
    let worstLoss = -Infinity;
    for (let k = 0; k < n; k++) {
      if (k > 0) this.prepare();
      this.loadChip(lay, F);
      runNetForward(lay);
      // Its gradient goes to the arena's dy block, which the step clears before its own pass.
      const v = detectorLossCpu(
        F,
        lay.sOff[L - 1],
        plan,
        this.logScale,
        this.cfg.detector.silenceWeight ?? 0,
        this.cfg.detector.tailWeight ?? 0,
        F,
        lay.dyOff[L - 1],
        predicted,
        this.scratch,
      );
      if (v.total > worstLoss) {
        worstLoss = v.total;
        worst = this.saveDraw();
      }
    }
    if (worst) this.restoreDraw(worst);
  }

  /** One mismatch draw as {@link prepare} left it (its arrays are fresh per draw, except the per-layer ones, copied). */
  private saveDraw() {
    return {
      eff: new Map(this.eff),
      betas: this.betas.map((b) => Float32Array.from(b)),
      betaCont: this.betaCont.map((b) => Float32Array.from(b)),
      betaFactor: this.betaFactor.map((b) => Float32Array.from(b)),
      inputScale: [...this.inputScale],
    };
  }

  private restoreDraw(d: ReturnType<FusedTrainStep['saveDraw']>): void {
    for (const [m, q] of d.eff) this.eff.set(m, q);
    d.betas.forEach((b, i) => this.betas[i].set(b));
    d.betaCont.forEach((b, i) => this.betaCont[i].set(b));
    d.betaFactor.forEach((b, i) => this.betaFactor[i].set(b));
    d.inputScale.forEach((x, i) => (this.inputScale[i] = x));
  }

  /**
   * `prepare_net` on typed arrays: same draws from the same generator, same float32 values, op by
   * op as the tfjs modules (`HWLayer.prepare`, `HWWeightModule.prepare`, `HWLayer.scaleInput`):
   * leak mismatch then threshold spread per layer, τ snapped to the chip's profiles (learnt τ
   * straight through), effective weights `(c·fakeQuantize(gate(W)) + noise)·s` with SignAnnealing's
   * gate, the chip's charge per unit weight c and the threshold spread's column scale s.
   */
  private prepare(): void {
    const rng = this.net.mismatchRng;
    const chip = this.net.chip;
    const snapped = chip.neuron.tau.kind === 'snapped';
    for (const m of this.net.modules()) {
      if (m instanceof HWLayer) {
        const i = this.layers.indexOf(m);
        const n = m.n_neurons;
        const factor = new Float32Array(n).fill(1);
        const { leakSpread, thresholdSpread } = m.chip.mismatch;
        if (m.ileak_mismatch) for (let k = 0; k < n; k++) factor[k] = Math.exp(leakSpread * rng.normal());
        let scale: Float32Array | null = null;
        if (m.ileak_mismatch && thresholdSpread > 0) {
          scale = new Float32Array(n);
          for (let k = 0; k < n; k++) scale[k] = 1 / Math.max(1e-3, 1 + thresholdSpread * rng.normal());
        }
        this.inputScale[i] = scale;
        const beta = this.betas[i];
        const p = this.byModule.get(m);
        const taus = p ? Float32Array.from(p.value, (x) => Math.exp(x)) : m.taus;
        const chipTaus = snapped ? taus.map((tau) => snapTau(m.chip, tau).tauS) : taus;
        for (let k = 0; k < n; k++) beta[k] = Math.exp(-m.dt / (chipTaus[k] * factor[k]));
        if (p) {
          // β = exp(e^(−log τ) · (−dt/m)), op by op in float32 as HWLayer.prepare's tensors; with
          // snapped taus the forward runs the snapped β (cont + (snapped − cont), as tfjs adds it).
          const c = this.betaFactor[i];
          const cont = this.betaCont[i];
          for (let k = 0; k < n; k++) {
            c[k] = Math.fround(-m.dt / factor[k]);
            cont[k] = Math.fround(Math.exp(Math.fround(Math.fround(Math.exp(-p.value[k])) * c[k])));
            beta[k] = snapped ? Math.fround(cont[k] + Math.fround(beta[k] - cont[k])) : cont[k];
          }
        }
        continue;
      }
      const p = this.byModule.get(m) as Param;
      const alpha = m.signAlpha;
      let w = p.value;
      if (alpha !== null && m instanceof HWSynapse) {
        const factors = softSignFactors(p.value, m.nb_inputs, m.nb_outputs, alpha, m.signGroupSize);
        const gated = new Float32Array(w.length);
        for (let k = 0; k < w.length; k++) gated[k] = w[k] * factors[k];
        this.gate.set(m, { factors, gated });
        w = gated;
      } else this.gate.set(m, null);
      const bits = m.quantization_bits;
      const q = bits === null ? Float32Array.from(w) : quantizeValues(w, bits, m.wMax);
      const cs = Math.fround(m.chargeScale); // a float32 scalar, as tf.mul makes it
      if (cs !== 1) for (let k = 0; k < q.length; k++) q[k] = q[k] * cs;
      const sd = m.stddev;
      if (sd !== null && sd !== 0) {
        const noise = m.weight.size ? rng.normalArray(m.weight.size, 0, sd) : new Float32Array(0);
        for (let k = 0; k < q.length; k++) q[k] = Math.fround(q[k] + noise[k]);
      }
      this.eff.set(m, q);
    }
    // The threshold spread scales each neuron's input: the columns of every synapse feeding it.
    for (const [m, l] of this.feeds) {
      const s = this.inputScale[l];
      if (!s) continue;
      const q = this.eff.get(m) as Float32Array;
      const N = s.length;
      for (let k = 0; k < q.length; k++) q[k] = q[k] * s[k % N];
    }
  }

  /**
   * Gradient wrt a module's float weights from the gradient wrt its effective weight (in
   * `p.grad`), back through the column scale, the charge, fake quantization (straight through
   * inside ±wMax of its input) and the gate, op by op in float32 as tfjs' autodiff.
   */
  private effectiveToWeightGrad(m: Frontend | HWSynapse, p: Param): void {
    const g = p.grad;
    const l = this.feeds.get(m);
    const s = l === undefined ? null : this.inputScale[l];
    if (s) {
      const N = s.length;
      for (let k = 0; k < g.length; k++) g[k] = g[k] * s[k % N];
    }
    const cs = Math.fround(m.chargeScale); // a float32 scalar, as tf.mul makes it
    if (cs !== 1) for (let k = 0; k < g.length; k++) g[k] = g[k] * cs;
    const gate = this.gate.get(m) ?? null;
    if (m.quantization_bits !== null) {
      const wMax = m.wMax;
      const x = gate ? gate.gated : p.value;
      for (let k = 0; k < g.length; k++) if (!(x[k] >= -wMax && x[k] <= wMax)) g[k] = 0;
    }
    if (gate) for (let k = 0; k < g.length; k++) g[k] = g[k] * gate.factors[k];
  }

  /** Sum over samples of a per-sample gradient block, in sample order (thread-independent). */
  private reduce(G: Float64Array, lay: NetLayout, off: number, n: number, out: Float32Array): void {
    if (this.red.length < n) this.red = new Float64Array(n);
    const acc = this.red;
    acc.fill(0, 0, n);
    for (let b = 0; b < lay.B; b++) {
      const base = b * lay.P + off;
      for (let i = 0; i < n; i++) acc[i] += G[base + i];
    }
    for (let i = 0; i < n; i++) out[i] = acc[i];
  }

  /**
   * One training step on a batch: forward, losses, backward, clipping, Adam, constraints.
   * @param batch - features, labels, per-sample weights, keyword starts
   * @param opts - `signGroups`: project every group of 5 onto one sign after the update
   * @returns the loss parts, decisions and firing rates of this batch
   */
  step(batch: FusedBatch, opts: { signGroups: boolean }): FusedStepResult {
    const [B, T, C] = batch.shape;
    const lay = this.layout(B, T, C);
    const L = this.layers.length;
    const cfg = this.cfg;
    this.prepare();
    const { F, G } = netArenas(lay);
    F.set(batch.x.subarray(0, B * T * C), lay.xOff);
    const plan = detectorPlan(
      [B, T, this.layers[L - 1].n_neurons],
      {
        labels: batch.labels,
        ...(batch.weights ? { weights: batch.weights } : {}),
        ...(batch.keywordStarts ? { keywordStarts: batch.keywordStarts } : {}),
      },
      cfg.detector,
    );
    if (cfg.worstOfChips > 1) this.keepWorstDraw(lay, plan, cfg.worstOfChips);
    this.loadChip(lay, F);
    runNetForward(lay);

    // Losses on the spikes, their gradients straight into the arena: the firing-rate term is one
    // number per hidden layer (constHiddenDy), the output layer's block gets both terms.
    const nOut = this.layers[L - 1].n_neurons;
    const dyOut = lay.dyOff[L - 1];
    F.fill(0, dyOut, dyOut + B * T * nOut);
    const rates = this.layers.map((layer, l) => {
      let spikes = 0;
      for (let b = 0; b < B; b++) spikes += F[lay.cntOff + b * L + l];
      return spikes / (B * T * layer.n_neurons);
    });
    let firingRate = 0;
    this.layers.forEach((layer, l) => {
      const target = cfg.rateTargets[l];
      F[lay.dycOff + l] = 0;
      if (target === null) return;
      const m = cfg.lamFiringRate;
      const d = (rates[l] - target) * m;
      firingRate += d * d;
      const n = B * T * layer.n_neurons;
      const g = (2 * d * m) / n;
      if (l < L - 1) F[lay.dycOff + l] = g;
      else for (let i = 0; i < n; i++) F[dyOut + i] += g;
    });
    const predicted = new Int32Array(B);
    const det = detectorLossCpu(
      F,
      lay.sOff[L - 1],
      plan,
      this.logScale,
      cfg.detector.silenceWeight ?? 0,
      cfg.detector.tailWeight ?? 0,
      F,
      lay.dyOff[L - 1],
      predicted,
      this.scratch,
    );

    transposeWeights(lay, F);
    runNetBackward(lay);

    // Gradients wrt the effective weights and β, then back to the float weights
    // ({@link effectiveToWeightGrad}; mismatch is additive) and through the continuous β(log τ).
    for (const p of this.params) p.grad.fill(0);
    this.syns.forEach((s, l) => {
      const p = this.byModule.get(s) as Param;
      this.reduce(G, lay, lay.gwOff[l], p.value.length, p.grad);
      this.effectiveToWeightGrad(s, p);
    });
    this.layers.forEach((layer, l) => {
      if (layer.recurrent) {
        const p = this.byModule.get(layer.recurrent) as Param;
        this.reduce(G, lay, lay.grecOff[l], p.value.length, p.grad);
        this.effectiveToWeightGrad(layer.recurrent, p);
      }
      const pt = this.byModule.get(layer);
      if (pt) {
        this.reduce(G, lay, lay.gbetaOff[l], layer.n_neurons, pt.grad);
        const beta = this.betaCont[l];
        const c = this.betaFactor[l];
        for (let k = 0; k < layer.n_neurons; k++) {
          // dβ/dlog τ = −β · c · e^(−log τ), β the continuous one (straight through a snap)
          pt.grad[k] = Math.fround(-pt.grad[k] * beta[k] * c[k] * Math.exp(-pt.value[k]));
        }
      }
    });
    let topoSum = 0;
    let topoCount = 0;
    let magSum = 0;
    let magCount = 0;
    const coreSyns = this.net.synapses();
    for (const s of coreSyns) magCount += s.weight.size;
    for (const s of coreSyns) topoCount += s.nb_inputs * Math.ceil(s.nb_outputs / this.net.chip.signGroupSize);
    for (const m of coreSyns) {
      const p = this.byModule.get(m) as Param;
      topoSum += topologyPenaltyCpu(
        p.value,
        m.nb_inputs,
        m.nb_outputs,
        cfg.lamTopology / topoCount,
        p.grad,
        this.net.chip.signGroupSize,
      ).sum;
      magSum += magnitudePenaltyCpu(p.value, this.net.chip.synapse.core.wMax, cfg.lamMagnitude / magCount, p.grad);
    }
    const topology = topoCount ? (cfg.lamTopology * topoSum) / topoCount : 0;
    const magnitude = magCount ? (cfg.lamMagnitude * magSum) / magCount : 0;
    const trained = cfg.learnCountScale ? [...this.params, this.logScaleParam] : this.params;
    this.logScaleParam.grad[0] = det.dLogScale;
    if (this.recordGrads) for (const p of trained) this.lastGrads[p.name] = Float32Array.from(p.grad);

    // Global-norm clipping over every gradient, then one Adam step per group.
    let sq = 0;
    for (const p of trained) {
      let s = 0;
      for (let k = 0; k < p.grad.length; k++) s += Math.fround(p.grad[k] * p.grad[k]);
      sq += Math.fround(s);
    }
    const norm = Math.sqrt(sq);
    const scale = norm > cfg.gradClip ? cfg.gradClip / norm : 1;
    const lr = [Math.fround(-this.lr[0]), Math.fround(-this.lr[1])];
    const used = [false, false];
    for (const p of trained) {
      used[p.group] = true;
      const om1 = Math.fround(1 - this.acc[p.group]);
      const om2 = Math.fround(1 - this.acc2[p.group]);
      const { value, m, v, grad } = p;
      for (let k = 0; k < value.length; k++) {
        const g = scale === 1 ? grad[k] : Math.fround(grad[k] * scale);
        const m1 = Math.fround(Math.fround(m[k] * BETA1) + Math.fround(g * ONE_MINUS_BETA1));
        const v1 = Math.fround(Math.fround(v[k] * BETA2) + Math.fround(Math.fround(g * g) * ONE_MINUS_BETA2));
        m[k] = m1;
        v[k] = v1;
        const mh = Math.fround(m1 / om1);
        const vh = Math.fround(v1 / om2);
        const upd = Math.fround(Math.fround(mh / Math.fround(Math.fround(Math.sqrt(vh)) + EPSILON)) * lr[p.group]);
        value[k] = Math.fround(upd + value[k]);
      }
    }
    for (const g of [0, 1] as const) {
      if (!used[g]) continue;
      this.acc[g] = Math.fround(this.acc[g] * BETA1);
      this.acc2[g] = Math.fround(this.acc2[g] * BETA2);
    }

    // Hard constraints (the same functions as applyHardConstraints) and the log-scale bounds.
    for (const s of coreSyns) {
      const p = this.byModule.get(s) as Param;
      constrainSynapse(p.value, s.nb_inputs, s.nb_outputs, opts.signGroups, this.net.chip);
    }
    for (const layer of this.layers) {
      const p = this.byModule.get(layer);
      if (p) constrainLogTau(p.value, this.net.chip);
    }
    const fe = this.net.frontend();
    if (fe) constrainFrontend((this.byModule.get(fe) as Param).value, this.net.chip, frontendBitsOf(this.net));
    const ls = this.logScaleParam.value;
    if (ls[0] < LOG_SCALE_MIN || ls[0] > LOG_SCALE_MAX) ls[0] = Math.min(LOG_SCALE_MAX, Math.max(LOG_SCALE_MIN, ls[0]));

    return {
      loss: det.total + topology + magnitude + firingRate,
      ce: det.ce,
      topology,
      magnitude,
      firingRate,
      silence: det.silence,
      tail: det.tail,
      predicted,
      rates,
    };
  }
}
