/**
 * A stand-in for `@nwave/training` in the bridge's unit test only: same `runTraining` contract,
 * behaviour chosen by the first word: `fail`; `slow` (runs until aborted, then throws);
 * `keep` (runs until aborted, then returns its best epoch so far, as the real trainer does);
 * `warn`: a quick success with a warning about the saved model ({@link FAKE_WARNING});
 * anything else: a quick success that writes the options it got to `out`.
 */
import { writeFile } from 'node:fs/promises';
import type { TrainerHooks, TrainerOptions } from '../training-messages.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The warning of the `warn` mode (the real trainer's after-word warning is one such). */
export const FAKE_WARNING = 'the model keeps firing after words end (fake trainer)';

export async function runTraining(
  opts: TrainerOptions,
  hooks: TrainerHooks,
): Promise<{ out: string; valAccuracy: number; aborted?: boolean; warnings?: string[] }> {
  const mode = opts.words[0];
  if (mode === 'fail')
    throw Object.assign(new Error(`${opts.data}: no clips for "fail"`), { code: 'INVALID_ARGUMENT', context: { file: opts.data } });
  hooks.onStage?.('features', 0, 2);
  hooks.onStage?.('features', 2, 2);
  hooks.onStage?.('training');
  const endless = mode === 'slow' || mode === 'keep';
  for (let epoch = 1; epoch <= opts.epochs || endless; epoch++) {
    if (hooks.signal?.aborted) {
      if (mode === 'keep') {
        await writeFile(opts.out, '{"best": true}\n');
        return { out: opts.out, valAccuracy: 0.7, aborted: true };
      }
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    }
    hooks.onEpoch?.({
      epoch,
      epochs: opts.epochs,
      loss: 1 / epoch,
      trainAccuracy: 0.5 + epoch / 100,
      valAccuracy: 0.5 + epoch / 200,
      firingRates: [0.1, 0.05, 0.02],
      etaS: opts.epochs - epoch,
    });
    await sleep(endless ? 20 : 1);
  }
  await writeFile(opts.out, `${JSON.stringify(opts)}\n`);
  return { out: opts.out, valAccuracy: 0.9, ...(mode === 'warn' ? { warnings: [FAKE_WARNING] } : {}) };
}
