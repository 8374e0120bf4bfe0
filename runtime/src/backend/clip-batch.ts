/**
 * Backend-independent glue: quantize features once (so every backend gets the same integers),
 * then turn a backend's spike counts into the same `ClipResult`s and `KeywordEvent`s as
 * `NwaveModel.classifyFeatures` and `KeywordSpotter` produce.
 */
import { InvalidArgumentError } from '../errors.js';
import { clipInputLevels, decide, populationCounts } from '../detect/decision.js';
import { StreamingDetector, type KeywordEvent } from '../detect/keyword-detector.js';
import type { ClipResult, NwaveModel } from '../engine/nwave-model.js';
import { getChipConsumption } from '../power/chip-power.js';
import { FixedPointNetwork } from '../snn/fixed-point-network.js';
import type { ClipBatch, SnnSession, SnnStream } from './snn-backend.js';

/** Features of one clip, row-major [frames][channels] (what `NwaveModel.features` returns). */
export interface FeatureClip {
  data: ArrayLike<number>;
  frames: number;
}

/**
 * Quantizes features with the runtime's own `FixedPointNetwork.quantizeInput`.
 * @param out optional destination (length >= features.length), e.g. a slice of a batch buffer.
 */
export function quantizeFeatures(model: NwaveModel, features: ArrayLike<number>, out = new Int32Array(features.length)): Int32Array {
  const q = new FixedPointNetwork(model.fixedPoint);
  for (let i = 0; i < features.length; i++) out[i] = q.quantizeInput(features[i]);
  return out;
}

/**
 * Packs clips of equal length into one quantized batch, plus each clip's mean and peak input
 * levels (the detector's activity and input-contrast gates, by the same `clipInputLevels` as
 * `classifyFeatures` so decisions match).
 * @throws InvalidArgumentError when clips differ in length or channel count.
 */
export function packClips(
  model: NwaveModel,
  clips: readonly FeatureClip[],
): { batch: ClipBatch; meanInputLevels: Float64Array; peakInputLevels: Float64Array } {
  const channels = model.fixedPoint.layers[0].size;
  const steps = clips.length ? clips[0].frames : 0;
  const size = steps * channels;
  const features = new Int32Array(clips.length * size);
  const meanInputLevels = new Float64Array(clips.length);
  const peakInputLevels = new Float64Array(clips.length);
  const q = new FixedPointNetwork(model.fixedPoint);
  clips.forEach((clip, b) => {
    if (clip.frames !== steps || clip.data.length !== size) {
      throw new InvalidArgumentError(
        `packClips: clip ${b} has ${clip.frames} frames x ${clip.data.length / Math.max(1, clip.frames)} channels, expected ${steps} x ${channels} (prepare clips to the model length first)`,
        { field: `clips[${b}]` },
      );
    }
    for (let i = 0; i < size; i++) features[b * size + i] = q.quantizeInput(clip.data[i]);
    const levels = clipInputLevels(clip.data, steps, channels);
    meanInputLevels[b] = levels.mean;
    peakInputLevels[b] = levels.peak;
  });
  return { batch: { features, batch: clips.length, steps, channels }, meanInputLevels, peakInputLevels };
}

/**
 * Whole-clip classification on any backend: the same `ClipResult` as
 * `NwaveModel.classifyFeatures` (decision, counts, layer spikes, projected power), minus rasters.
 */
export async function classifyClips(session: SnnSession, model: NwaveModel, clips: readonly FeatureClip[]): Promise<ClipResult[]> {
  const { batch, meanInputLevels, peakInputLevels } = packClips(model, clips);
  const res = await session.runClips(batch);
  const outputs = session.outputs;
  const nLayers = session.layers.length;
  const layersFp = model.fixedPoint.layers;
  return clips.map((_, b) => {
    // Label scores: each label's population of output neurons summed, as classifyFeatures does.
    const counts = populationCounts(
      res.outputCounts.subarray(b * outputs, (b + 1) * outputs),
      model.outputPopulation,
      new Int32Array(model.labels.length),
    );
    const layerSpikes = layersFp.map((l, i) => ({ name: l.name, neurons: l.size, spikes: res.layerSpikes[b * nLayers + i] }));
    const power = getChipConsumption(
      layerSpikes.map((l, i) => ({ ...l, frontend: layersFp[i].type === 'frontend' })),
      batch.steps * model.dtS,
      model.chip,
    );
    const d = decide(model.decision, counts, meanInputLevels[b], peakInputLevels[b]);
    return {
      ...d,
      spikeCounts: Array.from(counts),
      layerSpikes,
      meanInputLevel: meanInputLevels[b],
      peakInputLevel: peakInputLevels[b],
      power,
      steps: batch.steps,
    };
  });
}

/** What one run of a long feature sequence on a backend gives (see {@link streamFeatures}). */
export interface StreamRun {
  events: KeywordEvent[];
  /** Spikes per label over the whole run (each label's output population summed). */
  labelCounts: number[];
  /** Total spikes per layer, frontend first (for the power projection). */
  layerSpikes: number[];
  steps: number;
}

/**
 * Streaming detection over a long feature sequence on any backend: the network runs once from
 * rest over all frames (as `KeywordSpotter` does, never resetting), then the output raster and
 * per-step input levels go through the same `StreamingDetector`, flushed at the end.
 */
export async function streamFeatures(session: SnnSession, model: NwaveModel, clip: FeatureClip): Promise<StreamRun> {
  const { batch } = packClips(model, [clip]);
  const res = await session.runClips(batch, { outputSpikes: true });
  const spikes = res.outputSpikes!;
  const { channels, steps } = batch;
  const outputs = session.outputs;
  const ck = model.checkpoint;
  const det = new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, model.dtS, model.outputPopulation);
  const events: KeywordEvent[] = [];
  for (let t = 0; t < steps; t++) {
    let level = 0;
    for (let c = 0; c < channels; c++) level += clip.data[t * channels + c];
    const e = det.update(spikes.subarray(t * outputs, (t + 1) * outputs), level / channels);
    if (e) events.push(e);
  }
  const last = det.flush(); // a word still being decided at the end of the input, as KeywordSpotter.flush
  if (last) events.push(last);
  const labelCounts = Array.from(
    populationCounts(res.outputCounts.subarray(0, outputs), model.outputPopulation, new Int32Array(model.labels.length)),
  );
  return { events, labelCounts, layerSpikes: Array.from(res.layerSpikes.subarray(0, session.layers.length)), steps };
}

/** The detections of {@link streamFeatures}. */
export async function detectStream(session: SnnSession, model: NwaveModel, clip: FeatureClip): Promise<KeywordEvent[]> {
  return (await streamFeatures(session, model, clip)).events;
}

/**
 * {@link streamFeatures} chunk by chunk on a session's stream (`SnnSession.openStream`): push
 * feature chunks as the filterbank makes them, then `finish`. Same events, counts and layer
 * spikes as one `streamFeatures` call over the concatenated chunks, with memory flat in the
 * recording's length.
 */
export class SessionStreamer {
  private readonly det: StreamingDetector;
  private readonly labelCounts: Int32Array;
  private readonly layerSpikes: number[];
  private readonly q: FixedPointNetwork;
  private steps = 0;
  private readonly events: KeywordEvent[] = [];

  private constructor(
    private readonly model: NwaveModel,
    private readonly stream: SnnStream,
    private readonly channels: number,
    private readonly outputs: number,
  ) {
    const ck = model.checkpoint;
    this.det = new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, model.dtS, model.outputPopulation);
    this.labelCounts = new Int32Array(model.labels.length);
    this.layerSpikes = model.fixedPoint.layers.map(() => 0);
    this.q = new FixedPointNetwork(model.fixedPoint);
  }

  /** Opens the session's stream. @throws InvalidArgumentError when the backend has no streams */
  static async open(session: SnnSession, model: NwaveModel): Promise<SessionStreamer> {
    if (!session.openStream)
      throw new InvalidArgumentError(`the ${session.backend} backend cannot stream (no openStream)`, {
        field: 'backend',
        value: session.backend,
      });
    return new SessionStreamer(model, await session.openStream(), session.channels, session.outputs);
  }

  /** Runs one chunk of features [frames][channels]; returns the detections it completed. */
  async push(clip: FeatureClip): Promise<KeywordEvent[]> {
    const { channels, outputs } = this;
    const n = clip.frames * channels;
    if (clip.frames === 0) return [];
    const x = new Int32Array(n);
    for (let i = 0; i < n; i++) x[i] = this.q.quantizeInput(clip.data[i]);
    const r = await this.stream.run(x, clip.frames);
    r.layerSpikes.forEach((c, l) => (this.layerSpikes[l] += c));
    const chunkCounts = populationCounts(r.outputCounts, this.model.outputPopulation, new Int32Array(this.labelCounts.length));
    for (let k = 0; k < chunkCounts.length; k++) this.labelCounts[k] += chunkCounts[k];
    const found: KeywordEvent[] = [];
    for (let t = 0; t < clip.frames; t++) {
      let level = 0;
      for (let c = 0; c < channels; c++) level += clip.data[t * channels + c];
      const e = this.det.update(r.outputSpikes.subarray(t * outputs, (t + 1) * outputs), level / channels);
      if (e) found.push(e);
    }
    this.steps += clip.frames;
    this.events.push(...found);
    return found;
  }

  /** Flushes the detector, closes the stream and returns the whole run. */
  async finish(): Promise<StreamRun> {
    const last = this.det.flush();
    if (last) this.events.push(last);
    await this.stream.close();
    return { events: this.events, labelCounts: Array.from(this.labelCounts), layerSpikes: this.layerSpikes, steps: this.steps };
  }

  /** Closes the stream without a result (after a failure). */
  async close(): Promise<void> {
    await this.stream.close();
  }
}
