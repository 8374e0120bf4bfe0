/**
 * `hwNetworkScan`: the fused {@link HwNetworkScan} op. The whole network (diagonal frontend or
 * dense input synapse, dense synapses, in-core recurrence, LIF) runs as ONE tape node per
 * forward and one typed-array BPTT per backward (`cpu/HwNetworkScan.ts`), over worker threads
 * (`net-pool.ts`). It still returns one tfjs spike tensor per layer, with gradients, so any loss
 * written in tfjs composes with it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Surrogate } from '../surrogates/surrogates.js';
import { afterReset, type KernelReset } from './cpu/HwLayerScan.js';
import { netLayout, transposeWeights, type NetLayout } from './cpu/HwNetworkScan.js';
import { HwNetworkScan } from './kernel-names.js';
import { netArenas, runNetBackward, runNetForward } from './net-pool.js';

/** One layer of {@link hwNetworkScan}. */
export interface NetScanLayer {
  /** Effective input weights: `[C]` for a diagonal first layer, else `[N_in, N]`. */
  w: tf.Tensor;
  /** Effective recurrent weights `[N, N]` (row = presynaptic at t−1), or null. */
  wRec: tf.Tensor | null;
  /** Per-neuron decay; a tensor with `learnBeta` receives a gradient. */
  beta: Float32Array | tf.Tensor;
  /** Differentiate wrt `beta` (learnable τ). */
  learnBeta: boolean;
  theta: number;
  /** The chip's reset. */
  reset: KernelReset;
  surrogate: Surrogate;
}

/** Result of {@link hwNetworkScan}. */
export interface NetScanResult {
  /** Spikes per layer `[B, T, N_l]`, differentiable. */
  spikes: tf.Tensor3D[];
  /** Membranes after reset per layer (no gradient), when asked. */
  mems: tf.Tensor3D[] | null;
}

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

function surrogateCode(s: Surrogate): [number, number] {
  if (s.name === 'fast_sigmoid') return [0, s.params.slope];
  if (s.name === 'atan') return [1, s.params.alpha];
  return [2, s.params.slope];
}

/**
 * Runs a whole network over a sequence as one op.
 * @param x - features `[B, T, C]`
 * @param layers - layers in order
 * @param opts - `inputDiag`: the first synapse is the diagonal Frontend; `returnMem`
 * @returns spikes of every layer (and membranes after reset if asked)
 * @throws RangeError if shapes do not chain
 */
export function hwNetworkScan(
  x: tf.Tensor3D,
  layers: readonly NetScanLayer[],
  opts: { inputDiag: boolean; returnMem?: boolean },
): NetScanResult {
  const [B, T, C] = x.shape;
  const sizes: number[] = layers.map((l, i) => (i === 0 && opts.inputDiag ? C : (l.w.shape as number[])[1]));
  layers.forEach((l, i) => {
    const nIn = i === 0 ? C : sizes[i - 1];
    const ok = i === 0 && opts.inputDiag ? l.w.size === C : l.w.rank === 2 && l.w.shape[0] === nIn;
    if (!ok) throw new RangeError(`${HwNetworkScan}: layer ${i} weights [${l.w.shape}] do not take ${nIn} inputs`);
    if (l.wRec && (l.wRec.shape[0] !== sizes[i] || l.wRec.shape[1] !== sizes[i])) {
      throw new RangeError(`${HwNetworkScan}: layer ${i} recurrent weights [${l.wRec.shape}] are not ${sizes[i]}x${sizes[i]}`);
    }
  });
  const sur = layers.map((l) => surrogateCode(l.surrogate));
  const lay: NetLayout = netLayout({
    B,
    T,
    C,
    inputDiag: opts.inputDiag,
    sizes,
    rec: layers.map((l) => l.wRec !== null),
    learnBeta: layers.map((l) => l.learnBeta && l.beta instanceof tf.Tensor),
    theta: layers.map((l) => l.theta),
    subtractive: layers.map((l) => l.reset.subtractive),
    ceiling: layers.map((l) => l.reset.ceiling),
    surKind: sur.map((s) => s[0]),
    surParam: sur.map((s) => s[1]),
  });
  const recIdx = layers.flatMap((l, i) => (l.wRec ? [i] : []));
  const betaIdx = layers.flatMap((l, i) => (lay.learnBeta[i] ? [i] : []));
  const inputs: tf.Tensor[] = [
    x,
    ...layers.map((l) => l.w),
    ...recIdx.map((i) => layers[i].wRec as tf.Tensor),
    ...betaIdx.map((i) => layers[i].beta as tf.Tensor),
  ];
  const fixedBeta = layers.map((l) => (l.beta instanceof tf.Tensor ? null : l.beta));
  let saved: { spikes: Float32Array; vPre: Float32Array } | null = null;
  const spikesStart = lay.sOff[0];
  const spikesLen = lay.vOff[0] - spikesStart; // spikes blocks are contiguous
  const vStart = lay.vOff[0];

  const op = tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    const xs = f32(ts[0]);
    const ws = layers.map((_, i) => f32(ts[1 + i]));
    const recs = recIdx.map((_, j) => f32(ts[1 + layers.length + j]));
    const betas = layers.map((_, i) => {
      const j = betaIdx.indexOf(i);
      if (j >= 0) return f32(ts[1 + layers.length + recIdx.length + j]);
      return fixedBeta[i] ?? f32(layers[i].beta as tf.Tensor);
    });
    const load = (F: Float32Array): void => {
      F.set(xs, lay.xOff);
      ws.forEach((w, i) => F.set(w, lay.wOff[i]));
      recs.forEach((r, j) => F.set(r, lay.recOff[recIdx[j]]));
      betas.forEach((b, i) => F.set(b, lay.betaOff[i]));
    };
    const { F } = netArenas(lay);
    load(F);
    runNetForward(lay);
    const spikes = F.slice(spikesStart, spikesStart + spikesLen);
    const vPre = F.slice(vStart, vStart + spikesLen);
    saved = { spikes, vPre };
    const mine = saved;
    return {
      value: tf.tensor1d(spikes, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const { F: F2, G } = netArenas(lay);
        load(F2);
        F2.set(mine.spikes, spikesStart);
        F2.set(mine.vPre, vStart);
        F2.set(f32(dy), lay.dyOff[0]);
        transposeWeights(lay, F2);
        runNetBackward(lay);
        // Fixed-order sum over samples: identical whatever the thread count.
        const reduce = (off: number, n: number): Float32Array => {
          const acc = new Float64Array(n);
          for (let b = 0; b < B; b++) {
            const base = b * lay.P + off;
            for (let i = 0; i < n; i++) acc[i] += G[base + i];
          }
          return Float32Array.from(acc);
        };
        const grads: tf.Tensor[] = [tf.tensor3d(F2.slice(lay.dxOff, lay.dxOff + B * T * C), [B, T, C], 'float32')];
        layers.forEach((l, i) => grads.push(tf.tensor(reduce(lay.gwOff[i], l.w.size), l.w.shape, 'float32')));
        for (const i of recIdx) grads.push(tf.tensor(reduce(lay.grecOff[i], sizes[i] * sizes[i]), [sizes[i], sizes[i]], 'float32'));
        for (const i of betaIdx) grads.push(tf.tensor(reduce(lay.gbetaOff[i], sizes[i]), (layers[i].beta as tf.Tensor).shape, 'float32'));
        return grads;
      },
    };
  });
  const flat = op(...inputs) as tf.Tensor1D;
  const parts =
    sizes.length === 1
      ? [flat]
      : tf.split(
          flat,
          sizes.map((n) => B * T * n),
        );
  if (sizes.length > 1) flat.dispose();
  const spikes = parts.map((p, i) => {
    const r = tf.reshape(p, [B, T, sizes[i]]) as tf.Tensor3D;
    p.dispose();
    return r;
  });
  let mems: tf.Tensor3D[] | null = null;
  if (opts.returnMem && saved) {
    const v = (saved as { vPre: Float32Array }).vPre;
    let o = 0;
    mems = sizes.map((n, l) => {
      const len = B * T * n;
      const m = new Float32Array(len);
      const { theta, reset } = layers[l];
      for (let i = 0; i < len; i++) m[i] = afterReset(v[o + i], theta, reset);
      o += len;
      return tf.tensor3d(m, [B, T, n], 'float32');
    });
  }
  return { spikes, mems };
}
