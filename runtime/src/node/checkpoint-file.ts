/** Node-only file access for checkpoints: read with clear errors, write atomically. */
import { closeSync, readFileSync } from 'node:fs';
import { CheckpointFormatError } from '../errors.js';
import { MAX_CHECKPOINT_BYTES, parseCheckpoint, serializeCheckpoint } from '../model/checkpoint.js';
import type { Checkpoint } from '../model/checkpoint-schema.js';
import { writeFileAtomic } from './atomic-file.js';
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

/** Validates (by re-parsing the serialised text) and writes a checkpoint atomically. */
export async function writeCheckpointFile(file: string, ck: Checkpoint): Promise<void> {
  const text = serializeCheckpoint(ck);
  parseCheckpoint(text, file);
  await writeFileAtomic(file, text);
}
