/** Node-only file access for checkpoints: read with clear errors, write atomically. */
import { closeSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { CheckpointFormatError } from '../errors.js';
import { MAX_CHECKPOINT_BYTES, parseCheckpoint, serializeCheckpoint } from '../model/checkpoint.js';
import type { Checkpoint } from '../model/checkpoint-schema.js';
import { openRegularFile } from './regular-file.js';

/**
 * Reads and validates a checkpoint file.
 * @throws CheckpointFormatError naming the file (missing, not a regular file, too large, malformed...).
 */
export async function readCheckpointFile(file: string): Promise<Checkpoint> {
  const { fd } = openRegularFile(file, 'a .nwave.json file', (m, c) => new CheckpointFormatError(m, c), MAX_CHECKPOINT_BYTES);
  let text: string;
  try {
    text = readFileSync(fd, 'utf8');
  } catch (err) {
    throw new CheckpointFormatError(`${file}: cannot read (${(err as Error).message})`, { file });
  } finally {
    closeSync(fd);
  }
  return parseCheckpoint(text, file);
}

/** Writes `text` to `file` through a temporary file in the same folder and a rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Validates (by re-parsing the serialised text) and writes a checkpoint atomically. */
export async function writeCheckpointFile(file: string, ck: Checkpoint): Promise<void> {
  const text = serializeCheckpoint(ck);
  parseCheckpoint(text, file);
  await writeFileAtomic(file, text);
}
