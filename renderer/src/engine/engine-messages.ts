/**
 * The protocol between the UI thread and the engine worker, one union per direction keyed by
 * `type`. Audio does not pass through the UI thread: the capture worklet posts chunks straight
 * to the worker over a MessagePort (`AudioChunkMessage`).
 */
import type { DetectorSettings, KeywordEvent } from '@nwave/runtime';
import type { ChipChoice } from './chip-choice.js';
import type { WireError } from '@nwave/electron/shared/ipc-contract';

/** 'a' drives the rasters; 'b' is the optional second model of a side-by-side comparison. */
export type ModelSlot = 'a' | 'b';

/**
 * Detector settings over the model file's own (`withDetectorSettings`); `{}` = the file's. Each
 * message replaces the previous overrides (they do not accumulate).
 */
export type DetectorOverrides = Partial<DetectorSettings>;

/** Capture worklet -> worker. */
export interface AudioChunkMessage {
  samples: Float32Array;
}

export type EngineRequest =
  | { type: 'connect-audio'; port: MessagePort; sampleRateHz: number }
  /**
   * `detector`: overrides to run the model with from its first step (default: none); `chip`: run
   * that simulated chip of the model (`simulatedChip`: the chip profile's nominal mismatch, with its
   * calibration's count gains when it has them) instead of the nominal network.
   */
  | { type: 'set-model'; slot: ModelSlot; text: string | null; source: string; detector?: DetectorOverrides; chip?: ChipChoice }
  /**
   * Changes the running detector's settings of a slot at once (`KeywordSpotter.setDetectorSettings`:
   * its window, the microphone and the rasters carry on; another `windowS` is refused).
   */
  | { type: 'set-detector'; slot: ModelSlot; overrides: DetectorOverrides }
  /** A new stream starts (source changed): stream time back to 0, state cleared. */
  | { type: 'reset' }
  /** Keep the next `durationS` seconds of input and send them back (`recorded`). */
  | { type: 'record'; id: number; durationS: number }
  /** Test hook: keep the first `seconds` of input after the next reset (`debug-tap`). */
  | { type: 'debug-tap'; seconds: number };

/** Steps of one model since the last frame, packed for transfer. */
export interface StepBatch {
  firstStep: number;
  count: number;
  dtS: number;
  /** Neurons per layer; `spikes` rows are the layers concatenated. */
  layerSizes: number[];
  /** [count][sum(layerSizes)] 0/1. */
  spikes: Uint8Array;
  channels: number;
  /** [count][channels] filterbank features. */
  features: Float32Array;
}

/** Projected chip power of one model (estimate from its chip profile). */
export interface PowerSnapshot {
  slot: ModelSlot;
  profile: string;
  staticUw: number;
  dynamicUw: number;
  totalUw: number;
  /** Energy of one inference (one `recordingDurationS` clip) at the current power, nJ. */
  energyPerInferenceNj: number;
  inferenceS: number;
  /** Seconds of activity the figure averages over. */
  windowS: number;
  spikeRateHz: number;
  layers: { name: string; neurons: number; rateHz: number; frontend: boolean }[];
}

/**
 * Each class's confidence over the detector's current window (softmax of the window spike counts,
 * as the detector decides), sampled once per frame: the live per-keyword meters.
 */
export interface ConfidenceSnapshot {
  slot: ModelSlot;
  /** Stream time of the sample, s. */
  timeS: number;
  /** Per label (model order); all 0 while the window holds no output spike. */
  probs: number[];
  /** Window spike count per label. */
  counts: number[];
}

export interface LevelSnapshot {
  rmsDb: number;
  peakDb: number;
  /** Input samples since the previous frame. */
  samples: number;
}

export type EngineEvent =
  | { type: 'ready' }
  /** `chip`: the simulated chip the slot runs (null: the nominal network). */
  | { type: 'model-ready'; slot: ModelSlot; source: string; labels: string[]; dtS: number; chip: ChipChoice | null }
  | { type: 'model-cleared'; slot: ModelSlot }
  | { type: 'model-error'; slot: ModelSlot; source: string; error: WireError }
  /** The detector settings in effect for a slot (after `set-model` and every `set-detector`). */
  | {
      type: 'detector';
      slot: ModelSlot;
      /** The model's source, as in `set-model` (tells a late answer about a replaced model apart). */
      source: string;
      settings: DetectorSettings;
      /** True when they differ from the model file's (overrides were given). */
      overridden: boolean;
      /** First step (and its stream time, s) decided with these settings. */
      fromStep: number;
      fromS: number;
    }
  /** Overrides refused (invalid value, no model): the previous settings stay in effect. */
  | { type: 'detector-error'; slot: ModelSlot; error: WireError }
  | {
      type: 'frame';
      streamTimeS: number;
      sampleRateHz: number;
      level: LevelSnapshot;
      /** Model A's steps (rasters), and model B's when a comparison model is loaded. */
      steps: StepBatch | null;
      compareSteps: StepBatch | null;
      power: PowerSnapshot[];
      confidence: ConfidenceSnapshot[];
    }
  | {
      type: 'detection';
      slot: ModelSlot;
      event: KeywordEvent;
      /** Stream time at the end of the audio chunk whose processing fired the detection, s. */
      chunkEndS: number;
      /** Wall clock (ms since epoch) when that chunk reached the worker. */
      arrivedAtMs: number;
      postedAtMs: number;
    }
  | { type: 'recorded'; id: number; samples: Float32Array; sampleRateHz: number }
  | { type: 'debug-tap'; samples: Float32Array; sampleRateHz: number }
  | { type: 'error'; error: WireError };
