/**
 * The `nwave eval --json` object: one stable, documented shape. Fields are only ever added;
 * a score is `null` (never NaN) when the data holds nothing to compute it on. Ratios are 0..1,
 * power in watts (projected estimates from the chip profile), times in seconds unless named `Ms`.
 */
import type { DetectorSettings } from '@nwave/runtime';
import type { AfterWordActivity, PerClassRow, PerFolderRow, PerSpeakerRow, PowerStats } from '@nwave/data/metrics';

/** One point of the detector threshold sweep. */
export interface CurvePoint {
  /** Detector confidence threshold (every label). */
  threshold: number;
  falseAcceptsPerHour: number;
  missRate: number;
}

export interface StreamingSummary {
  hours: number;
  /** Keywords glued to the first `leadInS` s of other speech (no pause); absent: placed after whole clips. */
  leadInS?: number;
  /** Keyword clips inserted into the stream. */
  keywords: number;
  misses: number;
  missRate: number | null;
  /** Keywords missed because the detector named another keyword in their window (part of `misses`). */
  wrongLabels: number;
  wrongLabelRate: number | null;
  /** Stream time that is not an inserted keyword, hours: the DET's false-accept denominator. */
  otherSpeechHours: number;
  /** The checkpoint detector's false accepts per hour of other speech. */
  falseAcceptsPerHourOfOtherSpeech: number;
  falseAccepts: number;
  /** False accepts per hour of stream (all of it: background and keywords). */
  falseAcceptsPerHour: number;
  /** Detection time minus keyword clip end (ms; negative = before the clip ended). Null without hits. */
  latencyMs: { mean: number; p50: number; p90: number } | null;
  /** Detection time minus keyword clip start (ms). */
  latencyFromStartMs: { mean: number; p50: number; p90: number } | null;
  /** Detections window: from keyword start to keyword end + this, seconds. */
  toleranceS: number;
  /** Projected chip power over the stream (estimate), watts. */
  meanPowerW: number;
  /** Threshold sweep (openWakeWord-style curve), thresholds ascending. */
  curve: CurvePoint[];
  /** Lowest miss rate with at most `falseAcceptsPerHour` false accepts per hour (null: no threshold gets there). */
  missRateAt: { falseAcceptsPerHour: number; missRate: number | null; threshold: number | null }[];
  /**
   * DET curve (contract shared with the app and the trainer's provenance `metrics.streamingDet`):
   * miss rate and false accepts per hour OF OTHER SPEECH (keyword time excluded) over a fine
   * threshold grid, thresholds ascending.
   */
  det: CurvePoint[];
  /** Lowest DET miss rate with at most 10, 50 and 200 false accepts per hour of other speech. */
  detMissRateAt: { falseAcceptsPerHour: number; missRate: number | null; threshold: number | null }[];
  /** Where the stream came from: the evaluation clips, or `--stream-negatives` / `--stream-keywords` folders. */
  source?: { negatives: string[]; keywords: string | null; split: string; negativeFiles: number; keywordFiles: number; negativeS: number };
  /** Times faster than real time (stream seconds per wall second). */
  realTimeFactor: number;
  seed: number;
}

/** Scores of a set of simulated chips. */
export interface ChipScores {
  /** Keyword accuracy over chips (null without keyword clips). */
  mean: number | null;
  p5: number | null;
  /** 90 % bootstrap interval of `p5` over the chips (how much another set of chips could move it); null under 2 chips. */
  p5Interval: [number, number] | null;
  min: number | null;
  max: number | null;
  rejectionMean: number | null;
  /** Keyword accuracy of each chip, chip order. */
  accuracies: (number | null)[];
}

export interface MismatchLevel extends ChipScores {
  /** Synaptic mismatch σ, weight units. */
  stddev: number;
  argmaxMean: number | null;
  /** The same chips, each deciding with its output calibration (`--chip-calibration`); null without one. */
  calibrated: ChipScores | null;
}

export interface MismatchSummary {
  chips: number;
  /** Clips each chip is evaluated on (when the data is larger than `--mismatch-clips`: keyword clips first, then non-keyword, seeded). */
  clips: number;
  seed: number;
  leakMismatch: boolean;
  frontend: boolean;
  nominalStddev: number;
  /** Clips each chip was calibrated on (`--chip-calibration`); null: chips not calibrated. */
  calibrationClips: number | null;
  /** Scores of the deployed checkpoint (no mismatch) on the same clips. */
  deployed: { accuracy: number | null; argmaxAccuracy: number | null; rejection: number | null };
  levels: MismatchLevel[];
}

/** Per-clip projected power (mean, 5th and 95th percentiles), watts; mean energy of one inference (one clip), joules. */
export interface PowerSummary extends PowerStats {
  estimate: true;
  profile: string;
}

export interface EvalSummary {
  model: {
    name: string;
    file: string;
    labels: string[];
    backgroundLabels: string[];
    chipProfile: string;
    /** Detector settings in effect: the checkpoint's, with --threshold / --label-threshold / --min-spikes applied. */
    detector: DetectorSettings;
  };
  data: {
    dir: string;
    clips: number;
    keywordClips: number;
    nonKeywordClips: number;
    skipped: number;
    folders: { folder: string; label: string | null; keyword: boolean; clips: number }[];
  };
  labels: string[];
  /** Keyword clips detected as the right keyword with the full rejection rule. */
  accuracy: number | null;
  /** Keyword clips whose arg-max is the right keyword. */
  argmaxAccuracy: number | null;
  /** Non-keyword clips not accepted as any keyword. */
  rejection: number | null;
  /** Row names of `confusion` (labels, plus `(non-keyword)` when the model has no background label). */
  confusionRows: string[];
  /** confusion[row][arg-max label]. */
  confusion: number[][];
  perClass: PerClassRow[];
  perFolder: PerFolderRow[];
  perSpeaker: PerSpeakerRow[];
  /**
   * Activity in the silence after the keyword clips (null without keyword clips): a high
   * `noPauseShare` means the detector waits a whole window to end words, so stream detections come late.
   */
  afterWordActivity: AfterWordActivity | null;
  streaming: StreamingSummary | null;
  mismatch: MismatchSummary | null;
  power: PowerSummary;
  /** Clips loaded, featurized and classified per wall second. */
  clipsPerSecond: number;
  timingsS: { clips: number; streaming: number; mismatch: number; total: number };
}
