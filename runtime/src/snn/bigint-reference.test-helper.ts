/**
 * Independent BigInt transcription of the documented integer rule (README "Fixed-point
 * arithmetic"), for the bit-exactness tests: per-neuron thresholds θ_i, the chip's reset (zero, or
 * v − θ_i capped at the membrane ceiling), in-core recurrence. Slow and obvious on purpose.
 */
import type { FixedPointModel } from './fixed-point-format.js';

export function bigIntReference(model: FixedPointModel, frames: ArrayLike<number>[]) {
  const L = BigInt(model.leakFracBits);
  const F = BigInt(model.inputFracBits);
  const ceiling = BigInt(model.membraneCeilingInt);
  const subtract = model.reset === 'subtractive-clamped';
  const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const v = model.layers.map((l) => new Array<bigint>(l.size).fill(0n));
  let lastSpikes = model.layers.map((l) => new Array<number>(l.size).fill(0));
  const out: number[][][] = [];
  for (const x of frames) {
    const stepSpikes: number[][] = [];
    let prev: number[] = [];
    model.layers.forEach((l, li) => {
      const s = new Array<number>(l.size).fill(0);
      for (let i = 0; i < l.size; i++) {
        let cur = 0n;
        if (li === 0) {
          const xi = x[i] > 0 ? BigInt(Math.min(Math.floor(x[i] * 2 ** Number(F) + 0.5), 2 ** 30)) : 0n;
          cur = F > 0n ? floorDiv(xi * BigInt(l.weights[i]) + (1n << (F - 1n)), 1n << F) : xi * BigInt(l.weights[i]);
        } else {
          for (let j = 0; j < l.inputs; j++) if (prev[j]) cur += BigInt(l.weights[j * l.size + i]);
          // In-core recurrence: this layer's own spikes of the previous step.
          const rec = l.recurrentWeights;
          if (rec) for (let k = 0; k < l.size; k++) if (lastSpikes[li][k]) cur += BigInt(rec[k * l.size + i]);
        }
        let vv = floorDiv(v[li][i] * BigInt(l.leak[i]) + (1n << (L - 1n)), 1n << L) + cur;
        if (vv < 0n) vv = 0n;
        const theta = BigInt(l.thresholds[i]);
        if (vv >= theta) {
          s[i] = 1;
          const rest = vv - theta;
          v[li][i] = subtract ? (rest < ceiling ? rest : ceiling) : 0n;
        } else v[li][i] = vv;
      }
      stepSpikes.push(s);
      prev = s;
    });
    out.push(stepSpikes);
    lastSpikes = stepSpikes;
  }
  return { spikes: out, membranes: v.map((a) => a.map(Number)) };
}
