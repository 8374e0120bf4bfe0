/** Reading checkpoints for the app: by path, or the bundled default with a stated fallback. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CheckpointFormatError, MAX_CHECKPOINT_BYTES, parseCheckpoint } from '@nwave/runtime';
import type { ModelFile } from '../shared/ipc-contract.js';

/** A place to look for the bundled default model, first match wins. */
export interface DefaultModelCandidate {
  path: string;
  /** Shown to the user when this candidate is used (e.g. "fixture model: tones, not speech"). */
  note?: string;
}

/**
 * Reads and validates a checkpoint (the renderer compiles it again; validating here gives the
 * user an error that names the file before any bytes cross IPC).
 * @throws CheckpointFormatError naming the file
 */
export async function readModelFile(file: string, bundled = false): Promise<ModelFile> {
  let size: number;
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw new CheckpointFormatError(`${file}: is a directory, expected a .nwave.json file`, { file });
    size = st.size;
  } catch (err) {
    if (err instanceof CheckpointFormatError) throw err;
    throw new CheckpointFormatError(`${file}: file not found`, { file });
  }
  if (size > MAX_CHECKPOINT_BYTES)
    throw new CheckpointFormatError(`${file}: file too large (${size} bytes)`, { file, value: size, expected: MAX_CHECKPOINT_BYTES });
  const text = await fs.readFile(file, 'utf8');
  parseCheckpoint(text, file);
  return { path: file, name: path.basename(file), text, bundled };
}

/** The first existing candidate, read and validated. */
export async function loadDefaultModel(candidates: readonly DefaultModelCandidate[]): Promise<ModelFile> {
  for (const c of candidates) {
    try {
      await fs.access(c.path);
    } catch {
      continue;
    }
    const file = await readModelFile(c.path, true);
    return c.note ? { ...file, note: c.note } : file;
  }
  throw new CheckpointFormatError(`no bundled model found (looked at ${candidates.map((c) => c.path).join(', ')})`, {
    file: candidates[0]?.path,
  });
}
