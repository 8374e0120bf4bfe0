/** Reading checkpoints for the app: by path, or the bundled default with a stated fallback. */
import { closeSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointFormatError, MAX_CHECKPOINT_BYTES, parseCheckpoint } from '@nwave/runtime';
import { openRegularFile } from '@nwave/runtime/node';
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
  // Regular files only (a FIFO or a link to /dev/zero named *.json would block or never end).
  const text = await readCheckpointText(file);
  parseCheckpoint(text, file);
  return { path: file, name: path.basename(file), text, bundled };
}

/** The text of a checkpoint file, read only if it is a regular file of at most MAX_CHECKPOINT_BYTES. */
async function readCheckpointText(file: string): Promise<string> {
  const { fd } = openRegularFile(file, 'a .nwave.json file', (m, c) => new CheckpointFormatError(m, c), MAX_CHECKPOINT_BYTES);
  try {
    return readFileSync(fd, 'utf8');
  } catch (err) {
    throw new CheckpointFormatError(`${file}: cannot read (${(err as Error).message})`, { file });
  } finally {
    closeSync(fd);
  }
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
