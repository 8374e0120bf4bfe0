/**
 * The CLI on every audio format (sox-made fixtures from the test run's global setup, committed
 * extra-speech FLAC clips): detect, info --input and eval read FLAC/MP3/OGG like WAV; a corrupt
 * file is one error line naming it and the run goes on; eval's streaming test on real recordings
 * (--stream-negatives / --stream-keywords) reports the DET curve in --json.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detFromEvalReport } from '../../renderer/src/store/det-curve.js';
import { REPO_ROOT } from './paths.js';
import { runNwave } from './run-cli.test-helper.js';

const FORMATS = path.join(REPO_ROOT, 'test', '.fixtures', 'formats');
const EXTRA = path.join(REPO_ROOT, 'test', 'fixtures', 'audio', 'extra-speech');
const DEFAULT = path.join(REPO_ROOT, 'models', 'default.nwave.json');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-formats-'));
  cpSync(FORMATS, path.join(dir, 'formats'), { recursive: true });
  writeFileSync(path.join(dir, 'formats', 'zz-corrupt.flac'), readFileSync(path.join(FORMATS, 'yes.flac')).subarray(0, 2000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nwave on FLAC, MP3 and OGG', () => {
  it('detect reads a folder of every format, reports the corrupt file by name and goes on (exit 1)', async () => {
    const r = await runNwave(['detect', DEFAULT, path.join(dir, 'formats'), '--json']);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; error?: string; code?: string; label?: string; sampleRateHz?: number });
    const names = lines.map((l) => path.basename(l.file));
    expect(names).toEqual([
      'yes-24bit-44k-stereo.flac',
      'yes-44k-stereo.mp3',
      'yes-48k-stereo.ogg',
      'yes.flac',
      'yes.mp3',
      'yes.ogg',
      'yes.wav',
      'zz-corrupt.flac',
    ]);
    const bad = lines.at(-1)!;
    expect(bad.error).toMatch(/zz-corrupt\.flac: (truncated|no) FLAC/);
    expect(bad.code).toBe('AUDIO_FORMAT');
    // The lossless copies decide exactly like the WAV; every format gives a decision.
    const byName = Object.fromEntries(lines.map((l) => [path.basename(l.file), l]));
    expect(byName['yes.flac'].label).toBe(byName['yes.wav'].label);
    for (const l of lines.slice(0, -1)) expect(l.error).toBeUndefined();
    expect(byName['yes-48k-stereo.ogg'].sampleRateHz).toBe(48000);
  });

  it('info --input measures power on FLAC clips', async () => {
    const r = await runNwave(['info', DEFAULT, '--input', path.join(EXTRA, 'sc-toy'), '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { power: { clips: number } | null };
    expect(info.power?.clips).toBe(5);
  });

  it('eval --data on FLAC folders, streaming on real sentences with a DET curve (--json)', async () => {
    const r = await runNwave([
      'eval',
      DEFAULT,
      '--data',
      path.join(EXTRA, 'sc-toy'),
      '--stream-negatives',
      path.join(EXTRA, 'picovoice-sentences'),
      '--stream-keywords',
      path.join(EXTRA, 'sc-toy'),
      '--stream-split',
      'all',
      '--chips',
      '0',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.data.clips).toBe(5);
    const st = s.streaming;
    expect(st.source).toMatchObject({ split: 'all', negativeFiles: 2, keywordFiles: 4 });
    // Two sentences (~17 s) once each, keywords inserted between them.
    expect(st.keywords).toBeGreaterThanOrEqual(1);
    expect(st.otherSpeechHours * 3600).toBeGreaterThan(10);
    expect(st.otherSpeechHours).toBeLessThan(st.hours);
    const det = st.det as { threshold: number; missRate: number; falseAcceptsPerHour: number }[];
    expect(det.length).toBeGreaterThan(10);
    expect(det.map((p) => p.threshold)).toEqual([...det.map((p) => p.threshold)].sort((a, b) => a - b));
    // Along the curve false accepts fall and misses rise (not strictly monotone point to point:
    // the detector's refractory time can turn one early event into two later ones).
    expect(det.at(-1)!.falseAcceptsPerHour).toBeLessThan(det[0].falseAcceptsPerHour);
    expect(det.at(-1)!.missRate).toBeGreaterThanOrEqual(det[0].missRate);
    // Contract 4: the app's DET view reads this very output.
    expect(detFromEvalReport(r.stdout, 'eval.json').map((p) => p.threshold)).toEqual(det.map((p) => p.threshold));
    expect(st.detMissRateAt.map((p: { falseAcceptsPerHour: number }) => p.falseAcceptsPerHour)).toEqual([10, 50, 200]);
    expect(st.wrongLabelRate).toBeGreaterThanOrEqual(0);
    expect(st.wrongLabels).toBeLessThanOrEqual(st.misses);
  });

  it('eval --stream-split names the accepted values', async () => {
    const r = await runNwave(['eval', DEFAULT, '--data', path.join(EXTRA, 'sc-toy'), '--stream-negatives', EXTRA, '--stream-split', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--stream-split must be one of eval, train, all, got "dev"/);
  });
});
