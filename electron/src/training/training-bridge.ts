/**
 * Runs training jobs in a worker thread and turns the worker's messages into `TrainingEvent`s
 * for the renderer, persisting every epoch (see RunStore). One job at a time: training is
 * CPU-bound and the app must stay responsive.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { StateError, errorToJSON } from '@nwave/runtime';
import type { TrainingEvent, TrainingRequest, TrainingRunRecord } from '../shared/ipc-contract.js';
import type { FromTrainingWorker, ToTrainingWorker, TrainerOptions, TrainingWorkerData } from './training-messages.js';
import { RunStore } from './run-store.js';

export interface TrainingBridgeOptions {
  /** Folder of the run records. */
  runsDir: string;
  /** Folder where trained models go when the request names no `out`. */
  modelsDir: string;
  /** The worker script: the built `training-worker.cjs`, or the .ts source with `viaTsx`. */
  workerUrl: URL;
  /** Run a TypeScript worker entry through tsx (development and tests). */
  viaTsx?: boolean;
  /** Module the worker imports for `runTraining` (default `@nwave/training`). */
  trainerModule?: string;
  /** Receives every event (main forwards them to the renderer). */
  emit(event: TrainingEvent): void;
}

interface ActiveRun {
  record: TrainingRunRecord;
  worker: Worker;
  ended: Promise<void>;
}

/** `yes-no-20261127-143000` style names. */
export function defaultModelName(words: readonly string[], now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
  return `${words.join('-').slice(0, 60)}-${t}.nwave.json`;
}

export class TrainingBridge {
  readonly store: RunStore;
  private active: ActiveRun | null = null;

  constructor(private readonly opts: TrainingBridgeOptions) {
    this.store = new RunStore(opts.runsDir);
  }

  /** Starts a job. @throws StateError when one is already running. */
  async start(req: TrainingRequest): Promise<{ runId: string; out: string }> {
    if (this.active)
      throw new StateError(`a training run is already in progress (${this.active.record.runId}); cancel it first`, {
        value: this.active.record.runId,
      });
    const now = new Date();
    const runId = `run-${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const out = req.out ?? path.join(this.opts.modelsDir, defaultModelName(req.words, now));
    const request: TrainingRunRecord['request'] = {
      data: req.data,
      words: [...req.words],
      background: req.background,
      epochs: req.epochs,
      out,
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
      ...(req.resume ? { resume: true } : {}),
      ...(req.chip !== undefined ? { chip: req.chip } : {}),
      ...(req.recipe !== undefined ? { recipe: req.recipe } : {}),
    };
    const record: TrainingRunRecord = { runId, request, status: 'running', startedAt: now.toISOString(), rows: [] };
    await this.store.save(record);
    const { chip, ...run } = request;
    const options: TrainerOptions = { ...run, ...(chip !== undefined ? { config: { chip } } : {}) };
    const workerData: TrainingWorkerData = { trainerModule: this.opts.trainerModule ?? '@nwave/training', options };
    const worker = this.opts.viaTsx
      ? new Worker(new URL('./tsx-worker-bootstrap.mjs', import.meta.url), { workerData, argv: [this.opts.workerUrl.href] })
      : new Worker(this.opts.workerUrl, { workerData });
    let settle!: () => void;
    const ended = new Promise<void>((r) => (settle = r));
    this.active = { record, worker, ended };
    let finished = false;
    const finish = (status: TrainingRunRecord['status'], event: TrainingEvent, extra: Partial<TrainingRunRecord> = {}): void => {
      if (finished) return;
      finished = true;
      Object.assign(record, { status, endedAt: new Date().toISOString() }, extra);
      void this.store.save(record).finally(() => {
        if (this.active?.record === record) this.active = null;
        this.opts.emit(event);
        settle();
      });
    };
    worker.on('message', (msg: FromTrainingWorker) => {
      if (msg.type === 'stage') {
        const { type: _t, ...stage } = msg;
        this.opts.emit({ type: 'stage', runId, ...stage });
      } else if (msg.type === 'epoch') {
        record.rows.push(msg.row);
        void this.store.save(record);
        this.opts.emit({ type: 'epoch', runId, row: msg.row });
      } else if (msg.type === 'done') {
        // Warnings about the saved model (e.g. it keeps firing after words) travel with it.
        const result = { valAccuracy: msg.valAccuracy, ...(msg.warnings ? { warnings: msg.warnings } : {}) };
        finish('done', { type: 'done', runId, out: msg.out, ...result }, result);
      } else if (msg.type === 'cancelled') {
        const result =
          msg.valAccuracy !== undefined ? { valAccuracy: msg.valAccuracy, ...(msg.warnings ? { warnings: msg.warnings } : {}) } : {};
        finish('cancelled', { type: 'cancelled', runId, ...(msg.out ? { out: msg.out, ...result } : {}) }, result);
      } else finish('failed', { type: 'failed', runId, error: msg.error }, { error: msg.error });
    });
    worker.on('error', (err) => {
      const error = errorToJSON(err);
      finish('failed', { type: 'failed', runId, error }, { error });
    });
    worker.on('exit', (code) => {
      const error = { code: 'STATE', message: `training worker exited unexpectedly (code ${code})` };
      finish('failed', { type: 'failed', runId, error }, { error });
    });
    this.opts.emit({ type: 'started', runId, out });
    return { runId, out };
  }

  /** Asks the running job to stop at its next check of the AbortSignal. */
  cancel(runId: string): boolean {
    if (!this.active || this.active.record.runId !== runId) return false;
    this.active.worker.postMessage({ type: 'cancel' } satisfies ToTrainingWorker);
    return true;
  }

  /** Persisted runs, newest first (a stale `running` record becomes `interrupted`). */
  list(): Promise<TrainingRunRecord[]> {
    return this.store.list(new Set(this.active ? [this.active.record.runId] : []));
  }

  /**
   * For app shutdown: asks the job to stop, waits up to `graceMs`, then terminates the worker and
   * records the run as `interrupted` (its epochs so far stay on disk).
   */
  async shutdown(graceMs = 3000): Promise<void> {
    const run = this.active;
    if (run) {
      run.worker.postMessage({ type: 'cancel' } satisfies ToTrainingWorker);
      const timedOut = await Promise.race([
        run.ended.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) {
        run.record.status = 'interrupted';
        run.record.endedAt = new Date().toISOString();
        await this.store.save(run.record);
        await run.worker.terminate();
      } else if (run.record.status === 'cancelled') {
        run.record.status = 'interrupted';
        await this.store.save(run.record);
      }
    }
    await this.store.flush();
  }
}
