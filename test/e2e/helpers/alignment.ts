/**
 * Aligns the live stream with the looping WAV that fed Chromium's fake microphone, from the
 * audio itself: the 1 ms RMS envelope of the first seconds of the stream (captured in the app's
 * engine) is matched against the file's envelope at every circular lag. Then a word's end in the
 * file maps to stream times `end - lag + k * period`, and detection latencies follow.
 */
import { readWavFile } from '@nwave/runtime/node';

/** 1 ms RMS envelope of a WAV file and its loop period. */
export function fileEnvelope(file: string): { envelope: Float64Array; stepMs: number; periodMs: number } {
  const wav = readWavFile(file);
  const hop = Math.max(1, Math.round(wav.sampleRateHz / 1000));
  const n = Math.floor(wav.samples.length / hop);
  const envelope = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < hop; j++) s += wav.samples[i * hop + j] ** 2;
    envelope[i] = Math.sqrt(s / hop);
  }
  return { envelope, stepMs: (hop / wav.sampleRateHz) * 1000, periodMs: (wav.samples.length / wav.sampleRateHz) * 1000 };
}

export type FileEnvelope = ReturnType<typeof fileEnvelope>;

export interface LagSearch {
  /** Stream window to match, ms (default: all of it). */
  fromMs?: number;
  toMs?: number;
  /** Search lags within ±spanMs of aroundMs only (circularly). */
  aroundMs?: number;
  spanMs?: number;
}

/**
 * The lag (ms) such that stream time t (ms) plays file time (t + lag) mod period.
 * Chromium's fake device does not loop with an exact period (a few ms of slack per loop), so
 * latencies use a local lag per occurrence (`aroundMs`/`spanMs` around the global one).
 * @returns the lag and the normalised correlation (1 = perfect match)
 */
export function findLoopLag(
  stream: readonly number[],
  streamStepMs: number,
  file: FileEnvelope,
  search: LagSearch = {},
): { lagMs: number; score: number } {
  const P = file.periodMs;
  const fileAt = (ms: number): number => file.envelope[Math.min(file.envelope.length - 1, Math.floor((((ms % P) + P) % P) / file.stepMs))];
  const i0 = Math.max(0, Math.floor((search.fromMs ?? 0) / streamStepMs));
  const i1 = Math.min(stream.length, Math.ceil((search.toMs ?? Infinity) / streamStepMs));
  let streamSq = 0;
  for (let i = i0; i < i1; i++) streamSq += stream[i] * stream[i];
  const streamNorm = Math.sqrt(streamSq) || 1;
  const lags: number[] = [];
  if (search.aroundMs === undefined) for (let lag = 0; lag < P; lag++) lags.push(lag);
  else for (let d = -(search.spanMs ?? 50); d <= (search.spanMs ?? 50); d++) lags.push((((search.aroundMs + d) % P) + P) % P);
  let best = { lagMs: 0, score: -Infinity };
  for (const lag of lags) {
    let dot = 0;
    let fileSq = 0;
    for (let i = i0; i < i1; i++) {
      const f = fileAt(i * streamStepMs + lag);
      dot += stream[i] * f;
      fileSq += f * f;
    }
    const score = dot / (streamNorm * (Math.sqrt(fileSq) || 1));
    if (score > best.score) best = { lagMs: lag, score };
  }
  return best;
}

export interface LatencyRow {
  label: string;
  /** Detection step end minus the word's end, in stream time (the detector's decision delay), ms. */
  streamMs: number;
  /**
   * Wall clock from the moment the word's last sample entered the capture worklet to the UI
   * receiving the detection: worklet buffering + worker processing + postMessage, ms.
   */
  endToEndMs: number;
  /** Detection step end minus the word's start, ms. */
  fromOnsetMs: number;
  /**
   * The app's own overhead: from the last sample of the deciding step entering the worklet to
   * the UI receiving the event (worklet chunking + worker + postMessage), ms.
   */
  pipelineMs: number;
}

/**
 * Latency of each detection relative to the most recent occurrence (onset before it) of the word,
 * aligning the loop locally (the period before the detection) around the global lag.
 */
export function detectionLatencies(
  detections: readonly { label: string; endTimeS: number; chunkEndS: number; arrivedAtMs: number; receivedAtMs: number }[],
  word: { startS: number; endS: number },
  tap: { envelope: readonly number[]; stepMs: number },
  file: FileEnvelope,
  globalLagMs: number,
): LatencyRow[] {
  const P = file.periodMs / 1000;
  return detections.map((d) => {
    const endMs = d.endTimeS * 1000 + 100;
    const local =
      endMs <= tap.envelope.length * tap.stepMs
        ? findLoopLag(tap.envelope, tap.stepMs, file, { fromMs: endMs - file.periodMs, toMs: endMs, aroundMs: globalLagMs, spanMs: 60 })
        : { lagMs: globalLagMs };
    const lag = local.lagMs / 1000;
    // Occurrence k starts at word.startS - lag + k * P in stream time; take the last one before the detection.
    const k = Math.floor((d.endTimeS - (word.startS - lag)) / P);
    const startS = word.startS - lag + k * P;
    const endS = word.endS - lag + k * P;
    return {
      label: d.label,
      streamMs: (d.endTimeS - endS) * 1000,
      endToEndMs: d.receivedAtMs - d.arrivedAtMs + (d.chunkEndS - endS) * 1000,
      fromOnsetMs: (d.endTimeS - startS) * 1000,
      pipelineMs: d.receivedAtMs - d.arrivedAtMs + (d.chunkEndS - d.endTimeS) * 1000,
    };
  });
}

export function stats(xs: readonly number[]): { n: number; mean: number; p50: number; p95: number; max: number } {
  if (!xs.length) return { n: 0, mean: NaN, p50: NaN, p95: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

export const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
