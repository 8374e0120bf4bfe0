import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { readWavFile } from '../node/wav-file.js';
import { designPeakFilter } from './filterbank-design.js';
import { type FilterbankConfig, StreamingFilterbank, chipFilterbankConfig, computeFeatures } from './filterbank.js';
import type { AudioChunk } from './samples.js';

const SC = fileURLToPath(new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url));
const CFG16 = chipFilterbankConfig(16000, {}, () => {});

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Streams `x` in chunks of the given sizes (cycled) and returns all frames concatenated. */
function streamFrames(fb: StreamingFilterbank, x: AudioChunk, sizes: (i: number) => number): Float64Array {
  const frames: number[] = [];
  let expectIndex = 0;
  for (let pos = 0, k = 0; pos < x.length; k++) {
    const n = sizes(k);
    fb.push(x.subarray(pos, pos + n), (frame, t) => {
      expect(t).toBe(expectIndex++);
      frames.push(...frame);
    });
    pos += n;
  }
  return Float64Array.from(frames);
}

/** Exact equality of every float (bit patterns, so -0 vs 0 and NaN would also be caught). */
function expectBitIdentical(a: Float64Array | Float32Array, b: Float64Array | Float32Array): void {
  expect(a.length).toBe(b.length);
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const firstDiff = ua.findIndex((v, i) => v !== ub[i]);
  expect(firstDiff).toBe(-1);
}

/** Plain scipy-style lfilter per channel, then mean |y| per bin: the slow, obvious reference. */
function referenceFeatures(x: Float32Array, cfg: FilterbankConfig): Float64Array {
  const bin = Math.round(cfg.binS! * cfg.sampleRateHz);
  const T = Math.floor(x.length / bin);
  const C = cfg.centerFrequenciesHz.length;
  const out = new Float64Array(T * C);
  cfg.centerFrequenciesHz.forEach((fc, c) => {
    const f = designPeakFilter(fc, cfg.q!, cfg.sampleRateHz);
    let x1 = 0,
      x2 = 0,
      y1 = 0,
      y2 = 0;
    for (let n = 0; n < T * bin; n++) {
      const y = f.b0 * x[n] + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
      x2 = x1;
      x1 = x[n];
      y2 = y1;
      y1 = y;
      out[Math.floor(n / bin) * C + c] += (Math.abs(y) * cfg.gain!) / bin;
    }
  });
  return out;
}

const yes = readWavFile(SC + 'yes/0cb74144_nohash_0.wav');
const yesInt16 = Int16Array.from(yes.samples, (v) => v * 32768);

describe('StreamingFilterbank chunking invariance', () => {
  const rand = mulberry32(12345);
  const randomSizes = Array.from({ length: 4000 }, () => Math.floor(rand() * 300)); // includes 0
  const chunkings: [string, (k: number) => number][] = [
    ['whole clip', () => 1 << 30],
    ['1-sample chunks', () => 1],
    ['random sizes 0..299', (k) => randomSizes[k % randomSizes.length]],
    ['127/128/129 around the bin', (k) => 127 + (k % 3)],
  ];

  for (const [input, x] of [
    ['Float32 speech', yes.samples],
    ['Int16 speech', yesInt16],
  ] as const) {
    it(`gives bit-identical frames for every chunking (${input}, real "yes" clip)`, () => {
      const fb = new StreamingFilterbank(CFG16);
      const ref = streamFrames(fb, x, chunkings[0][1]);
      expect(ref.length).toBe(125 * 13);
      for (const [, sizes] of chunkings.slice(1)) {
        fb.reset();
        expectBitIdentical(streamFrames(fb, x, sizes), ref);
      }
    });
  }

  it('Int16 and Float32 of the same PCM give identical frames; computeFeatures = float32(stream)', () => {
    const fb = new StreamingFilterbank(CFG16);
    const a = streamFrames(fb, yes.samples, () => 1 << 30);
    fb.reset();
    expectBitIdentical(
      streamFrames(fb, yesInt16, () => 333),
      a,
    );
    const whole = computeFeatures(yesInt16, CFG16);
    expect([whole.frames, whole.channels]).toEqual([125, 13]);
    expectBitIdentical(whole.data, Float32Array.from(a));
  });

  it('matches a plain direct-form iirpeak reference within 1e-9 relative', () => {
    const ref = referenceFeatures(yes.samples, CFG16);
    const got = computeFeatures(yes.samples, CFG16);
    const fb = new StreamingFilterbank(CFG16);
    const exact = streamFrames(fb, yes.samples, () => 1 << 30);
    let maxRel = 0;
    for (let i = 0; i < ref.length; i++) maxRel = Math.max(maxRel, Math.abs(exact[i] - ref[i]) / Math.max(ref[i], 1e-6));
    expect(maxRel).toBeLessThan(1e-9);
    expect(got.data.length).toBe(ref.length);
  });

  it('reset() returns to a fresh state and keeps counting from frame 0', () => {
    const fb = new StreamingFilterbank(CFG16);
    fb.push(yes.samples.subarray(0, 1000), () => {});
    expect(fb.framesEmitted).toBe(7);
    fb.reset();
    expectBitIdentical(
      streamFrames(fb, yes.samples, () => 1 << 30),
      streamFrames(new StreamingFilterbank(CFG16), yes.samples, () => 1 << 30),
    );
  });
});

describe('StreamingFilterbank features', () => {
  it('puts a 1 kHz sine in the channel nearest 1 kHz (1051.2 Hz, index 7)', () => {
    const x = Float64Array.from({ length: 16000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000));
    const f = computeFeatures(x, CFG16);
    const mean = Array.from({ length: 13 }, (_, c) => {
      let s = 0;
      for (let t = 10; t < f.frames; t++) s += f.data[t * 13 + c];
      return s / (f.frames - 10);
    });
    expect(mean.indexOf(Math.max(...mean))).toBe(7);
    // Unity gain at fc: a sine exactly at a centre gives mean|y| = A·2/π, times 1000.
    const g = computeFeatures(
      Float64Array.from({ length: 16000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * CFG16.centerFrequenciesHz[7] * n) / 16000)),
      CFG16,
    );
    expect(g.data[100 * 13 + 7]).toBeCloseTo((0.5 * 2 * 1000) / Math.PI, 0);
  });

  it('gives exactly 0 for digital silence; frames = floor(n / 128), leftovers dropped', () => {
    const f = computeFeatures(new Float32Array(16000 + 100), CFG16);
    expect(f.frames).toBe(125);
    expect(f.data.every((v) => v === 0)).toBe(true);
    expect(computeFeatures(new Int16Array(127), CFG16).frames).toBe(0);
  });

  it('keeps real Speech Commands "yes"/"no" clips in the feature units range (mean over channels 0.5..30)', () => {
    for (const file of [
      'yes/0cb74144_nohash_0.wav',
      'yes/18f8afd5_nohash_0.wav',
      'yes/1acc97de_nohash_0.wav',
      'no/0c40e715_nohash_0.wav',
      'no/18f8afd5_nohash_0.wav',
      'no/1acc97de_nohash_0.wav',
    ]) {
      const f = computeFeatures(readWavFile(SC + file).samples, CFG16);
      const means = Array.from({ length: 13 }, (_, c) => {
        let s = 0;
        for (let t = 0; t < f.frames; t++) s += f.data[t * 13 + c];
        return s / f.frames;
      });
      const overall = means.reduce((a, b) => a + b, 0) / 13;
      console.log(`${file}: channel means ${means.map((m) => m.toFixed(2)).join(' ')} | overall ${overall.toFixed(2)}`);
      expect(overall).toBeGreaterThan(0.5);
      expect(overall).toBeLessThan(30);
      expect(Math.min(...f.data)).toBeGreaterThanOrEqual(0);
    }
  });

  it('exposes its shape and rejects bins that are not whole samples', () => {
    const fb = new StreamingFilterbank(CFG16);
    expect([fb.channelCount, fb.binSamples, fb.sampleRateHz]).toEqual([13, 128, 16000]);
    expect(new StreamingFilterbank(chipFilterbankConfig(48000, { binS: 0.001 })).channelCount).toBe(16);
    expect(() => new StreamingFilterbank({ ...CFG16, sampleRateHz: 22050, centerFrequenciesHz: [1000], binS: 0.001 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new StreamingFilterbank({ ...CFG16, centerFrequenciesHz: [9000] })).toThrow(InvalidArgumentError);
    expect(() => fb.push([1, 2] as unknown as Float32Array, () => {})).toThrow(InvalidArgumentError);
  });
});
