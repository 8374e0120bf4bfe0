import { existsSync } from 'node:fs';
import { CheckpointFormatError, NwaveModel } from '@nwave/runtime';
import { readCheckpointFile } from '@nwave/runtime/node';
import { applyDetectorOverrides, type DetectorOverrides } from './detector-options.js';
import { DEFAULT_MODEL } from './paths.js';

/** True when an argument names a checkpoint rather than audio. */
export function looksLikeModel(arg: string): boolean {
  return /\.json$/i.test(arg);
}

/**
 * Loads MODEL, or the bundled default when none is given, with the deployment `detector`
 * overrides (--threshold, --label-threshold, --min-spikes) applied: everything that runs the
 * returned model (clips, streaming, any backend) uses them.
 */
export async function loadModel(file?: string, detector: DetectorOverrides = {}): Promise<{ model: NwaveModel; file: string }> {
  const target = file ?? DEFAULT_MODEL;
  if (!file && !existsSync(target)) {
    throw new CheckpointFormatError(`no default model at ${target}; pass a MODEL (*.nwave.json)`, { file: target });
  }
  const ck = applyDetectorOverrides(await readCheckpointFile(target), detector);
  return { model: new NwaveModel(ck, target), file: target };
}
