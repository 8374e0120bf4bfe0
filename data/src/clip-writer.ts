/**
 * The job loop shared by synthetic speech and background generation: skip files that exist
 * (idempotent reruns), render, encode as 16-bit WAV, write atomically, with bounded concurrency.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16 } from '@nwave/runtime/wav';
import { writeFileAtomicSync } from '@nwave/runtime/node';
import { mapWithConcurrency, ToolMissingError } from './run-process.js';

export interface GenerateResult {
  /** Root-relative paths written in this run, sorted. */
  written: string[];
  /** Files that already existed and were left alone. */
  skipped: number;
  /** Clips that failed to render (reported, not fatal). */
  failures: { file: string; reason: string }[];
  elapsedS: number;
}

export interface ClipJobOptions {
  outDir: string;
  /** @defaultValue 16000 */
  sampleRateHz?: number;
  /** @defaultValue 2 */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `render` for every job whose `OUT/<job.file>` does not exist yet.
 * @throws ToolMissingError (a missing tool would fail every job; stop at once instead).
 */
export async function runClipJobs<J extends { file: string }>(
  jobs: readonly J[],
  options: ClipJobOptions,
  render: (job: J) => Promise<Float32Array>,
): Promise<GenerateResult> {
  const t0 = performance.now();
  const result: GenerateResult = { written: [], skipped: 0, failures: [], elapsedS: 0 };
  const rate = options.sampleRateHz ?? 16000;
  let done = 0;
  await mapWithConcurrency(jobs, options.concurrency ?? 2, async (job) => {
    const path = join(options.outDir, job.file);
    if (existsSync(path)) {
      result.skipped++;
    } else {
      try {
        const samples = await render(job);
        writeFileAtomicSync(path, encodeWav16(samples, rate));
        result.written.push(job.file);
      } catch (err) {
        if (err instanceof ToolMissingError) throw err;
        result.failures.push({ file: job.file, reason: (err as Error).message });
      }
    }
    options.onProgress?.(++done, jobs.length);
  });
  result.written.sort();
  result.elapsedS = (performance.now() - t0) / 1000;
  return result;
}
