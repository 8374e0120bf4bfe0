/**
 * The one typed IPC surface between the Electron main process (or the browser dev server) and
 * the renderer. The renderer imports this file with `import type` only, except for the
 * `API_CHANNELS` table, which the preload and the browser shim share, and the
 * `MAX_DETECTOR_THRESHOLDS` bound.
 *
 * - `InvokeChannels`: request/response channels (the renderer awaits a Promise).
 * - `SendChannels`: one-way renderer -> main messages.
 * - `MainEvents`: one-way main -> renderer events.
 * - `NwaveApi`: what the preload exposes as `window.nwave` (one function per action).
 *
 * Every invoke answers with an {@link InvokeResult} envelope so that errors keep their
 * `code` and `context` across the boundary (Electron's own rejection keeps only the message).
 */
import type { ErrorRecord } from '@nwave/runtime';
import type { LoadedDemoProfile } from './demo-profile.js';

/** An error as it crosses a process boundary: the runtime's `errorToJSON` record; rebuild it with `errorFromJSON`. */
export type WireError = ErrorRecord;

export type InvokeResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/**
 * Files and folders: every `path`/`folder`/`data`/`out` field the renderer sends or receives is a
 * capability handle issued by main (`cap-<token>:<name>[/<entry>]`), never a file-system path.
 * Handles come from dialogs (`openModelDialog`, `pickFolder`), drops (`pathForFile`), listings
 * (`scanAudioFolder` entries) and the app's data folder (`AppInfo.modelsDir`). See
 * electron/src/handlers/capabilities.ts.
 */
export type FileHandle = string;

export interface AppInfo {
  version: string;
  /** 'electron' in the desktop app, 'web' under `npm run web`. */
  shell: 'electron' | 'web';
  platform: string;
  /** Native open-file/folder dialogs are available. */
  dialogs: boolean;
  /** Handle of the folder where settings, training runs and trained models are kept. */
  userDataDir: FileHandle;
  /** Handle of the folder proposed for trained models. */
  modelsDir: FileHandle;
}

/** A checkpoint as text, plus where it came from. */
export interface ModelFile {
  /** Capability handle, or null when the file came from the browser (no path). */
  path: FileHandle | null;
  /** File name for display. */
  name: string;
  text: string;
  /** True when this is the bundled default (or the fallback fixture). */
  bundled: boolean;
  /** Set when the bundled default was missing and a fallback was loaded. */
  note?: string;
}

export interface AudioFileEntry {
  path: string;
  name: string;
  bytes: number;
}

export interface AudioFolderListing {
  root: string;
  files: AudioFileEntry[];
  /** Entries that were skipped (too large, unreadable), with a reason. */
  skipped: { path: string; reason: string }[];
}

export interface AudioFileData {
  path: string;
  name: string;
  data: Uint8Array;
}

export interface DataFolderSummary {
  root: string;
  /** Class folders (`DATA/<class>/*.wav`), sorted by code point, with their clip counts. */
  classes: { name: string; clips: number }[];
}

export interface RecordingRequest {
  /** Data folder (absolute path); the clip goes to `<folder>/<word>/`. */
  folder: string;
  word: string;
  sampleRateHz: number;
  samples: Float32Array;
}

/** Persistent settings; every field has a default. */
export interface Settings {
  version: 1;
  /** Microphone deviceId ('' = system default). */
  inputDeviceId: string;
  /** Last model file opened by path (null = bundled default). */
  modelPath: string | null;
  /** Second model for side-by-side comparison. */
  compareModelPath: string | null;
  /** Seconds of history in the rasters and heatmap. */
  rasterWindowS: number;
  dataFolder: string;
  trainWords: string[];
  trainBackground: boolean;
  trainEpochs: number;
  /** Chip to train for (short name, `h1v2`); null = not chosen yet (the runtime's default chip). */
  trainChip: string | null;
  /** Training recipe; null = not chosen yet (the panel's default, `keyword-spotter`, with its epochs). */
  trainRecipe: string | null;
  recordWord: string;
  /** Seconds per recorded example. */
  recordSeconds: number;
  /**
   * Confidence threshold chosen in the live view, per model (checkpoint name -> 0..1). A model
   * without an entry runs with its file's detector settings.
   */
  detectorThresholds: Record<string, number>;
}

export type SettingsPatch = Partial<Omit<Settings, 'version'>>;

/** Models remembered in `Settings.detectorThresholds` (the renderer drops the oldest beyond this). */
export const MAX_DETECTOR_THRESHOLDS = 100;

export interface TrainingRequest {
  data: string;
  words: string[];
  background: boolean;
  epochs: number;
  /** Output checkpoint; default: a new file in `AppInfo.modelsDir`. */
  out?: string;
  seed?: number;
  /** Continue from `<out>.train-state.json` (written after every epoch) when it exists. */
  resume?: boolean;
  /** Chip to train for: a chip profile's short name or id (default: the runtime's default chip). */
  chip?: string;
  /** Named training recipe (`TrainingRecipeInfo.name`; default: the trainer's, `sdk`). */
  recipe?: string;
}

/** A training recipe as the panel offers it (the trainer's recipes, training/src/train/recipes.ts). */
export interface TrainingRecipeInfo {
  name: string;
  description: string;
  /** The recipe's epochs per chip short name. */
  epochs: Record<string, number>;
}

/** One epoch as the trainer reports it (it may add fields; these are the ones the app reads). */
export interface EpochRow {
  epoch: number;
  epochs: number;
  loss: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** Mean spikes per neuron per simulation step, per layer. */
  firingRates: number[];
  etaS: number;
}

export type TrainingStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** A training run as persisted (one JSON file per run, rewritten atomically after every epoch). */
export interface TrainingRunRecord {
  runId: string;
  request: Required<Omit<TrainingRequest, 'seed' | 'resume' | 'chip' | 'recipe'>> &
    Pick<TrainingRequest, 'seed' | 'resume' | 'chip' | 'recipe'>;
  status: TrainingStatus;
  startedAt: string;
  endedAt?: string;
  rows: EpochRow[];
  valAccuracy?: number;
  /** Warnings about the saved model (the trainer's `warnings`). */
  warnings?: string[];
  error?: WireError;
}

export type TrainingEvent =
  | { type: 'started'; runId: string; out: string }
  | { type: 'stage'; runId: string; stage: string; done?: number; total?: number }
  | { type: 'epoch'; runId: string; row: EpochRow }
  | { type: 'done'; runId: string; out: string; valAccuracy: number; warnings?: string[] }
  | { type: 'failed'; runId: string; error: WireError }
  /** Stopped on request; when the trainer kept its best epoch so far, `out` names the saved model. */
  | { type: 'cancelled'; runId: string; out?: string; valAccuracy?: number; warnings?: string[] };

export type MicAccess = 'granted' | 'denied' | 'restricted' | 'not-determined' | 'unknown';

/** Request/response channels: name -> signature (arguments are validated in main). */
export interface InvokeChannels {
  'app:info': () => AppInfo;
  'settings:get': () => Settings;
  'settings:update': (patch: SettingsPatch) => Settings;
  'model:load-default': () => ModelFile;
  'model:read': (path: string) => ModelFile;
  'model:open-dialog': () => ModelFile | null;
  'folder:pick': (purpose: 'data' | 'audio') => string | null;
  'audio:scan-folder': (path: string) => AudioFolderListing;
  'audio:read': (path: string) => AudioFileData;
  'data:scan': (path: string) => DataFolderSummary;
  'recording:save': (req: RecordingRequest) => { file: string; clips: number };
  'training:start': (req: TrainingRequest) => { runId: string; out: string };
  'training:cancel': (runId: string) => boolean;
  'training:runs': () => TrainingRunRecord[];
  'training:recipes': () => TrainingRecipeInfo[];
  'mic:request-access': () => MicAccess;
  /** The demo profile chosen at start (flag, environment, File menu, bundled), its models read; null = none. */
  'profile:get': () => LoadedDemoProfile | null;
}

export type InvokeChannel = keyof InvokeChannels;
export type InvokeArgs<C extends InvokeChannel> = Parameters<InvokeChannels[C]>;
export type InvokeReturn<C extends InvokeChannel> = ReturnType<InvokeChannels[C]>;

/** Main-side implementation of every invoke channel (plain async functions). */
export type InvokeHandlers = { [C in InvokeChannel]: (...args: InvokeArgs<C>) => Promise<InvokeReturn<C>> };

/** One-way renderer -> main messages. */
export interface SendChannels {
  /** The renderer is listening: main flushes the events it queued. */
  'renderer:ready': () => void;
}

/** Main -> renderer events. */
export interface MainEvents {
  'training:event': TrainingEvent;
}

export type MainEventChannel = keyof MainEvents;

/** `window.nwave` method name -> invoke channel. The preload and the web shim build one function per entry. */
export const API_CHANNELS = {
  getAppInfo: 'app:info',
  getSettings: 'settings:get',
  updateSettings: 'settings:update',
  loadDefaultModel: 'model:load-default',
  readModel: 'model:read',
  openModelDialog: 'model:open-dialog',
  pickFolder: 'folder:pick',
  scanAudioFolder: 'audio:scan-folder',
  readAudioFile: 'audio:read',
  scanDataFolder: 'data:scan',
  saveRecording: 'recording:save',
  startTraining: 'training:start',
  cancelTraining: 'training:cancel',
  listTrainingRuns: 'training:runs',
  listTrainingRecipes: 'training:recipes',
  requestMicrophoneAccess: 'mic:request-access',
  getDemoProfile: 'profile:get',
} as const satisfies Record<string, InvokeChannel>;

type ApiInvokes = {
  [M in keyof typeof API_CHANNELS]: (...args: InvokeArgs<(typeof API_CHANNELS)[M]>) => Promise<InvokeReturn<(typeof API_CHANNELS)[M]>>;
};

/**
 * `window.nwave`. Rejections are {@link WireError} objects (use `wrapApi` in the renderer to
 * turn them into `NwaveError`s).
 */
export interface NwaveApi extends ApiInvokes {
  /** Subscribes to training events; returns the unsubscribe function (an AbortSignal also ends it). */
  onTrainingEvent(listener: (event: TrainingEvent) => void, opts?: { signal?: AbortSignal }): () => void;
  /** Tells main the renderer listens (flushes queued events). */
  rendererReady(): void;
  /**
   * Capability handle of a dropped File (Electron only; null in the browser). Pass it to
   * `readModel`/`readAudioFile` like a handle from a dialog.
   */
  pathForFile(file: File): string | null;
}
