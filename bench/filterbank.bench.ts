/**
 * Audio front-end throughput (not a test: machines are shared and noisy). Measures, on one core:
 *  - the 16 kHz filterbank (13 channels) alone, 512-sample chunks as from a microphone;
 *  - 48 kHz and 44.1 kHz input through FeatureExtractor (resampler → 16 kHz filterbank);
 *  - the resampler alone (48k → 16k).
 * Prints RTF (processing time / audio time, lower is better) and × real time, best of N runs.
 *   node --conditions=source --import tsx bench/filterbank.bench.ts
 */
import { FeatureExtractor, StreamingFilterbank, StreamingResampler, chipFilterbankConfig, resample } from '../runtime/src/dsp/index.js';
import { bestOf, speechMaterial } from './bench-utils.js';

export interface FilterbankBenchRow {
  name: string;
  /** Real-time factor: seconds of CPU per second of audio. */
  rtf: number;
  /** 1 / rtf. */
  xRealtime: number;
}

/** Speech (the committed fixture clips, looped) plus white noise, so every channel is busy. */
function material(seconds: number): Float32Array {
  const speech = speechMaterial(seconds);
  let seed = 7;
  for (let i = 0; i < speech.length; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    speech[i] += (seed / 2 ** 32 - 0.5) * 0.02;
  }
  return speech;
}

export async function benchFilterbank(opts: { seconds?: number; runs?: number } = {}): Promise<FilterbankBenchRow[]> {
  const seconds = opts.seconds ?? 60;
  const runs = opts.runs ?? 7;
  const audio16 = material(seconds);
  const audio48 = Float32Array.from(resample(audio16, 16000, 48000));
  const audio441 = Float32Array.from(resample(audio16, 16000, 44100));
  const cfg = chipFilterbankConfig(16000, {}, () => {});
  let sink = 0;
  const onFrame = (f: Float64Array) => {
    sink += f[0];
  };
  const stream = (push: (c: Float32Array) => void, x: Float32Array, chunk: number) => {
    for (let i = 0; i < x.length; i += chunk) push(x.subarray(i, i + chunk));
  };

  const fb = new StreamingFilterbank(cfg);
  const fx48 = new FeatureExtractor({ filterbank: cfg, inputSampleRateHz: 48000 });
  const fx441 = new FeatureExtractor({ filterbank: cfg, inputSampleRateHz: 44100 });
  const rs48 = new StreamingResampler(48000, 16000);
  const cases: [string, () => void][] = [
    ['filterbank 16 kHz, 13 ch (512-sample chunks)', () => (fb.reset(), stream((c) => fb.push(c, onFrame), audio16, 512))],
    ['filterbank 16 kHz, 13 ch (whole signal)', () => (fb.reset(), fb.push(audio16, onFrame))],
    ['resampler 48k→16k alone (1536-sample chunks)', () => (rs48.reset(), stream((c) => (sink += rs48.push(c).length), audio48, 1536))],
    ['feature extractor 48 kHz in (resample + filterbank)', () => (fx48.reset(), stream((c) => fx48.push(c, onFrame), audio48, 1536))],
    ['feature extractor 44.1 kHz in (resample + filterbank)', () => (fx441.reset(), stream((c) => fx441.push(c, onFrame), audio441, 1411))],
  ];
  const rows: FilterbankBenchRow[] = [];
  console.log(`\n## Audio front end (${seconds} s of speech + noise, best of ${runs}, one core)\n`);
  console.log('| Stage | RTF | × real time | ms per s of audio |');
  console.log('|---|---|---|---|');
  for (const [name, fn] of cases) {
    fn(); // warm-up (JIT)
    const ms = bestOf(runs, fn);
    const rtf = ms / 1000 / seconds;
    rows.push({ name, rtf, xRealtime: 1 / rtf });
    console.log(`| ${name} | ${rtf.toExponential(2)} | ${(1 / rtf).toFixed(0)} | ${(ms / seconds).toFixed(3)} |`);
  }
  if (Number.isNaN(sink)) console.log('(sink)'); // keep the work observable
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchFilterbank();
