/**
 * Test support: a virtual ALSA capture device for machines without a sound card, and a runner
 * for the real `nwave` binary with hard timeouts.
 *
 * The device is ALSA's `file` plugin reading raw PCM (`infile`) over a `null` slave, declared in
 * an `.asoundrc` inside a temporary HOME (alsa-lib reads ~/.asoundrc, so nothing system-wide
 * changes). Facts found on alsa-lib 1.2.8 that shape it:
 * - PortAudio lists user-defined PCMs without any `hint` section: `cap` and `default` both show.
 * - `null` has no clock, so capture runs ~100x faster than real time and never overflows.
 * - After the end of `infile` the stream goes on without error, but replays whatever is left in
 *   ALSA's ring buffer (a file ending in a tone keeps "playing" it): end every PCM with silence
 *   that lasts as long as the test listens.
 * - Any conversion inside ALSA (`plug` changing rate or format) in front of `type file`
 *   consumes the infile twice as fast, so the PCM must already be in the rate and format that
 *   nwave opens; `plug` then passes it through untouched.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.js';

/** The `nwave` bin, run exactly as users run it. */
export const NWAVE_BIN = path.join(REPO_ROOT, 'cli', 'bin', 'nwave.js');

/** The `.asoundrc` text: `default` (plug) -> `cap` (file plugin reading `infile`) -> `null`. */
export function asoundrc(infile: string): string {
  return `pcm.!default {
  type plug
  slave.pcm "cap"
}
pcm.cap {
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "${infile}"
  format "raw"
}
pcm.null {
  type null
}
`;
}

/** Creates `dir` as a HOME whose ALSA default capture device reads `infile`; returns `dir`. */
export function makeAlsaHome(dir: string, infile: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.asoundrc'), asoundrc(infile));
  return dir;
}

/** Raw little-endian mono PCM, as the file plugin hands it to the application unchanged. */
export function rawPcm(samples: ArrayLike<number>, format: 'int16' | 'float32'): Buffer {
  if (format === 'float32') return Buffer.from(Float32Array.from(samples).buffer);
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
  return Buffer.from(out.buffer);
}

/** Concatenated tone/silence segments: `[freqHz | 0, seconds]`, amplitude 0.3. */
export function toneSequence(rate: number, parts: [number, number][]): Float64Array {
  const out = new Float64Array(Math.round(parts.reduce((a, [, s]) => a + s, 0) * rate));
  let o = 0;
  for (const [f, s] of parts) {
    const n = Math.round(s * rate);
    if (f > 0) for (let i = 0; i < n; i++) out[o + i] = 0.3 * Math.sin((2 * Math.PI * f * i) / rate);
    o += n;
  }
  return out;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Parsed stdout lines that are JSON objects. */
  events: Record<string, unknown>[];
}

/**
 * Runs `nwave ...args` with HOME=home; SIGKILLs it after `timeoutMs` (reported, never a hang).
 * `onStdoutLine` sees each line as it arrives and may return a signal to send to the process.
 */
export function runNwave(
  args: string[],
  opts: { home: string; timeoutMs: number; onStdoutLine?: (line: string, pid: number) => NodeJS.Signals | void },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NWAVE_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOME: opts.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const sig = opts.onStdoutLine?.(line, child.pid!);
        if (sig) child.kill(sig);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, stdout, stderr, timedOut, events });
    });
  });
}
