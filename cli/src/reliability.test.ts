/**
 * Issue 14's reproducers, run as a user would (the real `nwave` process): one bad input never
 * loses the rest of a run, absurd headers and special files are refused at once (no hang, no
 * runaway memory), prototype keys are ordinary keys, bad output paths fail before any work.
 * Each of these failed on main before issue 14 (stack trace, hang, or silently wrong result).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';
import { NWAVE_BIN } from './run-cli.test-helper.js';
import { encodeWav16 } from '@nwave/runtime/wav';

const TONES = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');
let dir = '';

/** `nwave ...args`, killed after `timeoutMs` (a hang is a failure, not a stuck suite). */
function nwave(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NWAVE_BIN, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*(\.ts|\.js):\d+|RangeError|TypeError/);

/** A WAV whose header declares `rate` Hz (the samples are any 16-bit mono data). */
function wavAtRate(rate: number, samples = 16000): Buffer {
  const b = Buffer.from(
    encodeWav16(
      new Float32Array(samples).map((_, i) => 0.2 * Math.sin(i / 5)),
      16000,
    ),
  );
  b.writeUInt32LE(rate >>> 0, 24);
  b.writeUInt32LE((rate * 2) >>> 0, 28);
  return b;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-reliability-'));
  const batch = path.join(dir, 'batch');
  mkdirSync(batch);
  writeFileSync(path.join(batch, 'a-good.wav'), wavAtRate(16000));
  writeFileSync(path.join(batch, 'b-2GHz.wav'), wavAtRate(2 ** 31)); // RangeError in the resampler on main
  writeFileSync(path.join(batch, 'c-2Hz.wav'), wavAtRate(2)); // "upsampled" into hours of audio on main
  writeFileSync(path.join(batch, 'd-2.6GHz.wav'), wavAtRate(2_600_000_000));
  execFileSync('mkfifo', [path.join(batch, 'e-fifo.wav')]); // open() blocked forever on main
  symlinkSync('/dev/zero', path.join(batch, 'f-zero.wav')); // st_size 0, endless on main
  writeFileSync(path.join(batch, 'g-good.wav'), wavAtRate(8000, 8000));
  const ck = JSON.parse(readFileSync(TONES, 'utf8'));
  writeFileSync(path.join(dir, 'proto-chip.nwave.json'), JSON.stringify({ ...ck, chipProfile: '__proto__' }));
  writeFileSync(
    path.join(dir, 'hour-clip.nwave.json'),
    JSON.stringify({ ...ck, filterbank: { ...ck.filterbank, recordingDurationS: 3600 } }),
  );
  writeFileSync(path.join(dir, 'huge-rate.wav'), wavAtRate(2 ** 31));
  mkdirSync(path.join(dir, 'a-folder'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('issue 14: one bad input never loses the run', () => {
  it('detect DIR: every file gets a result line; bad ones a {file, error, code} line; no hang, no stack trace', async () => {
    const r = await nwave(['detect', TONES, path.join(dir, 'batch'), '--json'], 60_000);
    expect(r.killed).toBe(false);
    noStack(r.stderr);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; error?: string; code?: string; label?: string });
    expect(lines.map((l) => path.basename(l.file))).toEqual([
      'a-good.wav',
      'b-2GHz.wav',
      'c-2Hz.wav',
      'd-2.6GHz.wav',
      'e-fifo.wav',
      'f-zero.wav',
      'g-good.wav',
    ]);
    const byName = Object.fromEntries(lines.map((l) => [path.basename(l.file), l]));
    expect(byName['a-good.wav'].error).toBeUndefined();
    expect(byName['g-good.wav'].error).toBeUndefined();
    expect(byName['b-2GHz.wav']).toMatchObject({
      code: 'AUDIO_FORMAT',
      error: expect.stringMatching(/sample rate 2147483648 Hz is outside the supported 4000–384000 Hz/),
    });
    expect(byName['c-2Hz.wav']).toMatchObject({ code: 'AUDIO_FORMAT', error: expect.stringMatching(/sample rate 2 Hz is outside/) });
    expect(byName['d-2.6GHz.wav']).toMatchObject({ code: 'AUDIO_FORMAT' });
    expect(byName['e-fifo.wav']).toMatchObject({ code: 'AUDIO_FORMAT', error: expect.stringMatching(/not a regular file/) });
    expect(byName['f-zero.wav']).toMatchObject({ code: 'AUDIO_FORMAT', error: expect.stringMatching(/not a regular file/) });
  });

  it('info --input and export-onnx --verify skip a huge-rate WAV with a message and finish', async () => {
    const info = await nwave(['info', TONES, '--input', path.join(dir, 'huge-rate.wav'), path.join(dir, 'batch', 'a-good.wav')]);
    noStack(info.stderr);
    expect(info.code).toBe(0);
    expect(info.stderr).toMatch(/skipped .*huge-rate\.wav: sample rate 2147483648 Hz is outside/);
    expect(info.stdout).toMatch(/total .* per 1 s inference/);
    const onnx = await nwave([
      'export-onnx',
      TONES,
      '--out',
      path.join(dir, 't.onnx'),
      '--verify',
      path.join(dir, 'huge-rate.wav'),
      path.join(dir, 'batch', 'a-good.wav'),
    ]);
    noStack(onnx.stderr);
    expect(onnx.code).toBe(0);
    expect(onnx.stderr).toMatch(/--verify skips .*huge-rate\.wav: sample rate/);
  });
});

describe('issue 14: prototype keys and absurd models are refused or handled, never a crash', () => {
  it('chipProfile "__proto__" is an unknown profile (exit 2, clear message), not a TypeError', async () => {
    for (const cmd of [
      ['info', path.join(dir, 'proto-chip.nwave.json')],
      ['export-onnx', path.join(dir, 'proto-chip.nwave.json'), '--out', path.join(dir, 'p.onnx')],
    ]) {
      const r = await nwave(cmd);
      noStack(r.stderr);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/unknown chip profile "__proto__"/);
    }
  });

  it('--label-threshold __proto__=0.5 is not silently dropped: it names the unknown label', async () => {
    const r = await nwave(['detect', TONES, path.join(dir, 'batch', 'a-good.wav'), '--label-threshold', '__proto__=0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--label-threshold: detector threshold for "__proto__": not a label/);
  });

  it('a checkpoint with a one-hour clip is refused at load (info took 27 s and 1 GB on main)', async () => {
    const r = await nwave(['info', path.join(dir, 'hour-clip.nwave.json')], 20_000);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/clip length 3600 s is longer than 60 s .*filterbank\.recordingDurationS/);
  });
});

describe('issue 14: flags and output paths are checked before any work', () => {
  it("train --out '' / a folder, --hidden 1e9: exit 2 before training starts", async () => {
    const data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'yes'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(path.join(data, 'yes', `${i}.wav`), wavAtRate(16000));
    for (const [flags, msg] of [
      [['--out', ''], /--out: expected a file path, got an empty string/],
      [['--out', path.join(dir, 'a-folder')], /--out: ".*a-folder" is a folder; give a file name/],
      [['--hidden', '1e9'], /--hidden: expected an integer ≥ 1 and ≤ 4096, got "1e9"/],
    ] as const) {
      const r = await nwave(['train', '--data', data, '--words', 'yes', '--epochs', '1', ...flags], 30_000);
      expect(r.killed).toBe(false);
      noStack(r.stderr);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).not.toMatch(/epoch/);
    }
  });

  it('eval --chips 1e9 and --report pointing at a folder: exit 2 before the evaluation', async () => {
    const chips = await nwave(['eval', TONES, '--data', path.join(dir, 'data'), '--chips', '1e9'], 30_000);
    expect(chips.code).toBe(2);
    expect(chips.stderr).toMatch(/--chips must be an integer in \[0, 10000\], got "1e9"/);
    const report = await nwave(['eval', TONES, '--data', path.join(dir, 'data'), '--report', path.join(dir, 'a-folder')], 30_000);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/--report: ".*a-folder" is a folder/);
    expect(report.stderr).not.toMatch(/clips\/s|mismatch:/);
  });
});
