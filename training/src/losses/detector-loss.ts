/**
 * The detector's own decision as a training objective. The streaming detector sums each class's
 * output spikes over a sliding window, takes the arg-max and its softmax(countScale · counts)
 * confidence, and accepts a keyword above a threshold. So:
 *   - a keyword clip is right when SOME window says its keyword (the detector fires once) ->
 *     soft minimum over windows of the window cross-entropy, or the window ending at the
 *     keyword's end when it is known (a keyword placed in a stream);
 *   - a non-keyword clip is right only when EVERY window rejects -> soft maximum over windows
 *     of the cross-entropy towards the background (or towards equal keyword outputs);
 *   - keyword neurons stay silent where no keyword is (negatives, and the other keywords'
 *     neurons on a keyword clip): an L1 penalty on their spike rate;
 *   - optionally (`tailSteps`, `tailWeight`), silence appended after each clip where every output
 *     neuron must fall quiet: a network that keeps firing after a word ends it late in a stream;
 *   - the softmax temperature is a trainable log-scale, exported as the detector's countScale,
 *     so the confidence the detector thresholds is the one the loss shaped.
 * With a window as long as the clip this is the clip cross-entropy plus the silence term.
 */
import * as tf from '@tensorflow/tfjs';

export interface DetectorLossOptions {
  /** Detector window in steps (windowS / dt); clamped to the clip length. */
  windowSteps: number;
  /** Steps between the ends of consecutive windows (the last window always ends at the clip end). */
  strideSteps: number;
  /** Output neurons per class (summed, as the runtime does). @defaultValue 1 */
  population?: number;
  /** Classes the detector never reports (background): rejected windows target them. */
  backgroundClasses: readonly number[];
  /** Weight of the keyword-silence term. @defaultValue 0 */
  silenceWeight?: number;
  /**
   * The last n steps of every sample are trailing silence appended after the clip. No window that
   * ends inside it is scored (a rejecting window of silence would demand background spikes in
   * silence, a keyword window there would reward firing on), and over its second half every keyword
   * neuron, the sample's own keyword's included, must be silent: activity must not sustain itself
   * after a word (the streaming detector ends a word when keyword neurons pause).
   * @defaultValue 0
   */
  tailSteps?: number;
  /**
   * Weight of the after-word quiet term: the mean spike rate of EVERY output neuron (background
   * included) over the second half of the trailing silence. Without it a recurrent network may
   * learn to keep firing after words (its keyword neurons never pause, so the streaming detector
   * ends the word a whole window late); the keyword-silence term alone does not stop that.
   * @defaultValue 0
   */
  tailWeight?: number;
}

export interface DetectorLossInput {
  /** Output spikes `[B, T, K·P]`. */
  spikes: tf.Tensor3D;
  /** Class per sample; -1 = a non-keyword with no class of its own (target: equal keyword outputs). */
  labels: ArrayLike<number>;
  /** Softmax temperature as a log (`countScale = exp(logScale)`); a variable to learn it. */
  logScale: tf.Scalar;
  /** Per-sample weight (class balance). @defaultValue all 1 */
  weights?: ArrayLike<number>;
  /** Keyword end step per sample (exclusive; <= 0 or absent: unknown, every window competes). */
  keywordEnds?: ArrayLike<number>;
  /**
   * Keyword start step per sample (<= 0 or absent: the keyword may start at step 0). Windows that
   * end at or before it hold only what came before the keyword (a stream's other speech): they
   * must reject, and the keyword's own neuron must stay silent there.
   */
  keywordStarts?: ArrayLike<number>;
}

export interface DetectorLossParts {
  /** Weighted mean window cross-entropy. */
  ce: tf.Scalar;
  /** Weighted mean keyword-neuron spike rate where no keyword is (before `silenceWeight`). */
  silence: tf.Scalar;
  /** Weighted mean spike rate of every output neuron over the quiet half of the trailing silence (before `tailWeight`; 0 without a tail). */
  tail: tf.Scalar;
  /** `ce + silenceWeight · silence + tailWeight · tail`. */
  total: tf.Scalar;
  /** Per-sample window class of the decision the loss scored: arg-max at the scored window `[B]`. */
  predicted: tf.Tensor1D;
}

/** Window ends (exclusive steps) for a clip of T steps: every `stride` from W, plus T. */
export function windowEnds(T: number, windowSteps: number, strideSteps: number): number[] {
  const W = Math.min(Math.max(1, Math.round(windowSteps)), T);
  const s = Math.max(1, Math.round(strideSteps));
  const ends: number[] = [];
  for (let e = W; e < T; e += s) ends.push(e);
  ends.push(T);
  return ends;
}

/** Class spike counts in every window `[B, nW, K]`, summing populations. */
export function windowCounts(spikes: tf.Tensor3D, windowSteps: number, strideSteps: number, population = 1): tf.Tensor3D {
  const [B, T, N] = spikes.shape;
  const K = N / population;
  if (!Number.isInteger(K)) throw new RangeError(`windowCounts: ${N} output neurons are not a multiple of population ${population}`);
  const W = Math.min(Math.max(1, Math.round(windowSteps)), T);
  const ends = windowEnds(T, W, strideSteps);
  const A = new Float32Array(T * ends.length);
  ends.forEach((e, w) => {
    for (let t = e - W; t < e; t++) A[t * ends.length + w] = 1;
  });
  return tf.tidy(() => {
    const perClass = population === 1 ? spikes : (tf.sum(tf.reshape(spikes, [B, T, K, population]), 3) as tf.Tensor3D);
    // [B, K, T] @ [T, nW] -> [B, K, nW] -> [B, nW, K]
    const bkT = tf.reshape(tf.transpose(perClass, [0, 2, 1]), [B * K, T]);
    const c = tf.matMul(bkT, tf.tensor2d(A, [T, ends.length]));
    return tf.transpose(tf.reshape(c, [B, K, ends.length]), [0, 2, 1]) as tf.Tensor3D;
  });
}

/**
 * Host-side targets and masks of the detector objective for one batch (no tensors): shared by
 * {@link detectorLoss} and the fused training step's typed-array loss.
 */
export interface DetectorPlan {
  B: number;
  T: number;
  /** Classes and output neurons per class (`N = K·P`). */
  K: number;
  P: number;
  /** Window length (steps) and window ends (exclusive). */
  W: number;
  ends: number[];
  /** What a rejecting window aims at `[K]`. */
  reject: Float32Array;
  /** Target distribution per sample `[B, K]`. */
  target: Float32Array;
  /** 1 for a keyword sample `[B]`. */
  isKw: Float32Array;
  /** Windows competing for the detection `[B, nW]`. */
  windowMask: Float32Array;
  /** Windows that must reject `[B, nW]`, and how many per sample `[B]`. */
  rejectMask: Float32Array;
  rCount: Float32Array;
  /** (step, class) pairs whose keyword neurons should be quiet `[B, T, K]`. */
  silenceMask: Float32Array;
  /** Per-sample weights `[B]`. */
  weights: Float32Array;
  /** Last steps of every sample where every output neuron should be quiet (second half of the trailing silence; 0 = none). */
  tailQuiet: number;
}

/**
 * Builds the {@link DetectorPlan} of a batch.
 * @param shape - output spikes shape `[B, T, K·P]`
 * @throws RangeError when labels/weights/ends do not match the batch or a label is out of range
 */
export function detectorPlan(
  shape: readonly [number, number, number],
  input: Omit<DetectorLossInput, 'spikes' | 'logScale'>,
  opts: DetectorLossOptions,
): DetectorPlan {
  const { labels } = input;
  const P = opts.population ?? 1;
  const [B, T, N] = shape;
  const K = N / P;
  if (!Number.isInteger(K)) throw new RangeError(`detectorLoss: ${N} output neurons are not a multiple of population ${P}`);
  if (labels.length !== B) throw new RangeError(`detectorLoss: ${labels.length} labels for a batch of ${B}`);
  if (input.weights && input.weights.length !== B)
    throw new RangeError(`detectorLoss: ${input.weights.length} weights for a batch of ${B}`);
  if (input.keywordEnds && input.keywordEnds.length !== B)
    throw new RangeError(`detectorLoss: ${input.keywordEnds.length} keyword ends for a batch of ${B}`);
  if (input.keywordStarts && input.keywordStarts.length !== B)
    throw new RangeError(`detectorLoss: ${input.keywordStarts.length} keyword starts for a batch of ${B}`);
  const bg = new Set(opts.backgroundClasses);
  const W = Math.min(Math.max(1, Math.round(opts.windowSteps)), T);
  const ends = windowEnds(T, W, opts.strideSteps);
  const nW = ends.length;
  const keywordClasses = Array.from({ length: K }, (_, k) => k).filter((k) => !bg.has(k));
  // What a window that must reject aims at: the background class(es), else equal keyword outputs.
  const reject = new Float32Array(K);
  if (bg.size) for (const k of bg) reject[k] = 1 / bg.size;
  else reject.fill(1 / K);
  // Host-side targets: per sample a target distribution, whether it is a keyword, which windows
  // compete for the detection (a known keyword end picks the window ending there) and which must
  // reject (before a known keyword start; every window of a negative).
  const target = new Float32Array(B * K);
  const isKw = new Float32Array(B);
  const windowMask = new Float32Array(B * nW).fill(1);
  const rejectMask = new Float32Array(B * nW);
  const silenceMask = new Float32Array(B * T * K); // (step, keyword neuron) pairs that should be quiet
  for (let b = 0; b < B; b++) {
    const y = labels[b];
    if (!Number.isInteger(y) || y < -1 || y >= K) throw new RangeError(`detectorLoss: label ${y} out of range for ${K} classes`);
    const keyword = y >= 0 && !bg.has(y);
    isKw[b] = keyword ? 1 : 0;
    if (y >= 0) target[b * K + y] = 1;
    else if (keywordClasses.length) for (const k of keywordClasses) target[b * K + k] = 1 / keywordClasses.length;
    else target.fill(1 / K, b * K, (b + 1) * K);
    const start = keyword ? Math.min(Math.max(0, Math.round(input.keywordStarts?.[b] ?? 0)), T - 1) : 0;
    const tail = Math.max(0, Math.round(opts.tailSteps ?? 0));
    const quietFrom = T - Math.floor(tail / 2);
    for (let t = 0; t < T; t++)
      for (const k of keywordClasses) if (k !== y || t < start || t >= quietFrom) silenceMask[(b * T + t) * K + k] = 1;
    if (!keyword) rejectMask.fill(1, b * nW, (b + 1) * nW);
    else if (start > 0)
      for (let w = 0; w < nW; w++)
        if (ends[w] <= start) {
          rejectMask[b * nW + w] = 1;
          windowMask[b * nW + w] = 0;
        }
    // No window that ends inside the trailing silence is scored either way.
    if (tail > 0)
      for (let w = 0; w < nW; w++)
        if (ends[w] > T - tail) {
          windowMask[b * nW + w] = 0;
          rejectMask[b * nW + w] = 0;
        }
    const end = input.keywordEnds?.[b] ?? 0;
    if (keyword && end > 0) {
      // The window whose end is nearest the keyword's end (at or after it if possible).
      let best = nW - 1;
      for (let w = 0; w < nW; w++)
        if (ends[w] >= Math.min(end, T)) {
          best = w;
          break;
        }
      windowMask.fill(0, b * nW, (b + 1) * nW);
      windowMask[b * nW + best] = 1;
    }
  }

  const weights = input.weights ? Float32Array.from(input.weights) : new Float32Array(B).fill(1);
  const rCount = new Float32Array(B);
  for (let b = 0; b < B; b++) for (let w = 0; w < nW; w++) rCount[b] += rejectMask[b * nW + w];
  const tailQuiet = Math.floor(Math.max(0, Math.round(opts.tailSteps ?? 0)) / 2);
  return { B, T, K, P, W, ends, reject, target, isKw, windowMask, rejectMask, rCount, silenceMask, weights, tailQuiet };
}

/**
 * The detector objective (see the module comment).
 * @throws RangeError when labels/weights/ends do not match the batch or a label is out of range
 */
export function detectorLoss(input: DetectorLossInput, opts: DetectorLossOptions): DetectorLossParts {
  const { spikes, logScale } = input;
  const plan = detectorPlan(spikes.shape, input, opts);
  const { B, T, K, P, W, ends, reject, target, isKw, windowMask, rejectMask, rCount, silenceMask, weights, tailQuiet } = plan;
  const nW = ends.length;

  return tf.tidy(() => {
    const counts = windowCounts(spikes, W, opts.strideSteps, P); // [B, nW, K]
    const logits = tf.mul(counts, tf.exp(logScale));
    const logp = tf.logSoftmax(logits); // over K
    const ceW = tf.neg(tf.sum(tf.mul(logp, tf.reshape(tf.tensor2d(target, [B, K]), [B, 1, K])), 2)); // [B, nW]
    const ceR = tf.neg(tf.sum(tf.mul(logp, tf.reshape(tf.tensor1d(reject), [1, 1, K])), 2)); // [B, nW]
    // Windows outside a mask get a large offset so that they drop out of the soft minimum / maximum.
    const mask = tf.tensor2d(windowMask, [B, nW]);
    const big = tf.mul(tf.sub(1, mask), 1e4);
    const rMask = tf.tensor2d(rejectMask, [B, nW]);
    // Soft minimum over the competing windows (-logsumexp(-ce): one window right is enough, as
    // for the detector) and soft maximum over the windows that must reject (log-mean-exp, between
    // the mean and the worst window). With one window both are that window's CE.
    const softMin = tf.neg(tf.logSumExp(tf.neg(tf.add(ceW, big)), 1));
    // A keyword sample's reject windows aim at the background; a negative keeps its own target
    // (its background class, or equal keyword outputs for label -1).
    const kwCol = tf.reshape(tf.tensor1d(isKw), [B, 1]);
    const rejectCe = tf.add(tf.mul(kwCol, ceR), tf.mul(tf.sub(1, kwCol), ceW));
    const softMax = tf.sub(tf.logSumExp(tf.sub(rejectCe, tf.mul(tf.sub(1, rMask), 1e4)), 1), tf.log(tf.maximum(tf.tensor1d(rCount), 1)));
    const kw = tf.tensor1d(isKw);
    const hasReject = tf.tensor1d(rCount.map((c) => (c > 0 ? 1 : 0)));
    const perSample = tf.add(tf.mul(kw, softMin), tf.mul(hasReject, softMax));
    const w = tf.tensor1d(weights);
    const wSum = tf.maximum(tf.sum(w), 1e-12);
    const ce = tf.div(tf.sum(tf.mul(w, perSample)), wSum) as tf.Scalar;
    // Silence: mean spike rate (per step) of the keyword neurons that should be quiet.
    const perClass = P === 1 ? spikes : (tf.sum(tf.reshape(spikes, [B, T, K, P]), 3) as tf.Tensor3D);
    const sMask = tf.tensor3d(silenceMask, [B, T, K]);
    const nQuiet = tf.maximum(tf.sum(sMask, [1, 2]), 1);
    const silencePer = tf.div(tf.div(tf.sum(tf.mul(perClass, sMask), [1, 2]), nQuiet), P);
    const silence = tf.div(tf.sum(tf.mul(w, silencePer)), wSum) as tf.Scalar;
    // After the word: every output neuron's mean rate over the quiet half of the trailing silence.
    const N = K * P;
    const tail = (
      tailQuiet > 0
        ? tf.div(tf.sum(tf.mul(w, tf.mean(tf.slice(spikes, [0, T - tailQuiet, 0], [B, tailQuiet, N]), [1, 2]))), wSum)
        : tf.scalar(0)
    ) as tf.Scalar;
    const total = tf.addN([ce, tf.mul(silence, opts.silenceWeight ?? 0), tf.mul(tail, opts.tailWeight ?? 0)]) as tf.Scalar;
    // Decision at the scored window: the best window for keywords, the worst for negatives.
    const scored = tf.argMin(tf.mul(tf.add(ceW, big), tf.reshape(tf.sub(tf.mul(kw, 2), 1), [B, 1])), 1);
    const picked = nW === 1 ? tf.squeeze(logits, [1]) : tf.sum(tf.mul(logits, tf.expandDims(tf.oneHot(scored, nW), 2)), 1);
    const predicted = tf.argMax(picked, 1) as tf.Tensor1D;
    return { ce, silence, tail, total, predicted };
  });
}
