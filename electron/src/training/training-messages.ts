/**
 * The protocol between the training bridge (main process) and its worker thread, one union per
 * direction keyed by `type` (as ONNX Runtime Web's proxy messages). The trainer contract is the
 * one `@nwave/training` exports as `runTraining`.
 */
import type { EpochRow, WireError } from '../shared/ipc-contract.js';

/** Options `runTraining` takes (the request with `out` resolved, its chip as the one setting given). */
export interface TrainerOptions {
  data: string;
  words: string[];
  background: boolean;
  epochs: number;
  out: string;
  seed?: number;
  resume?: boolean;
  /** Named recipe: the base of the settings (`runTraining` applies it for the chip below). */
  recipe?: string;
  config?: { chip?: string };
}

export interface TrainerHooks {
  onEpoch?(row: EpochRow): void;
  onStage?(stage: string, done?: number, total?: number): void;
  log?(message: string): void;
  signal?: AbortSignal;
}

/** What a trainer module must export. */
export interface TrainerModule {
  runTraining(
    opts: TrainerOptions,
    hooks: TrainerHooks,
  ): Promise<{ out: string; valAccuracy: number; aborted?: boolean; warnings?: string[] }>;
}

/** `workerData` of a training worker. */
export interface TrainingWorkerData {
  /** Module specifier or file URL to `import()`; it must export `runTraining`. */
  trainerModule: string;
  options: TrainerOptions;
}

export type ToTrainingWorker = { type: 'cancel' };

export type FromTrainingWorker =
  | { type: 'stage'; stage: string; done?: number; total?: number }
  | { type: 'epoch'; row: EpochRow }
  | { type: 'done'; out: string; valAccuracy: number; warnings?: string[] }
  | { type: 'cancelled'; out?: string; valAccuracy?: number; warnings?: string[] }
  | { type: 'failed'; error: WireError };
