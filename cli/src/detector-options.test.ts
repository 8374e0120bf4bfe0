/**
 * --threshold, --label-threshold and --min-spikes (the detector's operating point chosen at
 * deployment) through the real `nwave` binary, on the bundled default model and its real clips.
 * `nwave listen` is covered in listen/listen.test.ts (virtual ALSA microphone).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '@nwave/runtime';
import { applyDetectorOverrides, describeDetector, parseDetectorOptions } from './detector-options.js';
import { REPO_ROOT } from './paths.js';
import { runNwave } from './run-cli.test-helper.js';

const DEFAULT = path.join(REPO_ROOT, 'models', 'default.nwave.json');
const EXAMPLES = path.join(REPO_ROOT, 'models', 'examples');
/** Accepted as "yes" at ~97 % confidence with the model's own detector (threshold 0.4). */
const YES = path.join(EXAMPLES, 'yes-0cb74144_nohash_0.wav');
let dir = '';

const nwave = (...args: string[]) => runNwave(args);

/** `nwave detect --json` on YES with `flags`: the one result object. */
async function detectYes(...flags: string[]): Promise<Record<string, unknown>> {
  const r = await nwave('detect', DEFAULT, YES, '--json', ...flags);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  // A class-folder data set from the real examples: yes/, no/, and _unknown_/ (non-keyword).
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-detector-'));
  for (const [folder, prefix] of [
    ['yes', 'yes-'],
    ['no', 'no-'],
    ['_unknown_', '_'],
  ]) {
    mkdirSync(path.join(dir, folder));
    for (const f of ['yes-0cb74144_nohash_0.wav', 'yes-18f8afd5_nohash_0.wav', 'no-0c40e715_nohash_0.wav', 'no-18f8afd5_nohash_0.wav'])
      if (f.startsWith(prefix)) copyFileSync(path.join(EXAMPLES, f), path.join(dir, folder, f));
    if (prefix === '_')
      for (const f of ['_silence_-1024.wav', '_unknown_-bed_28497c5b_nohash_0.wav'])
        copyFileSync(path.join(EXAMPLES, f), path.join(dir, folder, f));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nwave detect: detector overrides', () => {
  it('the default detector accepts the "yes" clip; a stricter operating point rejects the same clip', async () => {
    const base = await detectYes();
    expect(base).toMatchObject({ label: 'yes', accepted: true });
    expect(base.confidence).toBeGreaterThan(0.65);
    expect(base.confidence).toBeLessThan(0.99);

    const strict = await detectYes('--threshold', '0.99');
    expect(strict).toMatchObject({ label: 'yes', accepted: false, rejectedBy: 'low-confidence' });
    // Only the detector changed: same network output.
    expect([strict.confidence, strict.spikeCounts]).toEqual([base.confidence, base.spikeCounts]);

    expect(await detectYes('--label-threshold', 'yes=0.99')).toMatchObject({ accepted: false, rejectedBy: 'low-confidence' });
    expect(await detectYes('--label-threshold', 'no=0.99')).toMatchObject({ label: 'yes', accepted: true });
    // A per-keyword threshold given with the global one wins for that keyword.
    expect(await detectYes('--threshold', '0.99', '--label-threshold', 'yes=0.6')).toMatchObject({ accepted: true });
    expect(await detectYes('--min-spikes', '1000')).toMatchObject({ accepted: false, rejectedBy: 'too-few-spikes' });
  });

  it('reaches the streaming detector and the ONNX backend', async () => {
    const stream = async (...flags: string[]) => (await detectYes('--stream', ...flags)).detections as unknown[];
    expect((await stream()).length).toBeGreaterThan(0);
    expect(await stream('--min-spikes', '1000')).toEqual([]);
    const r = await nwave('detect', DEFAULT, YES, '--json', '--backend', 'onnx', '--threshold', '0.99');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ label: 'yes', accepted: false, rejectedBy: 'low-confidence' });
  });

  it.each([
    [['--threshold', '2'], /^nwave: --threshold must be a number in \[0, 1\], got "2"$/],
    [['--threshold', 'abc'], /^nwave: --threshold must be a number in \[0, 1\], got "abc"$/],
    [['--label-threshold', 'yes'], /^nwave: --label-threshold must be label=x pairs separated by commas.*; "yes" is not$/],
    [['--label-threshold', 'yes=high'], /^nwave: --label-threshold must be label=x pairs .*; "yes=high" is not$/],
    [
      ['--label-threshold', 'maybe=0.5'],
      /^nwave: --label-threshold: .*"maybe": not a label of default-yes-no \(labels: _background_, yes, no\)$/,
    ],
    [['--min-spikes', '-3'], /^nwave: --min-spikes must be an integer >= 0, got "-3"$/],
    [['--min-input-contrast', 'high'], /^nwave: --min-input-contrast must be a number in \[0, 100\] \(0: off\), got "high"$/],
    [['--min-input-contrast', '-1'], /^nwave: --min-input-contrast must be a number in \[0, 100\] \(0: off\), got "-1"$/],
  ])('%j exits 2 with a message naming the flag, no stack trace', async (flags, message) => {
    const r = await nwave('detect', DEFAULT, YES, ...flags);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('nwave eval: detector overrides', () => {
  const evalJson = async (...flags: string[]) => {
    const r = await nwave('eval', DEFAULT, '--data', dir, '--json', '--chips', '0', '--stream-hours', '0.02', ...flags);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      model: { detector: { threshold: number; minSpikes: number } };
      accuracy: number;
      argmaxAccuracy: number;
      rejection: number;
      streaming: {
        missRate: number;
        falseAcceptsPerHour: number;
        curve: { threshold: number; missRate: number; falseAcceptsPerHour: number }[];
      };
    };
  };

  it('--threshold moves the operating point: fewer keywords accepted, more non-keywords rejected, and the JSON says so', async () => {
    const [base, strict, loose] = await Promise.all([evalJson(), evalJson('--threshold', '0.99'), evalJson('--threshold', '0.3')]);
    expect(base.model.detector.threshold).toBe(parseCheckpoint(readFileSync(DEFAULT, 'utf8'), DEFAULT).detector.threshold);
    expect(strict.model.detector).toEqual({ ...base.model.detector, threshold: 0.99 });
    expect(strict.argmaxAccuracy).toBe(base.argmaxAccuracy); // same network
    expect(strict.accuracy).toBeLessThan(base.accuracy);
    // A stricter threshold cannot reject fewer non-keyword clips, a looser one cannot reject more.
    // (The bundled model already rejects both examples at its own threshold: the silence clip
    // leaves it silent and "bed" is background by arg-max, so no threshold changes them.)
    expect(strict.rejection).toBeGreaterThanOrEqual(base.rejection);
    expect(base.rejection).toBeGreaterThanOrEqual(loose.rejection);
    expect(loose.accuracy).toBeGreaterThanOrEqual(base.accuracy);
    // The stream figures are the curve's point at the chosen threshold.
    const point = strict.streaming.curve.find((p) => p.threshold === 0.99);
    expect(point).toEqual({
      threshold: 0.99,
      missRate: strict.streaming.missRate,
      falseAcceptsPerHour: strict.streaming.falseAcceptsPerHour,
    });
    expect(strict.streaming.missRate).toBeGreaterThanOrEqual(base.streaming.missRate);
    expect(strict.streaming.falseAcceptsPerHour).toBeLessThanOrEqual(base.streaming.falseAcceptsPerHour);
  });

  it('a bad value stops before any work (exit 2)', async () => {
    const r = await nwave('eval', DEFAULT, '--data', dir, '--min-spikes', 'many');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('nwave: --min-spikes must be an integer >= 0, got "many"');
  });
});

describe('parseDetectorOptions / applyDetectorOverrides', () => {
  const ck = parseCheckpoint(readFileSync(DEFAULT, 'utf8'), DEFAULT);

  it('parses only the given options; label lists may repeat the flag (commander joins them)', () => {
    expect(parseDetectorOptions({})).toEqual({});
    expect(parseDetectorOptions({ threshold: '0.75', labelThreshold: ' yes = 0.8 ,no=1', minSpikes: '12' })).toEqual({
      threshold: 0.75,
      labelThresholds: { yes: 0.8, no: 1 },
      minSpikes: 12,
    });
    for (const bad of [
      { threshold: '' },
      { threshold: '-0.1' },
      { threshold: 'Infinity' },
      { minSpikes: '1.5' },
      { labelThreshold: 'yes=0.5,' },
      { minInputContrast: '' },
      { minInputContrast: '101' },
      { minInputContrast: 'NaN' },
    ])
      expect(() => parseDetectorOptions(bad)).toThrow(/^--(threshold|min-spikes|label-threshold|min-input-contrast) /);
    expect(parseDetectorOptions({ minInputContrast: '2.5' })).toEqual({ minInputContrast: 2.5 });
    expect(parseDetectorOptions({ minInputContrast: '0' })).toEqual({ minInputContrast: 0 });
    expect(() => parseDetectorOptions({ labelThreshold: 'yes=0.5,yes=0.6' })).toThrow('--label-threshold gives "yes" twice');
  });

  it('merges over the checkpoint detector and leaves the rest of the checkpoint alone', () => {
    expect(applyDetectorOverrides(ck, {})).toBe(ck);
    const out = applyDetectorOverrides(ck, { threshold: 0.8, minSpikes: 4 });
    expect(out.detector).toEqual({ ...ck.detector, threshold: 0.8, minSpikes: 4 });
    expect(out.network).toBe(ck.network);
    expect(applyDetectorOverrides(ck, { minInputContrast: 2 }).detector).toEqual({ ...ck.detector, minInputContrast: 2 });
  });

  it('describeDetector names the input-contrast gate only when it is on', () => {
    expect(describeDetector({ ...ck.detector, minInputContrast: 0 })).not.toMatch(/contrast/);
    expect(describeDetector({ ...ck.detector, minInputContrast: 2 })).toMatch(/, input contrast >= 2$/);
  });

  it('describeDetector names a chip calibration (count gains) only when there is one', () => {
    expect(describeDetector({ ...ck.detector, countGains: undefined })).not.toMatch(/calibration/);
    expect(describeDetector({ ...ck.detector, minInputContrast: 0, countGains: { yes: 1.23456, no: 0.9 } })).toMatch(
      /, chip calibration: counts yes x1\.235, no x0\.9$/,
    );
  });
});
