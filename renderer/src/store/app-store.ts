/**
 * The UI state that is not per-frame (per-frame data goes straight from the engine to the
 * canvases): a plain object, shallow updates, and change listeners per key.
 */
import { describeSimulatedChip } from '@nwave/runtime';
import type { DetectorSettings, KeywordEvent, NwaveModel } from '@nwave/runtime';
import type { ChipChoice } from '../engine/chip-choice.js';
import type { AppInfo, Settings } from '@nwave/electron/shared/ipc-contract';
import type { ModelSlot, PowerSnapshot } from '../engine/engine-messages.js';
import type { SourceKind } from '../audio/audio-engine.js';

export interface LoadedModel {
  /** The nominal network of the file (model info, constraints, rasters' shapes, the ONNX backend). */
  model: NwaveModel;
  /** File name, for display. */
  name: string;
  path: string | null;
  text: string;
  note?: string;
  /** The simulated chip of the model that runs instead of the nominal network (live and in file results). */
  chip?: { choice: ChipChoice; model: NwaveModel; calibration?: ChipCalibrationNote };
}

/** What a chip's calibration ran on (its gains are in the choice). */
export interface ChipCalibrationNote {
  /** Audio files the chip and the nominal network both heard. */
  files: number;
  /** Files that could not be decoded: name and reason of the first, and how many. */
  skipped: { count: number; first?: string };
  /** Labels whose gain hit the allowed range. */
  clamped: string[];
}

/** What a slot runs: its simulated chip when one is chosen, else the nominal network. */
export function runningModel(m: LoadedModel): NwaveModel {
  return m.chip?.model ?? m.model;
}

/** "default-yes-no" or "default-yes-no · simulated chip 3, seed 1": a slot's title. */
export function runningTitle(m: LoadedModel, name = m.model.checkpoint.name): string {
  if (!m.chip) return name;
  return `${name} · ${describeSimulatedChip(m.chip.choice)}${m.chip.choice.countGains ? ', calibrated' : ''}`;
}

export interface DetectionRecord {
  id: number;
  slot: ModelSlot;
  event: KeywordEvent;
  /** Wall clock when the UI received it. */
  receivedAt: Date;
  /** Worker arrival of the audio chunk -> UI receipt, ms. */
  pipelineMs: number;
}

/** Detector settings the engine runs a slot with (as it last confirmed them). */
export interface LiveDetector {
  settings: DetectorSettings;
  /** True when they are not the model file's own (a threshold chosen in the live view). */
  overridden: boolean;
}

export interface AppState {
  info: AppInfo | null;
  settings: Settings | null;
  models: Record<ModelSlot, LoadedModel | null>;
  source: SourceKind;
  sourceLabel: string;
  sampleRateHz: number;
  detections: DetectionRecord[];
  power: Record<ModelSlot, PowerSnapshot | null>;
  /** Null until the engine confirmed the settings of the slot's current model. */
  detector: Record<ModelSlot, LiveDetector | null>;
  /** Last problem to show in the status bar (cleared on success). */
  error: { message: string; code?: string } | null;
  notice: string | null;
}

type Listener<K extends keyof AppState> = (value: AppState[K], state: AppState) => void;

export class AppStore {
  readonly state: AppState = {
    info: null,
    settings: null,
    models: { a: null, b: null },
    source: 'idle',
    sourceLabel: '',
    sampleRateHz: 0,
    detections: [],
    power: { a: null, b: null },
    detector: { a: null, b: null },
    error: null,
    notice: null,
  };
  private readonly listeners = new Map<keyof AppState, Set<Listener<keyof AppState>>>();

  set<K extends keyof AppState>(key: K, value: AppState[K]): void {
    this.state[key] = value;
    for (const l of this.listeners.get(key) ?? []) l(value, this.state);
  }

  /** Calls `listener` now and on every change of `key`. */
  watch<K extends keyof AppState>(key: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener as Listener<keyof AppState>);
    listener(this.state[key], this.state);
    return () => set.delete(listener as Listener<keyof AppState>);
  }

  setModel(slot: ModelSlot, model: LoadedModel | null): void {
    this.set('models', { ...this.state.models, [slot]: model });
  }

  setDetector(slot: ModelSlot, d: LiveDetector | null): void {
    this.set('detector', { ...this.state.detector, [slot]: d });
  }

  setPower(p: PowerSnapshot): void {
    this.set('power', { ...this.state.power, [p.slot]: p });
  }

  addDetection(d: DetectionRecord, keep = 200): void {
    this.set('detections', [d, ...this.state.detections].slice(0, keep));
  }

  fail(err: unknown): void {
    const e = err as { message?: string; code?: string };
    this.set('error', { message: e?.message ?? String(err), code: e?.code });
  }
}
