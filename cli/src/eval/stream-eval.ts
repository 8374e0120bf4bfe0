/**
 * Streaming evaluation: the planned stream goes once through a real `KeywordSpotter` (the
 * deployed path: streaming filterbank, fixed-point network, detector). Each step's output spikes
 * and input level are recorded, so the threshold sweep replays only the `StreamingDetector`
 * (same class, same rule) instead of re-running the network: an hour costs one pass, not one per
 * threshold.
 *
 * Scoring: a detection whose time (`endTime`, when it fired) falls in [start, end + tolerance]
 * of an inserted keyword of the same label is a hit (later ones there are duplicates, ignored);
 * every other detection is a false accept (wrong keyword included). Latency = detection time
 * minus the keyword clip's end (negative: fired before the clip ended) and minus its start.
 */
import {
  KeywordSpotter,
  StreamingDetector,
  getChipConsumption,
  type DetectorSettings,
  type KeywordEvent,
  type NwaveModel,
} from '@nwave/runtime';
import type { KeywordInsertion, StreamPlan } from './stream-builder.js';

/** What the network did over the stream. */
export interface StreamRecording {
  steps: number;
  /** Output neurons per step. */
  outputs: number;
  /** Output spikes [steps][outputs] (0/1). */
  outputSpikes: Uint8Array;
  /** Mean filterbank feature per step (the detector's activity gate). */
  levels: Float64Array;
  /** Detections of the spotter itself, with the checkpoint's detector settings. */
  events: KeywordEvent[];
  /** Total spikes per layer (power). */
  layerSpikes: number[];
  /** Wall time of the pass, seconds. */
  runS: number;
}

/**
 * Reads a file's audio at the model rate: all of it (the dataset loader's `loadAudio`), or its
 * blocks as they are read (`audioBlocksAtRateSync`: memory flat in the file's length).
 */
export type AudioLoader = (file: string) => ArrayLike<number> | Iterable<Float32Array>;

/** Samples handed to the spotter at a time. */
const FEED_SAMPLES = 16384;

function isWholeAudio(x: ArrayLike<number> | Iterable<Float32Array>): x is ArrayLike<number> {
  return ArrayBuffer.isView(x) || Array.isArray(x);
}

/** Runs the stream through a `KeywordSpotter`, recording what the detector needs. */
export function recordStream(model: NwaveModel, plan: StreamPlan, load: AudioLoader): StreamRecording {
  const t0 = performance.now();
  const last = model.fixedPoint.layers.length - 1;
  const outputs = model.fixedPoint.layers[last].size;
  const channels = model.fixedPoint.layers[0].size;
  const binSamples = Math.round(model.dtS * plan.sampleRateHz);
  const maxSteps = Math.ceil(plan.totalSamples / Math.max(1, binSamples)) + 1;
  const outputSpikes = new Uint8Array(maxSteps * outputs);
  const levels = new Float64Array(maxSteps);
  const layerSpikes = model.powerLayers.map(() => 0);
  let steps = 0;
  const spotter = new KeywordSpotter(model, {
    inputSampleRateHz: plan.sampleRateHz,
    onStep: (v) => {
      let level = 0;
      for (let c = 0; c < channels; c++) level += v.features[c];
      levels[steps] = level / channels;
      outputSpikes.set(v.spikes[last], steps * outputs);
      for (let l = 0; l <= last; l++) layerSpikes[l] += v.spikeCounts[l];
      steps++;
    },
  });
  const events: KeywordEvent[] = [];
  const feed = (x: Float32Array) => {
    for (let i = 0; i < x.length; i += FEED_SAMPLES) events.push(...spotter.process(x.subarray(i, i + FEED_SAMPLES)));
  };
  const zeros = new Float32Array(FEED_SAMPLES); // digital silence, or a clip's tail padding
  for (const seg of plan.segments) {
    let done = 0;
    if (seg.file !== null) {
      const src = load(seg.file);
      if (isWholeAudio(src)) {
        done = Math.min(seg.samples, src.length);
        feed(Float32Array.from({ length: done }, (_, i) => src[i]));
      } else {
        // Blocks as the file is read: a long recording never sits in memory whole.
        for (const b of src) {
          const n = Math.min(b.length, seg.samples - done);
          feed(b.subarray(0, n));
          done += n;
          if (done >= seg.samples) break;
        }
      }
    }
    for (; done < seg.samples; done += zeros.length) feed(zeros.subarray(0, Math.min(zeros.length, seg.samples - done)));
  }
  events.push(...spotter.flush());
  return {
    steps,
    outputs,
    outputSpikes: outputSpikes.subarray(0, steps * outputs),
    levels: levels.subarray(0, steps),
    events,
    layerSpikes,
    runS: (performance.now() - t0) / 1000,
  };
}

/** Detections over a recording with other detector settings (exactly what the spotter would have said). */
export function replayDetector(model: NwaveModel, rec: StreamRecording, settings: DetectorSettings): KeywordEvent[] {
  const ck = model.checkpoint;
  const det = new StreamingDetector(ck.labels, ck.backgroundLabels, settings, model.dtS, model.outputPopulation);
  const events: KeywordEvent[] = [];
  for (let t = 0; t < rec.steps; t++) {
    const e = det.update(rec.outputSpikes.subarray(t * rec.outputs, (t + 1) * rec.outputs), rec.levels[t]);
    if (e) events.push(e);
  }
  const last = det.flush();
  if (last) events.push(last);
  return events;
}

export interface Hit {
  keyword: KeywordInsertion;
  event: KeywordEvent;
  /** Detection time minus keyword end, seconds. */
  latencyS: number;
  /** Detection time minus keyword start, seconds. */
  latencyFromStartS: number;
}

export interface StreamScore {
  hits: Hit[];
  misses: KeywordInsertion[];
  /** Keywords with no right-label detection but one of another keyword in their window. */
  wrongLabels: KeywordInsertion[];
  falseAccepts: KeywordEvent[];
  duplicates: number;
}

/** Matches detections to insertions (see the module comment). `keywords` are sorted by time. */
export function scoreDetections(
  keywords: readonly KeywordInsertion[],
  events: readonly KeywordEvent[],
  labels: readonly string[],
  toleranceS = 0.5,
): StreamScore {
  const hitBy = new Map<number, Hit>();
  const wrongBy = new Set<number>();
  const falseAccepts: KeywordEvent[] = [];
  let duplicates = 0;
  let k = 0;
  for (const e of events) {
    const t = e.endTime;
    while (k < keywords.length && keywords[k].endS + toleranceS < t) k++;
    const kw = keywords[k];
    if (kw && t >= kw.startS && labels[kw.label] === e.label) {
      if (hitBy.has(k)) duplicates++;
      else hitBy.set(k, { keyword: kw, event: e, latencyS: t - kw.endS, latencyFromStartS: t - kw.startS });
    } else {
      if (kw && t >= kw.startS) wrongBy.add(k);
      falseAccepts.push(e);
    }
  }
  const hits = [...hitBy.values()];
  return {
    hits,
    misses: keywords.filter((_, i) => !hitBy.has(i)),
    wrongLabels: keywords.filter((_, i) => !hitBy.has(i) && wrongBy.has(i)),
    falseAccepts,
    duplicates,
  };
}

/** Projected chip power over the whole stream (estimate). */
export function streamPower(model: NwaveModel, rec: StreamRecording): number {
  return getChipConsumption(
    model.powerLayers.map((l, i) => ({ ...l, spikes: rec.layerSpikes[i] })),
    rec.steps * model.dtS,
    model.chip,
  ).totalW;
}
