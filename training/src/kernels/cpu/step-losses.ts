/**
 * The training losses as plain typed-array code with hand-written gradients, for the fused
 * training step (`train/fused-step.ts`). Each one computes the same value as its tfjs definition
 * in `losses/` (the reference the tests compare against) and ADDS its gradient into a buffer the
 * caller owns (dL/dspikes in the kernel arena, dL/dW next to the weights): no tensors, no tape.
 */
import type { DetectorPlan } from '../../losses/detector-loss.js';

/** Values of {@link detectorLossCpu}. */
export interface DetectorLossValues {
  ce: number;
  silence: number;
  /** Mean output spike rate over the quiet half of the trailing silence (before its weight). */
  tail: number;
  total: number;
  /** d total / d logScale. */
  dLogScale: number;
}

/** Scratch buffers of {@link detectorLossCpu}, reused across calls. */
export class DetectorScratch {
  counts = new Float64Array(0);
  cum = new Float64Array(0);
  logp = new Float64Array(0);
  dc = new Float64Array(0);
  ceW = new Float64Array(0);
  ceR = new Float64Array(0);
  a = new Float64Array(0);
  dceW = new Float64Array(0);
  dceR = new Float64Array(0);

  ensure(T: number, nW: number, K: number): void {
    if (this.cum.length < (T + 1) * K) this.cum = new Float64Array((T + 1) * K);
    if (this.counts.length < nW * K) {
      this.counts = new Float64Array(nW * K);
      this.logp = new Float64Array(nW * K);
      this.dc = new Float64Array(nW * K);
    }
    if (this.ceW.length < nW) {
      this.ceW = new Float64Array(nW);
      this.ceR = new Float64Array(nW);
      this.a = new Float64Array(nW);
      this.dceW = new Float64Array(nW);
      this.dceR = new Float64Array(nW);
    }
  }
}

function logSumExp(a: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (a[i] > m) m = a[i];
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[i] - m);
  return m + Math.log(s);
}

/**
 * The detector objective of `losses/detector-loss.ts` (`detectorLoss`) on output spikes in a
 * flat `[B, T, K·P]` array: values, gradient added into `dSpikes`, the scored decision per sample
 * into `predicted`.
 * @param spikes - output spikes, read from `spikes[sOff …]`
 * @param plan - the batch's targets and masks ({@link detectorPlan})
 * @param logScale - softmax temperature as a log
 * @param silenceWeight - weight of the keyword-silence term
 * @param dSpikes - gradient buffer, `dSpikes[dOff …]` gets `d total / d spikes` added
 * @returns values and d total / d logScale
 */
export function detectorLossCpu(
  spikes: Float32Array,
  sOff: number,
  plan: DetectorPlan,
  logScale: number,
  silenceWeight: number,
  tailWeight: number,
  dSpikes: Float32Array,
  dOff: number,
  predicted: Int32Array,
  scratch: DetectorScratch,
): DetectorLossValues {
  const { B, T, K, P, W, ends, tailQuiet } = plan;
  const N = K * P;
  const nW = ends.length;
  scratch.ensure(T, nW, K);
  const { counts, cum, logp, dc, ceW, ceR, a, dceW, dceR } = scratch;
  const scale = Math.fround(Math.exp(logScale));
  let wSum = 0;
  for (let b = 0; b < B; b++) wSum += plan.weights[b];
  wSum = Math.max(wSum, 1e-12);
  let ce = 0;
  let silence = 0;
  let tail = 0;
  let dLogScale = 0;
  for (let b = 0; b < B; b++) {
    const wb = plan.weights[b];
    const g = wb / wSum;
    const kw = plan.isKw[b];
    const rCount = plan.rCount[b];
    const hasReject = rCount > 0 ? 1 : 0;
    // Per-class prefix sums over time (populations summed): window counts are differences.
    cum.fill(0, 0, K);
    const sb = sOff + b * T * N;
    for (let t = 0; t < T; t++) {
      const o = sb + t * N;
      const c0 = t * K;
      const c1 = c0 + K;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let p = 0; p < P; p++) s += spikes[o + k * P + p];
        cum[c1 + k] = cum[c0 + k] + s;
      }
    }
    for (let w = 0; w < nW; w++) {
      const e = ends[w];
      let m = -Infinity;
      for (let k = 0; k < K; k++) {
        const c = cum[e * K + k] - cum[(e - W) * K + k];
        counts[w * K + k] = c;
        if (c * scale > m) m = c * scale;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(counts[w * K + k] * scale - m);
      const lse = m + Math.log(z);
      let cw = 0;
      let cr = 0;
      for (let k = 0; k < K; k++) {
        const lp = counts[w * K + k] * scale - lse;
        logp[w * K + k] = lp;
        cw -= plan.target[b * K + k] * lp;
        cr -= plan.reject[k] * lp;
      }
      ceW[w] = cw;
      ceR[w] = cr;
    }
    // Soft minimum over the competing windows and log-mean-exp over the rejecting ones.
    for (let w = 0; w < nW; w++) a[w] = -(ceW[w] + (1 - plan.windowMask[b * nW + w]) * 1e4);
    const lseMin = logSumExp(a, nW);
    const softMin = -lseMin;
    dc.fill(0, 0, nW * K);
    dceW.fill(0, 0, nW);
    dceR.fill(0, 0, nW);
    if (kw) for (let w = 0; w < nW; w++) dceW[w] += g * Math.exp(a[w] - lseMin);
    for (let w = 0; w < nW; w++) a[w] = (kw ? ceR[w] : ceW[w]) - (1 - plan.rejectMask[b * nW + w]) * 1e4;
    const lseMax = logSumExp(a, nW);
    const softMax = lseMax - Math.log(Math.max(rCount, 1));
    if (hasReject)
      for (let w = 0; w < nW; w++) {
        const pi = g * Math.exp(a[w] - lseMax);
        if (kw) dceR[w] += pi;
        else dceW[w] += pi;
      }
    ce += wb * (kw * softMin + hasReject * softMax);
    // Back through log-softmax and the scale: dlogp_k = −(dceW·target_k + dceR·reject_k).
    for (let w = 0; w < nW; w++) {
      if (dceW[w] === 0 && dceR[w] === 0) continue;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += -(dceW[w] * plan.target[b * K + k] + dceR[w] * plan.reject[k]);
      for (let k = 0; k < K; k++) {
        const dl = -(dceW[w] * plan.target[b * K + k] + dceR[w] * plan.reject[k]);
        const dz = dl - Math.exp(logp[w * K + k]) * sum;
        dc[w * K + k] = dz * scale;
        dLogScale += dz * counts[w * K + k] * scale;
      }
    }
    // Window counts back to steps: a running sum of the windows each step lies in.
    const db = dOff + b * T * N;
    for (let w = 0; w < nW; w++) {
      const e = ends[w];
      for (let t = e - W; t < e; t++) {
        const o = db + t * N;
        for (let k = 0; k < K; k++) {
          const d = dc[w * K + k];
          if (d === 0) continue;
          for (let p = 0; p < P; p++) dSpikes[o + k * P + p] += d;
        }
      }
    }
    // Silence: mean spike rate of the keyword neurons that should be quiet.
    let nQuiet = 0;
    let quiet = 0;
    const mb = b * T * K;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) {
        if (plan.silenceMask[mb + t * K + k] === 0) continue;
        nQuiet++;
        quiet += cum[(t + 1) * K + k] - cum[t * K + k];
      }
    }
    const denom = Math.max(nQuiet, 1) * P;
    silence += (wb * quiet) / denom;
    const ds = (silenceWeight * g) / denom;
    if (ds !== 0)
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < K; k++) {
          if (plan.silenceMask[mb + t * K + k] === 0) continue;
          const o = db + t * N + k * P;
          for (let p = 0; p < P; p++) dSpikes[o + p] += ds;
        }
      }
    // After the word: every output neuron quiet over the last tailQuiet steps.
    if (tailQuiet > 0) {
      let q = 0;
      for (let t = T - tailQuiet; t < T; t++) {
        const o = sb + t * N;
        for (let j = 0; j < N; j++) q += spikes[o + j];
      }
      tail += (wb * q) / (tailQuiet * N);
      const dq = (tailWeight * g) / (tailQuiet * N);
      if (dq !== 0)
        for (let t = T - tailQuiet; t < T; t++) {
          const od = db + t * N;
          for (let j = 0; j < N; j++) dSpikes[od + j] += dq;
        }
    }
    // The decision at the scored window: best for a keyword, worst for a negative.
    let scored = 0;
    let best = Infinity;
    for (let w = 0; w < nW; w++) {
      const v = (ceW[w] + (1 - plan.windowMask[b * nW + w]) * 1e4) * (kw ? 1 : -1);
      if (v < best) {
        best = v;
        scored = w;
      }
    }
    let arg = 0;
    for (let k = 1; k < K; k++) if (counts[scored * K + k] > counts[scored * K + arg]) arg = k;
    predicted[b] = arg;
  }
  ce /= wSum;
  silence /= wSum;
  tail /= wSum;
  return { ce, silence, tail, total: ce + silenceWeight * silence + tailWeight * tail, dLogScale };
}

/**
 * `topology_loss` of one `[nIn, nOut]` matrix, unnormalised: `Σ min(Σrelu(b), Σrelu(−b))` over
 * blocks of `group`; `scale ·` its gradient is added into `grad` (ties go to the positive side, as
 * tfjs' `minimum` gradient).
 * @returns the penalty sum and the number of blocks
 */
export function topologyPenaltyCpu(
  w: Float32Array,
  nIn: number,
  nOut: number,
  scale: number,
  grad: Float32Array,
  group: number,
): { sum: number; count: number } {
  let sum = 0;
  for (let i = 0; i < nIn; i++) {
    for (let s = 0; s < nOut; s += group) {
      const e = Math.min(nOut, s + group);
      let pos = 0;
      let neg = 0;
      for (let j = s; j < e; j++) {
        const v = w[i * nOut + j];
        if (v > 0) pos += v;
        else if (v < 0) neg -= v;
      }
      const posWins = pos <= neg;
      sum += posWins ? pos : neg;
      if (scale === 0) continue;
      for (let j = s; j < e; j++) {
        const v = w[i * nOut + j];
        if (posWins && v > 0) grad[i * nOut + j] += scale;
        else if (!posWins && v < 0) grad[i * nOut + j] -= scale;
      }
    }
  }
  return { sum, count: nIn * Math.ceil(nOut / group) };
}

/**
 * `weight_magnitude_loss` summand of one tensor: `Σ max(|w| − limit, 0)²`; `scale ·` its gradient
 * is added into `grad`.
 * @returns the sum
 */
export function magnitudePenaltyCpu(w: Float32Array, limit: number, scale: number, grad: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]) - limit;
    if (a <= 0) continue;
    sum += a * a;
    grad[i] += scale * 2 * a * (w[i] > 0 ? 1 : -1);
  }
  return sum;
}
