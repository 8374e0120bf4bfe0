/**
 * Worker-thread entry that runs one training job off the main process's event loop. The trainer
 * is imported lazily, so a missing or broken `@nwave/training` fails this job with a clear
 * message instead of breaking the app at start-up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorToJSON } from '@nwave/runtime';
import type { FromTrainingWorker, ToTrainingWorker, TrainerModule, TrainingWorkerData } from './training-messages.js';

function post(msg: FromTrainingWorker): void {
  parentPort!.postMessage(msg);
}

async function loadTrainer(specifier: string): Promise<TrainerModule> {
  let mod: Partial<TrainerModule>;
  try {
    mod = (await import(specifier)) as Partial<TrainerModule>;
  } catch (err) {
    throw Object.assign(new Error(`training is not available in this build: cannot load the trainer (${(err as Error).message})`), {
      code: 'STATE',
    });
  }
  if (typeof mod.runTraining !== 'function') {
    throw Object.assign(new Error('training is not available in this build: the trainer module has no runTraining export'), {
      code: 'STATE',
    });
  }
  return mod as TrainerModule;
}

async function main(): Promise<void> {
  const { trainerModule, options } = workerData as TrainingWorkerData;
  const abort = new AbortController();
  parentPort!.on('message', (msg: ToTrainingWorker) => {
    if (msg.type === 'cancel') abort.abort();
  });
  try {
    const trainer = await loadTrainer(trainerModule);
    let lastStageAt = 0;
    const result = await trainer.runTraining(options, {
      onEpoch: (row) => post({ type: 'epoch', row }),
      onStage: (stage, done, total) => {
        // Progress within a stage (feature extraction of thousands of clips) at most 5 times a second.
        const now = Date.now();
        if (done !== undefined && done !== total && now - lastStageAt < 200) return;
        lastStageAt = now;
        post({ type: 'stage', stage, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) });
      },
      log: () => undefined,
      signal: abort.signal,
    });
    // A trainer stopped by the signal may still return, having saved its best epoch so far.
    const warnings = result.warnings?.length ? { warnings: result.warnings } : {};
    post(
      abort.signal.aborted || result.aborted
        ? { type: 'cancelled', out: result.out, valAccuracy: result.valAccuracy, ...warnings }
        : { type: 'done', out: result.out, valAccuracy: result.valAccuracy, ...warnings },
    );
  } catch (err) {
    post(abort.signal.aborted ? { type: 'cancelled' } : { type: 'failed', error: errorToJSON(err) });
  } finally {
    parentPort!.close();
  }
}

void main();
