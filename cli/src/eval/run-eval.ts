/**
 * `nwave eval` without the terminal: clip accuracy, streaming false accepts, mismatch Monte
 * Carlo and power, all computed by the runtime on the checkpoint as deployed. Returns the stable
 * JSON summary plus the raw material the HTML report draws (per-clip power, rasters, stream).
 */
import path from 'node:path';
import type { NwaveModel } from '@nwave/runtime';
import { audioBlocksAtRateSync } from '@nwave/runtime/node';
import { afterWordActivity, evaluateClips, type ClipOutcome } from '@nwave/data/metrics';
import { NON_KEYWORD, loadEvalData, type EvalClip, type EvalData } from './dataset.js';
import {
  DEFAULT_CHIPS,
  DEFAULT_MISMATCH_CLIPS,
  evaluateMismatch,
  loadCalibrationData,
  mismatchLevels,
  mismatchSubset,
} from './evaluate-mismatch.js';
import { evaluateStreaming, type StreamingDetails } from './evaluate-streaming.js';
import { loadStreamSources, type StreamSplit } from './stream-sources.js';
import type { EvalSummary } from './summary.js';

export interface EvalOptions {
  /** Data root `DIR/<class>/*.wav`. */
  data: string;
  /** Seed of the stream, the chips and `maxClips`. @defaultValue 1 */
  seed?: number;
  /** Simulated chips per mismatch level; 0 skips the Monte Carlo. @defaultValue 20 */
  chips?: number;
  /** σ levels, weight units. @defaultValue `mismatchLevels(model.chip)`: 0, 0.01, 0.02, nominal σ (H1v1 0.036), 0.05 */
  mismatchLevels?: readonly number[];
  /** @defaultValue true */
  leakMismatch?: boolean;
  /** @defaultValue false */
  frontendMismatch?: boolean;
  /**
   * Folder of unlabeled audio (same layouts as `data`; labels unused) on which each simulated chip
   * is calibrated (`calibrateOutputGains`, at most MAX_CALIBRATION_CLIPS clips, seeded):
   * the Monte Carlo then also reports the calibrated chips.
   */
  chipCalibration?: string;
  /** Clips per simulated chip (seeded subset). @defaultValue 1000 */
  mismatchClips?: number;
  /** Stream length, hours; 0 skips the streaming evaluation. @defaultValue 0.25, or one pass over `streamNegatives` */
  streamHours?: number;
  /** Each stream keyword right after the first `streamLeadInS` s of other speech, no pause. @defaultValue 0 */
  streamLeadInS?: number;
  /** Folders of other speech for the stream (every audio file, recursive); replaces the data folder's clips in the stream. */
  streamNegatives?: readonly string[];
  /** Folder `<label>/*` of keyword clips inserted into the `streamNegatives` stream. @defaultValue the data folder's keyword clips */
  streamKeywords?: string;
  /** Which half of `streamNegatives` (see stream-sources.ts). @defaultValue 'eval' */
  streamSplit?: StreamSplit;
  /** Detection tolerance after a keyword's end, seconds. @defaultValue 0.5 */
  toleranceS?: number;
  /** Evaluate a seeded subset of this many clips. */
  maxClips?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (msg: string) => void;
}

/** Spike rasters of one clip, per layer [steps][size]. */
export interface RasterExample {
  file: string;
  trueLabel: string;
  predicted: string;
  accepted: boolean;
  steps: number;
  dtS: number;
  layers: { name: string; size: number; raster: Uint8Array }[];
}

export interface EvalDetails {
  summary: EvalSummary;
  data: EvalData;
  outcomes: ClipOutcome[];
  streaming: StreamingDetails | null;
  rasters: RasterExample[];
}

/**
 * One example clip per true class, re-run with rasters recorded: the first one decided right
 * (keyword accepted as itself, non-keyword rejected) to show what the network does when it works,
 * else the first one.
 */
function rasterExamples(model: NwaveModel, clips: readonly EvalClip[], outcomes: readonly ClipOutcome[]): RasterExample[] {
  const rows = [...model.labels.keys(), NON_KEYWORD];
  const right = (i: number) => (clips[i].keyword ? outcomes[i].accepted && outcomes[i].index === clips[i].label : !outcomes[i].accepted);
  return rows.flatMap((row) => {
    const ofRow = clips.map((_, i) => i).filter((i) => clips[i].label === row);
    const pick = ofRow.find(right) ?? ofRow[0];
    if (pick === undefined) return [];
    const c = clips[pick];
    const r = model.classifyFeatures(c.features, c.frames, { record: true });
    const layers = model.fixedPoint.layers.map((l, i) => ({ name: l.name, size: l.size, raster: r.rasters![i] }));
    return [
      {
        file: c.file,
        trueLabel: row >= 0 ? model.labels[row] : '(non-keyword)',
        predicted: r.label,
        accepted: r.accepted,
        steps: r.steps,
        dtS: model.dtS,
        layers,
      },
    ];
  });
}

/** Runs the whole evaluation (synchronous: CPU bound, no I/O worth overlapping). */
export function runEvaluation(model: NwaveModel, modelFile: string, opts: EvalOptions): EvalDetails {
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 1;
  const t0 = performance.now();
  const data = loadEvalData(model, opts.data, { maxClips: opts.maxClips, seed });
  const clips = data.clips;
  // Loaded before any long work: a bad folder is refused at once.
  const calibrationClips =
    (opts.chips ?? DEFAULT_CHIPS) > 0 && clips.length > 0 && opts.chipCalibration !== undefined
      ? loadCalibrationData(model, opts.chipCalibration, seed, log)
      : null;
  if (calibrationClips) log(`chip calibration: each chip calibrated on ${calibrationClips.length} clips of ${opts.chipCalibration}`);
  const { metrics, outcomes, power } = evaluateClips(model, clips);
  const keywordClips = clips.filter((c) => c.keyword);
  const afterWord = keywordClips.length ? afterWordActivity(model, keywordClips) : null;
  const clipsS = (performance.now() - t0) / 1000;
  log(`clips: ${clips.length} evaluated in ${clipsS.toFixed(2)} s (${(clips.length / clipsS).toFixed(0)} clips/s)`);

  const t1 = performance.now();
  let streaming: StreamingDetails | null = null;
  const rate = model.filterbank.sampleRateHz;
  if (opts.streamNegatives?.length) {
    // Real long recordings: folders of other speech, keyword clips from their own folder (or the data's).
    const set = loadStreamSources(model, { negatives: opts.streamNegatives, keywords: opts.streamKeywords, split: opts.streamSplit });
    if (set.failures.length)
      log(`stream: ${set.failures.length} unreadable file(s) left out, first: ${set.failures[0].file}: ${set.failures[0].reason}`);
    const sources = opts.streamKeywords
      ? set.sources
      : [...set.sources, ...clips.filter((c) => c.keyword).map((c) => ({ ...c, file: path.join(opts.data, c.file) }))];
    const keywordS = sources.filter((s) => s.keyword).reduce((a, s) => a + s.durationS, 0) / Math.max(1, set.keywords);
    // Default: each negative file about once (one keyword per ~7 s gap of other speech).
    const hours = opts.streamHours ?? (set.negativeS * (1 + keywordS / 7)) / 3600;
    if (hours > 0 && sources.length > 0) {
      streaming = evaluateStreaming(model, sources, (f) => audioBlocksAtRateSync(f, rate), {
        hours,
        seed,
        toleranceS: opts.toleranceS,
        leadInS: opts.streamLeadInS,
      });
      streaming.summary.source = {
        negatives: [...opts.streamNegatives],
        keywords: opts.streamKeywords ?? null,
        split: opts.streamSplit ?? 'eval',
        negativeFiles: set.negatives,
        keywordFiles: sources.length - set.negatives,
        negativeS: set.negativeS,
      };
    }
  } else {
    const streamHours = opts.streamHours ?? 0.25;
    if (streamHours > 0 && clips.length > 0)
      streaming = evaluateStreaming(model, clips, (f) => audioBlocksAtRateSync(path.join(opts.data, f), rate), {
        hours: streamHours,
        seed,
        toleranceS: opts.toleranceS,
        leadInS: opts.streamLeadInS,
      });
  }
  if (streaming) {
    const s = streaming.summary;
    log(
      `stream: ${(s.hours * 60).toFixed(1)} min, ${s.keywords} keywords, ${s.misses} missed, ${s.falseAcceptsPerHour.toFixed(2)} false accepts/h (${s.realTimeFactor.toFixed(0)}x real time)`,
    );
  }
  const streamingS = (performance.now() - t1) / 1000;

  const chips = opts.chips ?? DEFAULT_CHIPS;
  const t2 = performance.now();
  const mismatch =
    chips > 0 && clips.length > 0
      ? evaluateMismatch(model, mismatchSubset(clips, opts.mismatchClips ?? DEFAULT_MISMATCH_CLIPS, seed), {
          chips,
          seed,
          levels: opts.mismatchLevels ?? mismatchLevels(model.chip),
          leakMismatch: opts.leakMismatch,
          frontend: opts.frontendMismatch,
          calibration: calibrationClips ?? undefined,
          // One line per finished level: the Monte Carlo is the longest part of a run.
          onProgress: (done, total) => {
            if (done % chips === 0) log(`mismatch: ${done / chips} of ${total / chips} levels done`);
          },
        })
      : null;
  const mismatchS = (performance.now() - t2) / 1000;
  if (mismatch) log(`mismatch: ${chips} chips x ${mismatch.levels.length} levels on ${mismatch.clips} clips in ${mismatchS.toFixed(1)} s`);

  const summary: EvalSummary = {
    model: {
      name: model.checkpoint.name,
      file: modelFile,
      labels: [...model.labels],
      backgroundLabels: [...model.checkpoint.backgroundLabels],
      chipProfile: model.chip.id,
      detector: model.checkpoint.detector,
    },
    data: {
      dir: opts.data,
      clips: clips.length,
      keywordClips: metrics.keywordClips,
      nonKeywordClips: metrics.nonKeywordClips,
      skipped: data.failures.length,
      folders: data.folders,
    },
    labels: [...model.labels],
    accuracy: metrics.accuracy,
    argmaxAccuracy: metrics.argmaxAccuracy,
    rejection: metrics.rejection,
    confusionRows: metrics.confusionRows,
    confusion: metrics.confusion,
    perClass: metrics.perClass,
    perFolder: metrics.perFolder,
    perSpeaker: metrics.perSpeaker,
    afterWordActivity: afterWord,
    streaming: streaming?.summary ?? null,
    mismatch,
    power: { estimate: true, profile: model.chip.id, ...power },
    clipsPerSecond: clipsS > 0 ? clips.length / clipsS : 0,
    timingsS: { clips: clipsS, streaming: streamingS, mismatch: mismatchS, total: (performance.now() - t0) / 1000 },
  };
  return { summary, data, outcomes, streaming, rasters: rasterExamples(model, clips, outcomes) };
}
