/**
 * Shared sample types and conversions for the DSP modules.
 *
 * Every stage works in float64 with waveforms in [-1, 1). Int16 input is scaled by 1/32768,
 * which is a power of two, so the conversion is exact and the same whatever the chunking.
 */
import { InvalidArgumentError } from '../errors.js';

/** One block of mono audio: float samples in [-1, 1), or raw int16 PCM (scaled by 1/32768). */
export type AudioChunk = Float32Array | Float64Array | Int16Array;

/** Scale from int16 PCM to [-1, 1). */
export const INT16_SCALE = 1 / 32768;

/**
 * Returns `buf` if it holds at least `n` values, else a new, larger, ZEROED Float64Array (the
 * contents are not copied: for scratch and output buffers only).
 * Grows geometrically so that a stream of slowly growing chunks does not reallocate every time.
 */
export function ensureCapacity(buf: Float64Array, n: number): Float64Array {
  if (buf.length >= n) return buf;
  return new Float64Array(Math.max(n, buf.length * 2, 256));
}

/**
 * Writes `src` as float64 into `dst` starting at `offset` (Int16 scaled by 1/32768).
 * `dst` must have room for `offset + src.length` values.
 */
export function writeFloat64(src: AudioChunk, dst: Float64Array, offset: number): void {
  const n = src.length;
  if (src instanceof Int16Array) {
    for (let i = 0; i < n; i++) dst[offset + i] = src[i] * INT16_SCALE;
  } else {
    dst.set(src, offset);
  }
}

/** Copies a chunk into a fresh Float64Array (Int16 scaled by 1/32768). */
export function toFloat64(src: AudioChunk): Float64Array {
  const out = new Float64Array(src.length);
  writeFloat64(src, out, 0);
  return out;
}

/** Throws InvalidArgumentError naming `what` if `x` is not one of the accepted sample arrays. */
export function assertAudioChunk(x: unknown, what: string): asserts x is AudioChunk {
  if (!(x instanceof Float32Array || x instanceof Float64Array || x instanceof Int16Array)) {
    throw new InvalidArgumentError(`${what} must be a Float32Array, Float64Array or Int16Array`, {
      field: what,
      expected: 'Float32Array | Float64Array | Int16Array',
    });
  }
}
