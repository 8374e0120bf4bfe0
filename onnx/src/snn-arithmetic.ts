/**
 * One time step of `FixedPointNetwork.step` as ONNX ops, in either of two exact encodings:
 *
 * - `float64` (default): integers carried in float64, the runtime's own representation. Each
 *   node is the runtime's IEEE-754 operation in the runtime's order, e.g. the leak is
 *   Floor(Mul(Add(Mul(v, B), 2^(L-1)), 2^-L)) for `Math.floor((v*b + half) * inv)`, so results are
 *   bit-identical by construction, even where a product passes 2^53 and rounds. Fastest in
 *   onnxruntime-web (vectorised float64 kernels, no int64 division).
 * - `int64`: exact integer arithmetic for integer-only toolchains. ONNX integer `Div` truncates
 *   toward zero, so the frontend numerator (negative for negative weights) is first shifted by
 *   K = 2^53 (a multiple of 2^F, > |x·W| <= 2^30·2^22); the leak numerator is >= 0 already. The
 *   leak product v·B stays below θ_int·2^L < 2^53 (`compileFixedPoint` refuses anything else), so
 *   the runtime's float64 leak never rounds and exact int64 repeats it.
 */
import type { FixedPointLayer, FixedPointModel } from '@nwave/runtime';
import type { GraphBuilder } from './graph-builder.js';
import { DataType, type DataTypeCode } from './onnx-proto.js';

/** How the graph encodes the fixed-point integers. */
export type ArithmeticMode = 'float64' | 'int64';

/** Element type of state and constants for a mode. */
export function elemType(mode: ArithmeticMode): DataTypeCode {
  return mode === 'float64' ? DataType.DOUBLE : DataType.INT64;
}

/** Adds a constant of the mode's type. */
export function constant(g: GraphBuilder, mode: ArithmeticMode, prefix: string, dims: number[], values: ArrayLike<number>): string {
  return mode === 'float64' ? g.double(prefix, dims, values) : g.int64(prefix, dims, values);
}

/** Leak of one layer: floor((v·B + 2^(L-1)) / 2^L), v and B >= 0. */
export function leak(g: GraphBuilder, mode: ArithmeticMode, model: FixedPointModel, layer: FixedPointLayer, v: string, li: number): string {
  const L = model.leakFracBits;
  if (mode === 'float64') {
    // Math.floor((v*B + 2^(L-1)) * 2^-L), the runtime's float64 operations in its order.
    const vb = g.node('Mul', [v, g.double(`leak_${li}`, [layer.size], layer.leak)]);
    const scaled = g.node('Mul', [
      g.node('Add', [vb, g.double(`leak_half_${li}`, [], [2 ** (L - 1)])]),
      g.double(`leak_inv_${li}`, [], [2 ** -L]),
    ]);
    return g.node('Floor', [scaled]);
  }
  const vb = g.node('Mul', [v, g.int64(`leak_${li}`, [layer.size], layer.leak)]);
  return g.node('Div', [g.node('Add', [vb, g.int64(`leak_half_${li}`, [], [2 ** (L - 1)])]), g.int64(`leak_div_${li}`, [], [2 ** L])]);
}

/** Frontend current: floor((x·W + 2^(F-1)) / 2^F) (the runtime: Math.floor((x*w + half) * inv)). */
export function frontendCurrent(g: GraphBuilder, mode: ArithmeticMode, model: FixedPointModel, x: string): string {
  const F = model.inputFracBits;
  const l = model.layers[0];
  const xw = g.node('Mul', [x, constant(g, mode, 'w_frontend', [l.size], l.weights)]);
  if (F === 0) return xw; // half = 0, inv = 1: the runtime's floor((x*w + 0) * 1) is the integer x*w
  if (mode === 'float64') {
    const sum = g.node('Add', [xw, g.double('frontend_half', [], [2 ** (F - 1)])]);
    return g.node('Floor', [g.node('Mul', [sum, g.double('frontend_inv', [], [2 ** -F])])]);
  }
  const shift = 2n ** 53n;
  const shifted = g.node('Add', [xw, g.int64('frontend_round_shift', [], [2n ** BigInt(F - 1) + shift])]);
  return g.node('Sub', [
    g.node('Div', [shifted, g.int64('frontend_div', [], [2 ** F])]),
    g.int64('frontend_unshift', [], [shift / 2n ** BigInt(F)]),
  ]);
}

/**
 * Dense current: Σ rows of the inputs that spiked = spikes (0/1) · W, plus for a recurrent layer
 * its own spikes of the previous step · W_rec. All partial sums are integers < 2^31
 * (`currentsFitInt32`), so float64 and int64 are exact in any summation order.
 */
export function denseCurrent(
  g: GraphBuilder,
  mode: ArithmeticMode,
  layer: FixedPointLayer,
  spikes: string,
  prevOwnSpikes?: string,
): string {
  const ff = g.node('MatMul', [spikes, constant(g, mode, `w_${layer.name}`, [layer.inputs, layer.size], layer.weights)]);
  if (prevOwnSpikes === undefined || !layer.recurrentWeights) return ff;
  const rec = g.node('MatMul', [prevOwnSpikes, constant(g, mode, `w_rec_${layer.name}`, [layer.size, layer.size], layer.recurrentWeights)]);
  return g.node('Add', [ff, rec]);
}

/**
 * Fire and reset with per-neuron thresholds θ_i (a [size] constant): s = u >= θ_i, then the
 * chip's reset: zero, v' = s ? 0 : u; or subtractive, v' = s ? Min(u − θ_i, C) : u. Returns spikes
 * as 0/1 in the mode's type (for the next layer's MatMul and the counts) and the new membrane,
 * named `vOut`.
 */
export function fireAndReset(
  g: GraphBuilder,
  mode: ArithmeticMode,
  model: FixedPointModel,
  layer: FixedPointLayer,
  li: number,
  u: string,
  zero: string,
  vOut: string,
): { spikes: string; v: string } {
  const theta = thresholdConstant(g, mode, layer, li);
  const fired = g.node('GreaterOrEqual', [u, theta]);
  const spikes = g.node('Cast', [fired], { to: elemType(mode) });
  if (model.reset === 'subtractive-clamped') {
    // u − s·θ_i is exact in both encodings (integers < 2^53, s is 0 or 1); it is >= 0 where s = 1.
    const rest = g.node('Sub', [u, g.node('Mul', [spikes, theta])]);
    const ceiling = constant(g, mode, `ceiling_${li}`, [], [model.membraneCeilingInt]);
    // Min only caps neurons that fired: u < θ_i <= C where s = 0.
    return { spikes, v: g.node('Min', [rest, ceiling], {}, vOut) };
  }
  // float64: u - u·s is exact (s is 0 or 1) and much faster than Where on doubles in ORT's WASM build.
  const v = mode === 'float64' ? g.node('Sub', [u, g.node('Mul', [u, spikes])], {}, vOut) : g.node('Where', [fired, zero, u], {}, vOut);
  return { spikes, v };
}

/** θ_i of a layer: one scalar when every neuron shares it (a nominal chip), else a [size] vector. */
function thresholdConstant(g: GraphBuilder, mode: ArithmeticMode, layer: FixedPointLayer, li: number): string {
  const t = layer.thresholds;
  const uniform = t.every((x) => x === t[0]);
  return uniform ? constant(g, mode, `theta_${li}`, [], [t[0]]) : constant(g, mode, `theta_${li}`, [layer.size], t);
}
