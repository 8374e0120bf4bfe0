import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { StreamingResampler, resample } from './resample.js';
import type { AudioChunk } from './samples.js';

const sine = (f: number, fs: number, n: number, amp = 0.8) =>
  Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / fs));

function noise(n: number, seed = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    x[i] = (seed / 2 ** 32 - 0.5) * 0.5;
  }
  return x;
}

/** Streams `x` with chunk sizes from `sizes`, then flushes; returns the concatenated output. */
function streamed(r: StreamingResampler, x: AudioChunk, sizes: (k: number) => number): Float64Array {
  const parts: number[] = [];
  for (let pos = 0, k = 0; pos < x.length; k++) {
    const n = sizes(k);
    parts.push(...r.push(x.subarray(pos, pos + n)));
    pos += n;
  }
  parts.push(...r.flush());
  return Float64Array.from(parts);
}

function expectBitIdentical(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  expect(ua.findIndex((v, i) => v !== ub[i])).toBe(-1);
}

const PAIRS: [number, number][] = [
  [48000, 16000],
  [44100, 16000],
  [22050, 16000],
  [32000, 16000],
  [11025, 16000],
  [8000, 16000],
  [16000, 48000],
  [16000, 44100],
];

describe('StreamingResampler', () => {
  for (const [from, to] of PAIRS) {
    it(`${from} → ${to}: 1-sample chunks, random chunks and the whole clip are bit-identical`, () => {
      const x = noise(Math.round(from * 0.75) + 7);
      const r = new StreamingResampler(from, to);
      const whole = resample(x, from, to);
      expect(whole.length).toBe(Math.round((x.length * to) / from));
      expectBitIdentical(
        streamed(r, x, () => 1),
        whole,
      ); // flush() also resets r
      let seed = 99;
      const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
      expectBitIdentical(
        streamed(r, x, () => Math.floor(rnd() * 700)),
        whole,
      );
      // Small chunks, then ones larger than the history buffer (forces it to grow mid-stream).
      expectBitIdentical(
        streamed(r, x, (k) => [1, 5000, 7, 20000, 300][k % 5]),
        whole,
      );
    });
  }

  const SINE_TOL = 2e-4;
  for (const [from, to] of [
    [48000, 16000],
    [44100, 16000],
    [22050, 16000],
    [16000, 48000],
  ] as const) {
    it(`${from} → ${to}: a 1 kHz sine matches the sine generated at ${to} Hz (max abs err < ${SINE_TOL} after the edges)`, () => {
      const y = resample(sine(1000, from, from), from, to);
      const ref = sine(1000, to, to);
      expect(y.length).toBe(ref.length);
      const edge = 64; // > half the filter span in output samples
      let maxErr = 0;
      for (let i = edge; i < y.length - edge; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - ref[i]));
      console.log(`${from} → ${to} 1 kHz sine: max abs err ${maxErr.toExponential(2)}`);
      expect(maxErr).toBeLessThan(SINE_TOL);
    });
  }

  it('has DC gain 1 (within 1e-12) in every phase, after the start-up edge', () => {
    for (const [from, to] of PAIRS) {
      const y = resample(new Float64Array(from).fill(0.5), from, to);
      let maxErr = 0;
      for (let i = 100; i < y.length - 100; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - 0.5));
      expect(maxErr).toBeLessThan(1e-12);
    }
  });

  it('gives round(n · to / from) samples for short and odd lengths, and handles empty input', () => {
    for (const n of [0, 1, 2, 3, 5, 99, 441, 1001]) {
      expect(resample(noise(n), 44100, 16000).length).toBe(Math.round((n * 16000) / 44100));
      expect(resample(noise(n), 16000, 48000).length).toBe(n * 3);
    }
    const r = new StreamingResampler(48000, 16000);
    expect(r.push(new Float32Array(0)).length).toBe(0);
    expect(r.flush().length).toBe(0);
  });

  it('passes audio through unchanged when the rates are equal; scales Int16 by 1/32768', () => {
    const x = noise(1000);
    expectBitIdentical(resample(x, 16000, 16000), Float64Array.from(x));
    const r = new StreamingResampler(16000, 16000);
    expect(r.latencyInputSamples).toBe(0);
    expect(Array.from(r.push(Int16Array.from([16384, -32768])))).toEqual([0.5, -1]);
    const i16 = Int16Array.from(x, (v) => Math.round(v * 32767));
    expectBitIdentical(
      resample(i16, 48000, 16000),
      resample(
        Float64Array.from(i16, (v) => v / 32768),
        48000,
        16000,
      ),
    );
  });

  it('reduces L/M by the gcd and rejects bad rates', () => {
    const r = new StreamingResampler(44100, 16000);
    expect([r.up, r.down]).toEqual([160, 441]);
    expect(() => new StreamingResampler(44100.5, 16000)).toThrow(InvalidArgumentError);
    expect(() => new StreamingResampler(0, 16000)).toThrow(InvalidArgumentError);
    expect(() => new StreamingResampler(48000, 16000, { cutoff: 1.5 })).toThrow(InvalidArgumentError);
  });
});
