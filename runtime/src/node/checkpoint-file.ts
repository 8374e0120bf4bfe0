/** Node-only file access for checkpoints: read with clear errors, write atomically. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CheckpointFormatError } from '../errors.js';
import { MAX_CHECKPOINT_BYTES, parseCheckpoint, serializeCheckpoint } from '../model/checkpoint.js';
import type { Checkpoint } from '../model/checkpoint-schema.js';

/**
 * Reads and validates a checkpoint file.
 * @throws CheckpointFormatError naming the file (missing, too large, malformed...).
 */
export async function readCheckpointFile(file: string): Promise<Checkpoint> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new CheckpointFormatError(`${file}: file not found`, { file });
  }
  if (stat.isDirectory()) throw new CheckpointFormatError(`${file}: is a directory, expected a .nwave.json file`, { file });
  if (stat.size > MAX_CHECKPOINT_BYTES) throw new CheckpointFormatError(`${file}: file too large (${stat.size} bytes)`, { file });
  const text = await fs.readFile(file, 'utf8');
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
