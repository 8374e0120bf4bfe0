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
  SessionStreamer,
  type ChipProfile,
  type KeywordEvent,
  type NwaveModel,
  type SnnSession,
} from '@nwave/runtime';
import { openAudioStream, type AudioStream } from '@nwave/runtime/node';
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

/** What a streaming pass gives: detections, spikes per label and per layer, steps run. */
export interface StreamTally {
  events: KeywordEvent[];
  counts: number[];
  layerSpikes: number[];
  steps: number;
}

/**
 * Streams blocks (as they are read) through a KeywordSpotter, the JS runtime's streaming path,
 * and sums activity for the power figure.
 */
export async function streamFile(
  model: NwaveModel,
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  sampleRateHz: number,
): Promise<StreamTally> {
  const layerSpikes = model.powerLayers.map(() => 0);
  const counts = model.labels.map(() => 0);
  const last = layerSpikes.length - 1;
  const P = model.outputPopulation;
  let steps = 0;
  const spotter = new KeywordSpotter(model, {
    inputSampleRateHz: sampleRateHz,
    onStep: (v) => {
      steps++;
      for (let l = 0; l <= last; l++) layerSpikes[l] += v.spikeCounts[l];
      const out = v.spikes[last];
      for (let k = 0; k < counts.length; k++) for (let j = k * P; j < (k + 1) * P; j++) counts[k] += out[j];
    },
  });
  const events: KeywordEvent[] = [];
  for await (const block of blocks)
    for (let i = 0; i < block.length; i += 4096) events.push(...spotter.process(block.subarray(i, i + 4096)));
  events.push(...spotter.flush());
  return { events, counts, layerSpikes, steps };
}

/**
 * Streaming mode on another backend (ONNX): the blocks go through the KeywordSpotter's own front
 * end (resampler + filterbank, float64 frames, so the integers entering the network are the ones
 * the JS runtime streams), then chunk by chunk through the session's stream, the network never
 * reset (the parity tests check it equals the JS runtime). Backends without streams run the
 * recording's features in one call.
 */
export async function streamOnSession(
  model: NwaveModel,
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  sampleRateHz: number,
  session: SnnSession,
): Promise<StreamTally> {
  const fe = new FeatureExtractor({ filterbank: model.filterbank, inputSampleRateHz: sampleRateHz });
  const channels = model.fixedPoint.layers[0].size;
  const pending: Float64Array[] = [];
  const framesOf = (block: Float32Array) => {
    for (let i = 0; i < block.length; i += 4096) fe.push(block.subarray(i, i + 4096), (f) => pending.push(Float64Array.from(f)));
  };
  const pack = (frames: Float64Array[]) => {
    const data = new Float64Array(frames.length * channels);
    frames.forEach((f, t) => data.set(f, t * channels));
    return { data, frames: frames.length };
  };
  if (!session.openStream) {
    for await (const b of blocks) framesOf(b);
    const r = await streamFeatures(session, model, pack(pending));
    return { events: r.events, counts: r.labelCounts, layerSpikes: r.layerSpikes, steps: r.steps };
  }
  const streamer = await SessionStreamer.open(session, model);
  try {
    for await (const b of blocks) {
      framesOf(b);
      // ~8 s of steps per session run: ORT's per-run overhead stays small, memory stays flat.
      if (pending.length >= ONNX_STREAM_STEPS) await streamer.push(pack(pending.splice(0)));
    }
    await streamer.push(pack(pending.splice(0)));
  } catch (err) {
    await streamer.close();
    throw err;
  }
  const r = await streamer.finish();
  return { events: r.events, counts: r.labelCounts, layerSpikes: r.layerSpikes, steps: r.steps };
}

/** Steps per session run when streaming on a backend (1,000 steps = 8 s at the 8 ms step). */
export const ONNX_STREAM_STEPS = 1000;

/** The blocks of an open audio stream, from the read-ahead `head` on, until its end. */
async function* blocksOf(stream: AudioStream, head: readonly Float32Array[] = []): AsyncGenerator<Float32Array> {
  yield* head;
  for (let b = await stream.read(); b.length > 0; b = await stream.read()) yield b;
}

function concat(blocks: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(blocks.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Whole-clip and streaming mode through `session` (any backend). Every format is read as a
 * stream (WAV block reads, FLAC/MP3/OGG decoded 64 KB at a time): the header is checked before
 * any sample is used; up to 1.5 clip lengths are read ahead to tell a clip from a recording, and
 * a recording is never held in memory whole, on either backend.
 */
export async function detectFile(model: NwaveModel, file: string, opts: DetectOptions, session: SnnSession): Promise<FileResult> {
  const audio = await openAudioStream(file);
  try {
    const clipS = model.checkpoint.filterbank.recordingDurationS;
    const rate = audio.sampleRateHz;
    // A clip is at most 1.5 clip lengths: read that much (plus one sample) ahead.
    const clipFrames = Math.floor((clipS * 1.5 + 1e-9) * rate);
    const head: Float32Array[] = [];
    let headFrames = 0;
    let ended = false;
    if (!opts.stream) {
      while (headFrames <= clipFrames) {
        const b = await audio.read();
        if (b.length === 0) {
          ended = true;
          break;
        }
        head.push(b.slice()); // blocks are reused by the next read
        headFrames += b.length;
      }
    }
    const base = { file, backend: session.backend, sampleRateHz: rate, estimate: true as const };
    if (ended) {
      const [r] = await classifyClips(session, model, [model.features(concat(head), rate)]);
      return {
        ...base,
        durationS: headFrames / rate,
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
    let frames = 0;
    const counted = (async function* () {
      for await (const b of blocksOf(audio, head)) {
        frames += b.length;
        yield b;
      }
    })();
    const s = session.backend === 'js' ? await streamFile(model, counted, rate) : await streamOnSession(model, counted, rate, session);
    const power = getChipConsumption(
      model.powerLayers.map((l, i) => ({ ...l, spikes: s.layerSpikes[i] })),
      s.steps * model.dtS,
      model.chip,
    );
    const best = s.events.reduce<KeywordEvent | null>((b, e) => (!b || e.confidence > b.confidence ? e : b), null);
    return {
      ...base,
      durationS: frames / rate,
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
