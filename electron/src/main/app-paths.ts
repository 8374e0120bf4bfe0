/** Where the app finds its files, in the repository (development) and in a packaged build. */
import path from 'node:path';
import type { DefaultModelCandidate } from '../handlers/model-files.js';

export const DEFAULT_MODEL_FILE = 'default.nwave.json';
export const FIXTURE_MODEL_FILE = 'tones.nwave.json';
export const FIXTURE_NOTE =
  'The trained default model is not in this build: loaded the tones fixture ("high" > 2.5 kHz, "low" < 800 Hz), not a speech model.';

/**
 * Default-model candidates: the trained model first, then the tones fixture as a labelled fallback.
 * @param appRoot repository root (or the packaged app folder)
 * @param resourcesDir Electron's `process.resourcesPath` in a packaged build (models are extra resources there)
 */
export function defaultModelCandidates(appRoot: string, resourcesDir?: string): DefaultModelCandidate[] {
  const out: DefaultModelCandidate[] = [];
  if (resourcesDir) out.push({ path: path.join(resourcesDir, 'models', DEFAULT_MODEL_FILE) });
  out.push({ path: path.join(appRoot, 'models', DEFAULT_MODEL_FILE) });
  if (resourcesDir) out.push({ path: path.join(resourcesDir, 'models', FIXTURE_MODEL_FILE), note: FIXTURE_NOTE });
  out.push({ path: path.join(appRoot, 'test', 'fixtures', 'models', FIXTURE_MODEL_FILE), note: FIXTURE_NOTE });
  return out;
}

/**
 * Built files next to the bundled main (`electron/dist/`): preload, workers, renderer. In a
 * packaged app the worker thread and the trainer are read from `app.asar.unpacked` (both
 * packagers unpack them), since worker threads load their script from the real file system.
 */
export function builtPaths(distDir: string): { preload: string; trainingWorker: string; trainer: string; rendererDir: string } {
  const unpacked = distDir.replace(/app\.asar(?=[\\/]|$)/, 'app.asar.unpacked');
  return {
    preload: path.join(distDir, 'preload.cjs'),
    trainingWorker: path.join(unpacked, 'training-worker.cjs'),
    trainer: path.join(unpacked, 'trainer.cjs'),
    rendererDir: path.join(distDir, '..', '..', 'renderer', 'dist'),
  };
}
