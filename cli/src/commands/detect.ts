/**
 * `nwave detect [MODEL] FILE.wav|DIR [--json] [--backend js|onnx]`: whole-clip classification
 * for clips up to the model's clip length (x1.5), streaming detections with times for longer
 * files, both on the chosen backend (js: the runtime's KeywordSpotter, chunk by chunk; onnx: the
 * file's features through one ONNX Runtime session run, then the same streaming detector).
 */
import {
  FeatureExtractor,
  InvalidArgumentError,
  KeywordSpotter,
  NwaveError,
  classifyClips,
  getChipConsumption,
  powerLabel,
  resolveBackend,
  streamFeatures,
  type ChipProfile,
  type KeywordEvent,
  type NwaveModel,
  type SnnSession,
} from '@nwave/runtime';
import { decodeAudioFile } from '@nwave/runtime/node';
import { listAudioFiles } from '../audio-files.js';
import { nJ, pct } from '../format.js';

export interface DetectOptions {
  json?: boolean;
  stream?: boolean;
  /** Backend of the whole-clip mode. @defaultValue 'js' */
  backend?: string;
}

export const DETECT_BACKENDS = ['js', 'onnx'] as const;

/** A session of the chosen backend for `model` (imports `@nwave/onnx` only when it is asked for). */
export async function openBackendSession(model: NwaveModel, choice = 'js'): Promise<SnnSession> {
  if (!(DETECT_BACKENDS as readonly string[]).includes(choice))
    throw new InvalidArgumentError(`--backend must be one of ${DETECT_BACKENDS.join(', ')}, not "${choice}"`, {
      field: 'backend',
      value: choice,
    });
  if (choice === 'onnx') await import('@nwave/onnx'); // registers the backend
  const { backend } = await resolveBackend([choice]);
  return backend.createSession(model);
}

export interface FileResult {
  file: string;
  mode: 'clip' | 'stream';
  /** Backend that ran the network (`js`, `onnx`): what was asked for, never a silent substitute. */
  backend: string;
  label: string | null;
  confidence: number;
  accepted: boolean;
  rejectedBy?: string;
  spikeCounts: number[];
  durationS: number;
  sampleRateHz: number;
  powerW: number;
  energyJ: number;
  estimate: true;
  detections?: KeywordEvent[];
}

/** Streams a whole file through a KeywordSpotter and sums activity for the power figure. */
export function streamFile(
  model: NwaveModel,
  samples: Float32Array,
  sampleRateHz: number,
): { events: KeywordEvent[]; counts: number[]; layerSpikes: number[]; steps: number } {
  const layerSpikes = model.powerLayers.map(() => 0);
  const counts = model.labels.map(() => 0);
  const last = layerSpikes.length - 1;
  let steps = 0;
  const spotter = new KeywordSpotter(model, {
    inputSampleRateHz: sampleRateHz,
    onStep: (v) => {
      steps++;
      for (let l = 0; l <= last; l++) layerSpikes[l] += v.spikeCounts[l];
      const out = v.spikes[last];
      const P = model.outputPopulation;
      for (let k = 0; k < counts.length; k++) for (let j = k * P; j < (k + 1) * P; j++) counts[k] += out[j];
    },
  });
  const events: KeywordEvent[] = [];
  const chunk = 4096;
  for (let i = 0; i < samples.length; i += chunk) events.push(...spotter.process(samples.subarray(i, i + chunk)));
  events.push(...spotter.flush());
  return { events, counts, layerSpikes, steps };
}

/**
 * Streaming mode on another backend (ONNX): the whole file's features in one session run from
 * rest, the network never reset, exactly as the JS runtime streams them (the parity tests check).
 */
export async function streamOnSession(
  model: NwaveModel,
  samples: Float32Array,
  sampleRateHz: number,
  session: SnnSession,
): Promise<ReturnType<typeof streamFile>> {
  // The KeywordSpotter's own front end (resampler + filterbank, float64 frames), so the integers
  // entering the network are the ones the JS runtime streams.
  const fe = new FeatureExtractor({ filterbank: model.filterbank, inputSampleRateHz: sampleRateHz });
  const channels = model.fixedPoint.layers[0].size;
  const frames: Float64Array[] = [];
  for (let i = 0; i < samples.length; i += 4096) fe.push(samples.subarray(i, i + 4096), (f) => frames.push(Float64Array.from(f)));
  const data = new Float64Array(frames.length * channels);
  frames.forEach((f, t) => data.set(f, t * channels));
  const r = await streamFeatures(session, model, { data, frames: frames.length });
  return { events: r.events, counts: r.labelCounts, layerSpikes: r.layerSpikes, steps: r.steps };
}

/** Whole-clip and streaming mode through `session` (any backend). */
export async function detectFile(model: NwaveModel, file: string, opts: DetectOptions, session: SnnSession): Promise<FileResult> {
  const audio = await decodeAudioFile(file);
  const clipS = model.checkpoint.filterbank.recordingDurationS;
  const base = { file, backend: session.backend, durationS: audio.durationS, sampleRateHz: audio.sampleRateHz, estimate: true as const };
  if (!opts.stream && audio.durationS <= clipS * 1.5 + 1e-9) {
    const [r] = await classifyClips(session, model, [model.features(audio.samples, audio.sampleRateHz)]);
    return {
      ...base,
      mode: 'clip',
      label: r.label,
      confidence: r.confidence,
      accepted: r.accepted,
      ...(r.rejectedBy ? { rejectedBy: r.rejectedBy } : {}),
      spikeCounts: r.spikeCounts,
      powerW: r.power.totalW,
      energyJ: r.power.energyJ,
    };
  }
  const s =
    session.backend === 'js'
      ? streamFile(model, audio.samples, audio.sampleRateHz)
      : await streamOnSession(model, audio.samples, audio.sampleRateHz, session);
  const power = getChipConsumption(
    model.powerLayers.map((l, i) => ({ ...l, spikes: s.layerSpikes[i] })),
    s.steps * model.dtS,
    model.chip,
  );
  const best = s.events.reduce<KeywordEvent | null>((b, e) => (!b || e.confidence > b.confidence ? e : b), null);
  return {
    ...base,
    mode: 'stream',
    label: best?.label ?? null,
    confidence: best?.confidence ?? 0,
    accepted: best !== null,
    spikeCounts: s.counts,
    powerW: power.totalW,
    energyJ: power.energyJ,
    detections: s.events,
  };
}

function printHuman(r: FileResult, chip: ChipProfile): void {
  const power = `${(r.powerW * 1e6).toFixed(4)} µW, ${nJ(r.energyJ)} (${powerLabel(chip)})`;
  if (r.mode === 'clip') {
    const verdict = r.accepted ? `${r.label}` : `— (${r.label}, rejected: ${r.rejectedBy})`;
    console.log(`${r.file}  ${verdict}  confidence ${pct(r.confidence)}  spikes [${r.spikeCounts.join(', ')}]  ${power}`);
    return;
  }
  console.log(
    `${r.file}  ${r.durationS.toFixed(2)} s stream, ${r.detections?.length ?? 0} detections  spikes [${r.spikeCounts.join(', ')}]  ${power}`,
  );
  for (const e of r.detections ?? []) {
    console.log(`  ${e.startTime.toFixed(3)}–${e.endTime.toFixed(3)} s  ${e.label}  ${pct(e.confidence)}  [${e.spikeCounts.join(', ')}]`);
  }
}

/** Runs detect over files and folders; returns the process exit code (1 if any file failed). */
export async function runDetect(model: NwaveModel, inputs: string[], opts: DetectOptions): Promise<number> {
  const files = await listAudioFiles(inputs);
  if (files.length === 0) {
    console.error(`nwave detect: no .wav files in ${inputs.join(', ')}`);
    return 1;
  }
  const session = await openBackendSession(model, opts.backend);
  let failed = 0;
  try {
    for (const file of files) {
      try {
        const r = await detectFile(model, file, opts, session);
        if (opts.json) console.log(JSON.stringify(r));
        else printHuman(r, model.chip);
      } catch (e) {
        failed++;
        const message = e instanceof Error ? e.message : String(e);
        if (opts.json) console.log(JSON.stringify({ file, error: message, code: e instanceof NwaveError ? e.code : 'ERROR' }));
        else console.error(`nwave detect: ${message}`);
        if (!(e instanceof NwaveError)) throw e;
      }
    }
  } finally {
    await session.dispose();
  }
  return failed > 0 ? 1 : 0;
}
