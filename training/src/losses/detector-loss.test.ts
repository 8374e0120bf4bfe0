import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectorLoss, windowCounts, windowEnds } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const val = (t: tf.Tensor): number => t.dataSync()[0];
const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};
/** Cross-entropy of `counts·scale` towards class y. */
const ce = (counts: number[], y: number, scale = 1) => logSumExp(counts.map((c) => c * scale)) - counts[y] * scale;

/** Spikes [1, T, K] from per-class lists of spike steps. */
function spikesAt(T: number, perClass: number[][]): tf.Tensor3D {
  const K = perClass.length;
  const x = new Float32Array(T * K);
  perClass.forEach((steps, k) => steps.forEach((t) => (x[t * K + k] = 1)));
  return tf.tensor3d(x, [1, T, K]);
}

describe('windowEnds / windowCounts', () => {
  it('ends every stride from the window length, always at the clip end', () => {
    expect(windowEnds(10, 4, 3)).toEqual([4, 7, 10]);
    expect(windowEnds(10, 4, 6)).toEqual([4, 10]);
    expect(windowEnds(5, 8, 1)).toEqual([5]); // window longer than the clip: the whole clip
  });

  it('counts each class in each window, summing populations', () => {
    // T = 6, class 0 spikes at 0, 1, 5; class 1 at 2, 3. Windows of 3 ending at 3 and 6.
    const s = spikesAt(6, [
      [0, 1, 5],
      [2, 3],
    ]);
    const c = windowCounts(s, 3, 3);
    expect(c.shape).toEqual([1, 2, 2]);
    expect(Array.from(c.dataSync())).toEqual([2, 1, 1, 1]);
    // Population 2: the same 2 neurons are one class.
    const p = windowCounts(s, 3, 3, 2);
    expect(Array.from(p.dataSync())).toEqual([3, 2]);
    tf.dispose([s, c, p]);
  });
});

describe('detectorLoss', () => {
  const logScale = (s: number) => tf.scalar(Math.log(s));

  it('one window as long as the clip: the clip spike-count cross-entropy', () => {
    // Counts [3, 1] over 5 steps, keyword class 1, background class 0.
    const s = spikesAt(5, [[0, 1, 2], [4]]);
    const ls = logScale(0.5);
    const r = detectorLoss({ spikes: s, labels: [1], logScale: ls }, { windowSteps: 5, strideSteps: 1, backgroundClasses: [0] });
    expect(val(r.ce)).toBeCloseTo(ce([3, 1], 1, 0.5), 5);
    expect(val(r.total)).toBeCloseTo(val(r.ce), 6); // no silence weight
    expect(Array.from(r.predicted.dataSync())).toEqual([0]);
    tf.dispose([s, ls, r.ce, r.silence, r.total, r.predicted]);
  });

  it('negatives: log-mean-exp of every window cross-entropy towards the background', () => {
    // T = 6, windows of 3 ending at 3 and 6: counts [bg, kw] = [2, 0] then [0, 2].
    const s = spikesAt(6, [
      [0, 1],
      [4, 5],
    ]);
    const ls = logScale(1);
    const r = detectorLoss({ spikes: s, labels: [0], logScale: ls }, { windowSteps: 3, strideSteps: 3, backgroundClasses: [0] });
    const c1 = ce([2, 0], 0);
    const c2 = ce([0, 2], 0);
    expect(val(r.ce)).toBeCloseTo(logSumExp([c1, c2]) - Math.log(2), 5);
    // The decision scored for a negative is its worst window (the keyword wins there).
    expect(Array.from(r.predicted.dataSync())).toEqual([1]);
    tf.dispose([s, ls, r.ce, r.silence, r.total, r.predicted]);
  });

  it('keywords: soft minimum over windows, or the window at a known keyword end', () => {
    const s = spikesAt(6, [
      [0, 1],
      [4, 5],
    ]);
    const ls = logScale(1);
    const opts = { windowSteps: 3, strideSteps: 3, backgroundClasses: [0] };
    const r = detectorLoss({ spikes: s, labels: [1], logScale: ls }, opts);
    const c1 = ce([2, 0], 1);
    const c2 = ce([0, 2], 1);
    expect(val(r.ce)).toBeCloseTo(-logSumExp([-c1, -c2]), 5);
    expect(Array.from(r.predicted.dataSync())).toEqual([1]); // the best window says the keyword
    // Keyword known to end at step 3: only the first window (which has no keyword spikes) counts.
    const e = detectorLoss({ spikes: s, labels: [1], logScale: ls, keywordEnds: [3] }, opts);
    expect(val(e.ce)).toBeCloseTo(c1, 5);
    expect(Array.from(e.predicted.dataSync())).toEqual([0]);
    tf.dispose([s, ls, r.ce, r.silence, r.total, r.predicted, e.ce, e.silence, e.total, e.predicted]);
  });

  it('a known keyword start: earlier windows must reject and the keyword neuron stay quiet there', () => {
    // T = 8, windows of 2 ending at 2, 4, 6, 8; background class 0, keyword 1 starting at step 4.
    const s = spikesAt(8, [[3], [1, 6]]);
    const ls = logScale(1);
    const r = detectorLoss(
      { spikes: s, labels: [1], logScale: ls, keywordStarts: [4] },
      { windowSteps: 2, strideSteps: 2, backgroundClasses: [0], silenceWeight: 1 },
    );
    // Competing windows (ends 6, 8): counts [0, 0] and [0, 1]; rejecting windows (ends 2, 4): [0, 1] and [1, 0].
    const softMin = -logSumExp([-ce([0, 0], 1), -ce([0, 1], 1)]);
    const softMax = logSumExp([ce([0, 1], 0), ce([1, 0], 0)]) - Math.log(2);
    expect(val(r.ce)).toBeCloseTo(softMin + softMax, 5);
    // Quiet pairs: keyword neuron 1 at steps 0..3 (one spike, at step 1).
    expect(val(r.silence)).toBeCloseTo(1 / 4, 6);
    expect(Array.from(r.predicted.dataSync())).toEqual([1]);
    tf.dispose([s, ls, r.ce, r.silence, r.total, r.predicted]);
  });

  it('trailing silence: its windows are not scored; every output neuron must be quiet over its second half', () => {
    // T = 8 of which the last 4 steps are the tail; windows of 2 ending at 2, 4, 6, 8; quiet half = steps 6, 7.
    // Class 0 background, keyword 1; spikes: background at steps 1 and 6, keyword at steps 3, 5 and 7.
    const s = spikesAt(8, [
      [1, 6],
      [3, 5, 7],
    ]);
    const ls = logScale(1);
    const opts = { windowSteps: 2, strideSteps: 2, backgroundClasses: [0], silenceWeight: 1, tailSteps: 4, tailWeight: 3 };
    const kw = detectorLoss({ spikes: s, labels: [1], logScale: ls }, opts);
    // Only windows ending at 2 and 4 compete (counts [1, 0] and [0, 1]); the tail's (6, 8) do not.
    expect(val(kw.ce)).toBeCloseTo(-logSumExp([-ce([1, 0], 1), -ce([0, 1], 1)]), 5);
    // Tail: 2 spikes (steps 6 and 7) over 2 steps x 2 neurons.
    expect(val(kw.tail)).toBeCloseTo(2 / 4, 6);
    // Keyword-silence: the keyword's own neuron is quiet in the tail's second half too (1 spike in 2 steps).
    expect(val(kw.silence)).toBeCloseTo(1 / 2, 6);
    expect(val(kw.total)).toBeCloseTo(val(kw.ce) + val(kw.silence) + 3 * val(kw.tail), 5);
    // A negative rejects in the windows before the tail only (counts [1, 0] and [0, 1]).
    const neg = detectorLoss({ spikes: s, labels: [0], logScale: ls }, opts);
    expect(val(neg.ce)).toBeCloseTo(logSumExp([ce([1, 0], 0), ce([0, 1], 0)]) - Math.log(2), 5);
    // Gradient of the tail term: tailWeight / (2 steps x 2 neurons) on every neuron in the quiet half, nothing before.
    const g = tf.grad(
      (x: tf.Tensor) => detectorLoss({ spikes: x as tf.Tensor3D, labels: [1], logScale: ls }, { ...opts, silenceWeight: 0 }).tail,
    )(s);
    const gv = g.dataSync();
    for (let t = 0; t < 8; t++)
      for (let k = 0; k < 2; k++) expect(gv[t * 2 + k], `step ${t} class ${k}`).toBeCloseTo(t >= 6 ? 1 / 4 : 0, 6);
    tf.dispose([s, ls, g, kw.ce, kw.silence, kw.tail, kw.total, kw.predicted, neg.ce, neg.silence, neg.tail, neg.total, neg.predicted]);
  });

  it('trailing silence with a known keyword start: windows before it reject, the tail is unscored', () => {
    // T = 8, last 2 steps tail; windows of 2 ending at 2, 4, 6, 8; keyword 1 starts at step 4.
    const s = spikesAt(8, [[1], [3, 5]]);
    const ls = logScale(1);
    const r = detectorLoss(
      { spikes: s, labels: [1], logScale: ls, keywordStarts: [4] },
      { windowSteps: 2, strideSteps: 2, backgroundClasses: [0], tailSteps: 2 },
    );
    // Competing: the window ending at 6 only (counts [0, 1]); rejecting: ends 2 and 4 ([1, 0], [0, 1]).
    const softMax = logSumExp([ce([1, 0], 0), ce([0, 1], 0)]) - Math.log(2);
    expect(val(r.ce)).toBeCloseTo(ce([0, 1], 1) + softMax, 5);
    tf.dispose([s, ls, r.ce, r.silence, r.tail, r.total, r.predicted]);
  });

  it('label -1 targets equal keyword outputs; weights make a weighted mean', () => {
    // Two samples, 3 classes (0 background, 1 and 2 keywords), one window of 4 steps.
    const x = new Float32Array(2 * 4 * 3);
    // Sample 0: counts [0, 2, 1]; sample 1: counts [1, 0, 3].
    const set = (b: number, t: number, k: number) => (x[(b * 4 + t) * 3 + k] = 1);
    set(0, 0, 1);
    set(0, 1, 1);
    set(0, 2, 2);
    set(1, 0, 0);
    set(1, 1, 2);
    set(1, 2, 2);
    set(1, 3, 2);
    const s = tf.tensor3d(x, [2, 4, 3]);
    const ls = logScale(1);
    const r = detectorLoss(
      { spikes: s, labels: [-1, 2], logScale: ls, weights: [3, 1] },
      { windowSteps: 4, strideSteps: 1, backgroundClasses: [0], silenceWeight: 2 },
    );
    const lse0 = logSumExp([0, 2, 1]);
    const uniform = -0.5 * (2 - lse0) - 0.5 * (1 - lse0);
    const kw = ce([1, 0, 3], 2);
    expect(val(r.ce)).toBeCloseTo((3 * uniform + kw) / 4, 5);
    // Silence: sample 0 (negative) keyword neurons 1, 2 fire 3 times in 2·4 neuron-steps; sample 1
    // (keyword 2) the other keyword neuron 1 never fires.
    expect(val(r.silence)).toBeCloseTo((3 * (3 / 8) + 0) / 4, 6);
    expect(val(r.total)).toBeCloseTo(val(r.ce) + 2 * val(r.silence), 5);
    tf.dispose([s, ls, r.ce, r.silence, r.total, r.predicted]);
  });

  it('gradients: spikes get scale·(softmax − target) inside the window; the log-scale the count margin', () => {
    const s = spikesAt(5, [[0, 1, 2], [4]]);
    const scale = 0.5;
    const ls = logScale(scale);
    const opts = { windowSteps: 3, strideSteps: 2, backgroundClasses: [0] };
    // One window when strides do not fit: windows end at 3 and 5. Use a known end to fix it at 5.
    const f = (sp: tf.Tensor, l: tf.Tensor) =>
      detectorLoss({ spikes: sp as tf.Tensor3D, labels: [1], logScale: l as tf.Scalar, keywordEnds: [5] }, opts).ce;
    const [gs, gl] = tf.grads(f)([s, ls]);
    const counts = [1, 1]; // steps 2..4: class 0 at 2, class 1 at 4
    const z = logSumExp(counts.map((c) => c * scale));
    const p = counts.map((c) => Math.exp(c * scale - z));
    const g = Array.from(gs.dataSync());
    for (let t = 0; t < 5; t++) {
      const inWindow = t >= 2;
      expect(g[t * 2]).toBeCloseTo(inWindow ? scale * p[0] : 0, 5);
      expect(g[t * 2 + 1]).toBeCloseTo(inWindow ? scale * (p[1] - 1) : 0, 5);
    }
    // dCE/dlog s = s·(Σ p_k c_k − c_y).
    expect(val(gl)).toBeCloseTo(scale * (p[0] * counts[0] + p[1] * counts[1] - counts[1]), 5);
    // Finite difference on the log-scale agrees.
    const h = 1e-3;
    const up = tf.scalar(Math.log(scale) + h);
    const dn = tf.scalar(Math.log(scale) - h);
    expect(val(gl)).toBeCloseTo((val(f(s, up)) - val(f(s, dn))) / (2 * h), 3);
    tf.dispose([s, ls, gs, gl, up, dn]);
  });

  it('silence gradient pushes only the quiet keyword neurons', () => {
    const s = spikesAt(4, [[0], [1], [2, 3]]);
    const ls = logScale(1);
    const g = tf.grad(
      (sp: tf.Tensor) =>
        detectorLoss(
          { spikes: sp as tf.Tensor3D, labels: [1], logScale: ls },
          { windowSteps: 4, strideSteps: 1, backgroundClasses: [0], silenceWeight: 1 },
        ).silence,
    )(s);
    // Keyword 1 is the target, keyword 2 must be quiet: d(mean rate)/dspike = 1/T on class 2 only.
    const d = Array.from(g.dataSync());
    for (let t = 0; t < 4; t++) expect([d[t * 3], d[t * 3 + 1], d[t * 3 + 2]]).toEqual([0, 0, 0.25]);
    tf.dispose([s, ls, g]);
  });

  it('refuses mismatched labels and out-of-range classes', () => {
    const s = spikesAt(4, [[0], [1]]);
    const ls = logScale(1);
    const opts = { windowSteps: 4, strideSteps: 1, backgroundClasses: [0] };
    expect(() => detectorLoss({ spikes: s, labels: [0, 1], logScale: ls }, opts)).toThrow(/2 labels for a batch of 1/);
    expect(() => detectorLoss({ spikes: s, labels: [2], logScale: ls }, opts)).toThrow(/label 2 out of range/);
    expect(() => detectorLoss({ spikes: s, labels: [1], logScale: ls, weights: [1, 1] }, opts)).toThrow(/2 weights/);
    tf.dispose([s, ls]);
  });
});
