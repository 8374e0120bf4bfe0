import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { readWavFile } from '../node/wav-file.js';
import { FeatureExtractor, extractClipFeatures } from './feature-extractor.js';
import { chipFilterbankConfig, computeFeatures } from './filterbank.js';
import type { ResamplerOptions } from './resample.js';
import type { AudioChunk } from './samples.js';

const SC = fileURLToPath(new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url));
const SOX = '/usr/bin/sox';
const CFG = chipFilterbankConfig(16000, {}, () => {});
const C = 13;

// Tolerances (also in runtime/src/dsp/README.md). Measured: < 0.05 % and < 0.7 %.
const MEAN_TOL = 0.005; // per-channel mean over the clip, relative
const FRAME_TOL = 0.02; // per frame and channel, relative, on frames >= 10 % of the channel's peak

/** One continuous-time sound evaluated at any rate: 7 tones + a 100→6800 Hz chirp, all < 7 kHz, with a 2.5 Hz envelope. */
function synth(fs: number, durS = 1): Float64Array {
  const tones = [
    [150, 0.1],
    [420, 0.08],
    [950, 0.06],
    [1800, 0.05],
    [3100, 0.04],
    [4700, 0.04],
    [6300, 0.03],
  ];
  return Float64Array.from({ length: Math.round(fs * durS) }, (_, i) => {
    const t = i / fs;
    let v = 0.05 * Math.sin(2 * Math.PI * (100 * t + ((6800 - 100) / (2 * durS)) * t * t));
    for (const [f, a] of tones) v += a * Math.sin(2 * Math.PI * f * t + f);
    return v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2.5 * t));
  });
}

/** Live path: FeatureExtractor in `chunk`-sample pushes, then flush; frames concatenated. */
function liveFeatures(x: AudioChunk, rate: number, chunk = 480, resampler?: ResamplerOptions): Float64Array {
  const fx = new FeatureExtractor({ filterbank: CFG, inputSampleRateHz: rate, resampler });
  const out: number[] = [];
  const onFrame = (f: Float64Array) => out.push(...f);
  for (let i = 0; i < x.length; i += chunk) fx.push(x.subarray(i, i + chunk), onFrame);
  fx.flush(onFrame);
  return Float64Array.from(out);
}

/** Worst per-channel mean and per-frame relative differences of `got` against `ref` (T × C). */
function compare(got: ArrayLike<number>, ref: ArrayLike<number>): { mean: number; frame: number } {
  const T = ref.length / C;
  let mean = 0;
  let frame = 0;
  for (let c = 0; c < C; c++) {
    let sg = 0,
      sr = 0,
      peak = 0;
    for (let t = 0; t < T; t++) {
      sg += got[t * C + c];
      sr += ref[t * C + c];
      peak = Math.max(peak, ref[t * C + c]);
    }
    mean = Math.max(mean, Math.abs(sg - sr) / sr);
    for (let t = 0; t < T; t++) {
      const r = ref[t * C + c];
      if (r >= 0.1 * peak) frame = Math.max(frame, Math.abs(got[t * C + c] - r) / r);
    }
  }
  return { mean, frame };
}

describe('FeatureExtractor: the same sound at another rate gives the same features', () => {
  const ref16 = computeFeatures(synth(16000), CFG).data;
  for (const rate of [48000, 44100, 22050]) {
    it(`synthetic tones + chirp at ${rate} Hz vs 16 kHz: channel means within ${MEAN_TOL * 100}%, frames within ${FRAME_TOL * 100}%`, () => {
      const got = liveFeatures(synth(rate), rate);
      expect(got.length).toBe(ref16.length); // 125 frames × 13
      const d = compare(got, ref16);
      console.log(
        `synthetic ${rate} Hz: worst channel-mean diff ${(d.mean * 100).toFixed(3)}%, worst frame diff ${(d.frame * 100).toFixed(2)}%`,
      );
      expect(d.mean).toBeLessThan(MEAN_TOL);
      expect(d.frame).toBeLessThan(FRAME_TOL);
    });
  }

  it('would catch a poor resampler: cutoff 0.7 of Nyquist breaks the channel-mean tolerance at 48 kHz', () => {
    const d = compare(liveFeatures(synth(48000), 48000, 480, { cutoff: 0.7, span: 16 }), ref16);
    expect(d.mean).toBeGreaterThan(MEAN_TOL);
  });

  describe('real 16 kHz clips upsampled with sox', () => {
    const dir = existsSync(SOX) ? mkdtempSync(join(tmpdir(), 'nwave-fx-')) : '';
    afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));
    for (const file of ['yes/0cb74144_nohash_0.wav', 'no/1acc97de_nohash_0.wav']) {
      for (const rate of [48000, 44100]) {
        const skipNote = existsSync(SOX) ? '' : ` (skipped: sox not installed at ${SOX})`;
        it.skipIf(!existsSync(SOX))(
          `${file} → ${rate} Hz (sox) vs the original: channel means within ${MEAN_TOL * 100}%, frames within ${FRAME_TOL * 100}%${skipNote}`,
          () => {
            const up = join(dir, `${rate}-${file.replace('/', '-')}`);
            execFileSync(SOX, [SC + file, '-r', String(rate), up], { stdio: 'pipe' });
            const audio = readWavFile(up);
            expect(audio.sampleRateHz).toBe(rate);
            const ref = computeFeatures(readWavFile(SC + file).samples, CFG).data;
            const d = compare(liveFeatures(audio.samples, rate, 1024), ref);
            console.log(
              `${file} via sox ${rate} Hz: worst channel-mean diff ${(d.mean * 100).toFixed(3)}%, worst frame diff ${(d.frame * 100).toFixed(2)}%`,
            );
            expect(d.mean).toBeLessThan(MEAN_TOL);
            expect(d.frame).toBeLessThan(FRAME_TOL);
          },
        );
      }
    }
  });
});

describe('FeatureExtractor streaming', () => {
  it('is bit-identical for 1-sample chunks, odd chunks and one big chunk at 48 kHz', () => {
    const x = synth(48000, 0.3);
    const whole = liveFeatures(x, 48000, 1 << 30);
    expect(whole.length).toBe(Math.floor((0.3 * 16000) / 128) * C);
    for (const chunk of [1, 127, 1536]) expect(liveFeatures(x, 48000, chunk)).toEqual(whole);
    const ua = new Uint8Array(liveFeatures(x, 48000, 1).buffer);
    expect(ua.every((v, i) => v === new Uint8Array(whole.buffer)[i])).toBe(true);
  });

  it('at the model rate is exactly the filterbank (no resampler) and equals computeFeatures', () => {
    const x = synth(16000, 0.5);
    const fx = new FeatureExtractor({ filterbank: CFG, inputSampleRateHz: 16000 });
    expect([fx.resamples, fx.latencyInputSamples, fx.channelCount, fx.binSamples, fx.sampleRateHz]).toEqual([false, 0, 13, 128, 16000]);
    expect(Float32Array.from(liveFeatures(x, 16000, 100))).toEqual(computeFeatures(x, CFG).data);
  });

  it('emits frames with the resampler latency and on flush; extractClipFeatures = streaming + flush', () => {
    const fx = new FeatureExtractor({ filterbank: CFG, inputSampleRateHz: 48000 });
    expect(fx.resamples).toBe(true);
    let n = 0;
    fx.push(new Float32Array(384), () => n++); // exactly one bin of input, held back by the look-ahead
    expect(n).toBe(0);
    fx.push(new Float32Array(fx.latencyInputSamples), () => n++);
    expect(n).toBe(1);
    const x = synth(48000, 0.25);
    const clip = extractClipFeatures(x, { filterbank: CFG, inputSampleRateHz: 48000 });
    expect(clip.frames).toBe(31);
    expect(Array.from(clip.data)).toEqual(Array.from(Float32Array.from(liveFeatures(x, 48000))));
  });

  it('rejects a non-integer input rate', () => {
    expect(() => new FeatureExtractor({ filterbank: CFG, inputSampleRateHz: 44100.5 })).toThrow(InvalidArgumentError);
  });
});
