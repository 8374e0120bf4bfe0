/** Runs the real `nwave` binary as a subprocess (shared by the CLI tests). */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);
export const NWAVE_BIN = path.join(REPO_ROOT, 'cli', 'bin', 'nwave.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `nwave ...args` in `cwd` (default: the repository root); never throws on a non-zero exit. */
export async function runNwave(args: string[], cwd = REPO_ROOT): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [NWAVE_BIN, ...args], { cwd, maxBuffer: 1 << 24 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
