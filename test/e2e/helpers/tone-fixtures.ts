/**
 * Tone WAVs for the fixture model (labels `high` > 2.5 kHz, `low` < 800 Hz), made with sox into
 * test/.fixtures/e2e/ (git-ignored) once: 0.5 s silence, a 0.4 s tone, 0.6 s silence, 48 kHz.
 * The word (tone) therefore spans 0.5-0.9 s of each 1.5 s loop.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_FIXTURES = fileURLToPath(new URL('../../.fixtures/e2e/', import.meta.url));
export const TONE_WORD = { startS: 0.5, endS: 0.9 };

function soxAvailable(): boolean {
  try {
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Null when sox is usable, else the reason to skip. */
export function soxSkipReason(): string | null {
  return soxAvailable() ? null : 'sox not found (apt-get install sox): tone fixtures cannot be made';
}

function make(name: string, args: string[]): string {
  const file = path.join(E2E_FIXTURES, name);
  if (existsSync(file)) return file;
  mkdirSync(E2E_FIXTURES, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}.wav`;
  execFileSync('sox', ['-n', '-r', '48000', '-b', '16', '-c', '1', tmp, ...args]);
  renameSync(tmp, file);
  return file;
}

function concat(name: string, parts: string[]): string {
  const file = path.join(E2E_FIXTURES, name);
  if (existsSync(file)) return file;
  const tmp = `${file}.tmp-${process.pid}.wav`;
  execFileSync('sox', [...parts, tmp]);
  renameSync(tmp, file);
  return file;
}

/** The demo loop of the README screenshot: "low" at 0.4-0.8 s, "high" at 1.6-2.1 s of a 3 s loop. */
export const DEMO_WORDS = { low: { startS: 0.4, endS: 0.8 }, high: { startS: 1.6, endS: 2.1 } };

export function toneFixtures(): { high: string; low: string; quiet: string; demo: string } {
  const demoLow = make('demo-part-low.wav', ['synth', '0.4', 'sine', '400', 'vol', '0.3', 'pad', '0.4', '0.8']);
  const demoHigh = make('demo-part-high.wav', ['synth', '0.5', 'sine', '4000', 'vol', '0.25', 'pad', '0', '0.9']);
  return {
    demo: concat('demo-low-high.wav', [demoLow, demoHigh]),
    high: make('tone-4000hz.wav', ['synth', '0.4', 'sine', '4000', 'vol', '0.3', 'pad', '0.5', '0.6']),
    low: make('tone-400hz.wav', ['synth', '0.4', 'sine', '400', 'vol', '0.3', 'pad', '0.5', '0.6']),
    // Room-like noise at about -70 dBFS: not digital silence, but far below any word.
    quiet: make('quiet-noise.wav', ['synth', '1.5', 'pinknoise', 'vol', '0.0005']),
  };
}
