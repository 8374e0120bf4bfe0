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
import { decodeAudioFile, openWavStream } from '@nwave/runtime/node';
import { fileFailure, listAudioFiles } from '../audio-files.js';
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
  chunks: Iterable<Float32Array> | Float32Array,
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
  const blocks = chunks instanceof Float32Array ? [chunks] : chunks;
  for (const block of blocks) for (let i = 0; i < block.length; i += chunk) events.push(...spotter.process(block.subarray(i, i + chunk)));
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

/** Audio read block by block: a WAV stream, or decoded FLAC/MP3/OGG handed out in blocks. */
interface AudioSource {
  sampleRateHz: number;
  frames: number;
  durationS: number;
  read(): Float32Array;
  close(): void;
}

/**
 * Opens `file`: WAV is streamed from disk (memory flat in its length); FLAC, MP3 and OGG are
 * decoded whole by `decodeAudioFile` (within its size limit) and then handed out the same way.
 */
async function openAudio(file: string): Promise<AudioSource> {
  if (/\.wave?$/i.test(file)) return openWavStream(file);
  const a = await decodeAudioFile(file);
  let at = 0;
  return {
    ...a,
    frames: a.samples.length,
    read: () => a.samples.subarray(at, (at = Math.min(a.samples.length, at + 16384))),
    close: () => undefined,
  };
}

/** The blocks of an open audio source, until its end. */
function* blocksOf(stream: AudioSource): Generator<Float32Array> {
  for (let b = stream.read(); b.length > 0; b = stream.read()) yield b;
}

/** Every sample of a source, as one array (whole clips; the ONNX streaming path). */
function readAll(stream: AudioSource): Float32Array {
  const out = new Float32Array(stream.frames);
  let at = 0;
  for (const b of blocksOf(stream)) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Whole-clip and streaming mode through `session` (any backend). The file is opened as a stream:
 * its header is checked before any sample is read, and on the JS runtime a long file is never
 * held in memory whole (the ONNX streaming path still takes the whole file's features).
 */
export async function detectFile(model: NwaveModel, file: string, opts: DetectOptions, session: SnnSession): Promise<FileResult> {
  const audio = await openAudio(file);
  try {
    const clipS = model.checkpoint.filterbank.recordingDurationS;
    const base = { file, backend: session.backend, durationS: audio.durationS, sampleRateHz: audio.sampleRateHz, estimate: true as const };
    if (!opts.stream && audio.durationS <= clipS * 1.5 + 1e-9) {
      const [r] = await classifyClips(session, model, [model.features(readAll(audio), audio.sampleRateHz)]);
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
        ? streamFile(model, blocksOf(audio), audio.sampleRateHz)
        : await streamOnSession(model, readAll(audio), audio.sampleRateHz, session);
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
  } finally {
    audio.close();
  }
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
        // Whatever went wrong with this file (bad audio, or a bug: RangeError, TypeError...) is
        // this file's result; the other files still get theirs.
        failed++;
        const f = fileFailure(file, e);
        if (opts.json) console.log(JSON.stringify(f));
        else console.error(`nwave detect: ${f.error}`);
      }
    }
  } finally {
    await session.dispose();
  }
  return failed > 0 ? 1 : 0;
}
