/**
 * The one atomic file writer of nwave-ts (checkpoints, reports, feature cache, generated clips,
 * app settings, ONNX exports). A crash or a full disk mid-write must never leave a truncated file
 * that later looks valid, and readers in other processes must never see a half-written one: the
 * data goes to a unique hidden temporary file in the same folder, then a rename (atomic on POSIX
 * within one file system) puts it in place. Parent folders are created.
 */
import { mkdirSync, promises as fs, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** A temporary sibling of `file`, unique per process and call (hidden, so folder scans skip it). */
function tempSibling(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to `file` atomically (temporary sibling, then rename). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Synchronous {@link writeFileAtomic}. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
