/** Node-only file helpers for ONNX export: read a checkpoint file, write the `.onnx` atomically. */
import { promises as fs } from 'node:fs';
import { CheckpointFormatError, type Checkpoint } from '@nwave/runtime';
import { readCheckpointFile, writeFileAtomic } from '@nwave/runtime/node';
import { exportOnnx, type ExportOptions, type OnnxExport } from './export.js';
import { readOnnxMetadata } from './metadata.js';

/**
 * Exports the checkpoint file `input` to `out` (temporary file + rename: a failed export never
 * leaves a half-written `.onnx`).
 * @throws CheckpointFormatError / ConstraintError naming `input`, before anything is written.
 */
export async function exportOnnxFile(input: string, out: string, opts: Omit<ExportOptions, 'source'> = {}): Promise<OnnxExport> {
  const ck = await readCheckpointFile(input);
  const result = exportOnnx(ck, { ...opts, source: input });
  await writeFileAtomic(out, result.bytes);
  return result;
}

/**
 * Reads an `.onnx` file written by `exportOnnxFile`: its bytes (for a session), metadata and the
 * embedded checkpoint.
 * @throws CheckpointFormatError naming the file.
 */
export async function readOnnxFile(
  file: string,
): Promise<{ bytes: Uint8Array; metadata: ReturnType<typeof readOnnxMetadata>['metadata']; checkpoint: Checkpoint }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (e) {
    throw new CheckpointFormatError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  return { bytes, ...readOnnxMetadata(bytes, file) };
}
