/**
 * The runtime's detections offline, for comparison with the app's live events on the same audio
 * (the app's engine tap gives the exact samples its models heard), including detector settings
 * changed part-way through the stream the way the live view changes them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav16 } from '@nwave/runtime/wav';
import { KeywordSpotter, NwaveModel, withDetectorSettings, type DetectorSettings, type KeywordEvent } from '@nwave/runtime';
import { readWavFile, writeFileAtomicSync } from '@nwave/runtime/node';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLES_DIR = path.join(ROOT, 'models/examples');

/**
 * The committed Speech Commands examples (models/examples/*.wav: silence, an unknown word, two
 * "no", two "yes"; 1 s each at 16 kHz) one after the other, in name order: 6 s of real speech.
 */
export function examplesStream(): { samples: Float32Array; sampleRateHz: number } {
  const parts = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => readWavFile(path.join(EXAMPLES_DIR, f)));
  const sampleRateHz = parts[0].sampleRateHz;
  if (parts.some((p) => p.sampleRateHz !== sampleRateHz)) throw new Error(`${EXAMPLES_DIR}: the examples differ in sample rate`);
  const samples = new Float32Array(parts.reduce((n, p) => n + p.samples.length, 0));
  let o = 0;
  for (const p of parts) {
    samples.set(p.samples, o);
    o += p.samples.length;
  }
  return { samples, sampleRateHz };
}

/** `examplesStream()` as a WAV file in `dir` (written once), for the fake microphone. */
export function examplesLoopWav(dir: string): string {
  const file = path.join(dir, 'speech-commands-loop.wav');
  if (!existsSync(file)) {
    const { samples, sampleRateHz } = examplesStream();
    writeFileAtomicSync(file, encodeWav16(samples, sampleRateHz));
  }
  return file;
}

export interface DetectorChange {
  /** First step decided with `overrides`. */
  fromStep: number;
  /** Over the model file's settings, as the app sends them (`KeywordSpotter.setDetectorSettings`). */
  overrides: Partial<DetectorSettings>;
}

/**
 * Runs `model` over `samples` (at `rateHz`, like the app's engine) in one call, applying each
 * change with `KeywordSpotter.setDetectorSettings` at the end of the step before `fromStep` (from
 * `onStep`): what the app does when its threshold moves, offline and on the whole buffer instead
 * of the live worklet chunks. Without changes this is the runtime's KeywordSpotter.
 */
export function offlineEvents(
  model: NwaveModel,
  samples: Float32Array,
  rateHz: number,
  changes: readonly DetectorChange[] = [],
): KeywordEvent[] {
  const plan = [...changes].sort((a, b) => a.fromStep - b.fromStep);
  const apply = (spotter: KeywordSpotter, nextStep: number): void => {
    while (plan.length && plan[0].fromStep <= nextStep) {
      const change = plan.shift()!;
      const from = spotter.setDetectorSettings(change.overrides);
      if (from !== Math.max(change.fromStep, 0)) throw new Error(`detector change planned at step ${change.fromStep} applied at ${from}`);
    }
  };
  const spotter: KeywordSpotter = new KeywordSpotter(model, { inputSampleRateHz: rateHz, onStep: (v) => apply(spotter, v.step + 1) });
  apply(spotter, 0);
  const events = spotter.process(samples);
  if (plan.length)
    throw new Error(`detector changes after the end of the audio (step ${spotter.detector.steps}): from step ${plan[0].fromStep}`);
  return events;
}

/** The fields two event lists are compared on (times rounded to the microsecond). */
export function eventKeys(events: readonly { label: string; confidence: number; startTime: number; endTime: number }[]): string[] {
  return events.map((e) => `${e.label} ${e.startTime.toFixed(6)}-${e.endTime.toFixed(6)} s @ ${e.confidence.toFixed(12)}`);
}

/** Model `slot`'s detections in the app's debug snapshot that end by `untilS`, as runtime events. */
export function appEvents(
  debug: { detections: readonly { slot: string; label: string; confidence: number; startTimeS: number; endTimeS: number }[] },
  slot: 'a' | 'b',
  untilS: number,
): { label: string; confidence: number; startTime: number; endTime: number }[] {
  return debug.detections
    .filter((d) => d.slot === slot && d.endTimeS <= untilS)
    .map((d) => ({ label: d.label, confidence: d.confidence, startTime: d.startTimeS, endTime: d.endTimeS }));
}

/** "[no@3.92s 0.789, yes@6.05s 0.998]": events in a log line. */
export const fmtEvents = (events: readonly { label: string; confidence: number; endTime: number }[]): string =>
  `[${events.map((e) => `${e.label}@${e.endTime.toFixed(2)}s ${e.confidence.toFixed(3)}`).join(', ')}]`;

/**
 * The bundled default model with the file threshold `threshold`, written once (atomically: test
 * files run in parallel) into `dir`; its path. The live tests need a file setting under which a
 * stricter one visibly removes events.
 */
export function defaultModelAtThreshold(dir: string, threshold: number): string {
  const bundled = NwaveModel.fromJSON(readFileSync(path.join(ROOT, 'models/default.nwave.json'), 'utf8')).checkpoint;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `default-threshold-${threshold}.nwave.json`);
  writeFileAtomicSync(file, JSON.stringify(withDetectorSettings(bundled, { threshold })));
  return file;
}
