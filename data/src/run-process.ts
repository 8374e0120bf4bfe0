/**
 * Child processes for the synthetic-data tools (espeak-ng, sox), with bounded concurrency.
 *
 * Why a wrapper: a missing tool must give one clear, actionable error instead of a raw
 * `spawn ENOENT`, and a failing tool must report its stderr.
 */
import { spawn } from 'node:child_process';
import { NwaveError } from '@nwave/runtime';

/** An external program is not installed (or not on PATH). */
export class ToolMissingError extends NwaveError {
  constructor(tool: string) {
    super(
      `${tool} is not installed or not on PATH; install it (Debian/Ubuntu: sudo apt-get install ${tool}) to generate synthetic speech`,
      {
        field: 'tool',
        value: tool,
      },
    );
  }
}

/** An external program exited with an error. */
export class ToolFailedError extends NwaveError {}

export interface ProcessResult {
  stdout: string;
  /** Raw stdout, for tools that write binary audio (`sox … -t raw -`). */
  stdoutBytes: Buffer;
  stderr: string;
}

/**
 * Runs `cmd args` (no shell: arguments are passed verbatim, so words with quotes are safe).
 * @param timeoutMs - kill the process after this long. @defaultValue 60000
 * @throws ToolMissingError when `cmd` cannot be found; ToolFailedError on a non-zero exit.
 */
export function runTool(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? new ToolMissingError(cmd) : e);
    });
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr });
      else {
        reject(
          new ToolFailedError(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(0, 500)}`, {
            field: 'tool',
            value: cmd,
          }),
        );
      }
    });
  });
}

/**
 * Checks that every tool runs (`<tool> --version`).
 * @throws ToolMissingError naming the first missing tool.
 */
export async function checkTools(tools: readonly string[] = ['espeak-ng', 'sox']): Promise<void> {
  for (const tool of tools) await runTool(tool, ['--version'], 10_000);
}

/** `true` when every tool is available (for skipping work or tests with a message). */
export async function toolsAvailable(tools: readonly string[] = ['espeak-ng', 'sox']): Promise<boolean> {
  try {
    await checkTools(tools);
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps `fn` over `items` with at most `limit` calls in flight; results keep the input order.
 * The first rejection is rethrown after the in-flight calls settle.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.err;
  return results;
}
