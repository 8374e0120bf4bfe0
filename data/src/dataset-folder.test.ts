import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKGROUND_LABEL, loadClip, padOrTrim, reportFailures, scanDatasetFolder, selectClasses, tryLoadClip } from './dataset-folder.js';
import { encodeTestWav, tone, writeTestWav } from './test-wav.js';

const REAL = join(import.meta.dirname, '../../test/fixtures/audio/speech-commands');

/** Correlation-based amplitude of a sine of known frequency in `x` (robust to small phase shifts). */
function sineAmplitude(x: Float32Array, freqHz: number, rate: number, from = 1000, to = x.length - 1000): number {
  let s = 0,
    c = 0;
  for (let i = from; i < to; i++) {
    s += x[i] * Math.sin((2 * Math.PI * freqHz * i) / rate);
    c += x[i] * Math.cos((2 * Math.PI * freqHz * i) / rate);
  }
  return (2 * Math.hypot(s, c)) / (to - from);
}

describe('dataset-folder', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nwave-ds-'));
    writeTestWav(join(root, 'yes', 'a_nohash_0.wav'), [tone(440, 1, 16000)], 16000, 's16');
    writeTestWav(join(root, 'yes', 'b_nohash_0.WAV'), [tone(440, 0.5, 16000)], 16000, 's16');
    writeFileSync(join(root, 'yes', 'notes.txt'), 'not audio');
    writeTestWav(join(root, 'no', 'stereo48k24_nohash_0.wav'), [tone(300, 1, 48000, 0.5), tone(300, 1, 48000, 0.3)], 48000, 's24');
    writeTestWav(join(root, 'no', 'u8_8k_nohash_0.wav'), [tone(300, 1, 8000, 0.5)], 8000, 'u8');
    writeTestWav(join(root, 'no', 'f32_22k_nohash_0.wav'), [tone(300, 1.5, 22050, 0.5)], 22050, 'f32');
    writeTestWav(join(root, 'no', 's32_44k_nohash_0.wav'), [tone(300, 1, 44100, 0.5)], 44100, 's32');
    writeFileSync(join(root, 'no', 'broken_nohash_0.wav'), 'RIFF....garbage');
    writeFileSync(join(root, 'no', 'truncated_nohash_0.wav'), encodeTestWav([tone(300, 1, 16000)], 16000).subarray(0, 30));
    writeTestWav(join(root, 'up', 'c_nohash_0.wav'), [tone(500, 1, 16000)], 16000);
    writeTestWav(join(root, '_silence_', '1.wav'), [new Float32Array(16000)], 16000);
    writeTestWav(join(root, '_unknown_', 'bed_c_nohash_0.wav'), [tone(600, 1, 16000)], 16000);
    writeTestWav(join(root, '_background_noise_', 'white_noise.wav'), [tone(50, 3, 16000)], 16000);
    mkdirSync(join(root, '.cache'));
    writeFileSync(join(root, 'README.md'), 'top-level files are ignored');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('plain layout: every class folder sorted by code point, non-.wav files ignored', () => {
    const idx = scanDatasetFolder(root);
    expect(idx.labels).toEqual(['_silence_', '_unknown_', 'no', 'up', 'yes']);
    expect(idx.entries.filter((e) => e.folder === 'yes').map((e) => e.file)).toEqual(['yes/a_nohash_0.wav', 'yes/b_nohash_0.WAV']);
    expect(idx.entries.find((e) => e.file === 'up/c_nohash_0.wav')?.label).toBe(3);
    expect(idx.entries.some((e) => e.folder === '_background_noise_' || e.file.endsWith('.txt'))).toBe(false);
    expect(idx.entries.length).toBe(2 + 6 + 1 + 1 + 1);
  });

  it('NWAVE label order: no = 0, yes = 1 for a yes/no tree', () => {
    expect(scanDatasetFolder(root, { exclude: ['_silence_', '_unknown_', 'up', '_background_noise_'] }).labels).toEqual(['no', 'yes']);
  });

  it('word selection: words in the given order, everything else merged into one last background label', () => {
    const idx = selectClasses(root, { words: ['yes', 'no'], background: true });
    expect(idx.labels).toEqual(['yes', 'no', BACKGROUND_LABEL]);
    expect(idx.folderLabels).toEqual({ yes: 0, no: 1, _silence_: 2, _unknown_: 2, up: 2 });
    const without = selectClasses(root, { words: ['yes', 'no'] });
    expect(without.labels).toEqual(['yes', 'no']);
    expect(without.entries.every((e) => e.folder === 'yes' || e.folder === 'no')).toBe(true);
    expect(selectClasses(root, { words: ['up'], background: 'other' }).labels).toEqual(['up', 'other']);
    expect(() => selectClasses(root, { words: ['yes', 'house'] })).toThrow(/house.*available: _silence_, _unknown_, no, up, yes/);
  });

  it('loads any rate, channel count and encoding to mono 16 kHz, 1 s', () => {
    const fmt = { sampleRateHz: 16000, durationS: 1 };
    const cases: [string, number][] = [
      ['no/stereo48k24_nohash_0.wav', 0.4], // channels averaged: (0.5 + 0.3) / 2
      ['no/u8_8k_nohash_0.wav', 0.5],
      ['no/f32_22k_nohash_0.wav', 0.5],
      ['no/s32_44k_nohash_0.wav', 0.5],
    ];
    for (const [file, amp] of cases) {
      const x = loadClip(join(root, file), fmt);
      expect(x.length, file).toBe(16000);
      expect(sineAmplitude(x, 300, 16000), file).toBeCloseTo(amp, 1);
      expect(Math.abs(sineAmplitude(x, 300, 16000) - amp), file).toBeLessThan(0.02);
    }
  });

  it('zero-pads at the end and trims keeping the start', () => {
    const short = loadClip(join(root, 'yes/b_nohash_0.WAV'), { sampleRateHz: 16000, durationS: 1 });
    expect(short.length).toBe(16000);
    expect(Math.max(...short.subarray(0, 8000).map(Math.abs))).toBeGreaterThan(0.4);
    expect(short.subarray(8000).every((v) => v === 0)).toBe(true);
    const long = loadClip(join(root, 'no/f32_22k_nohash_0.wav'), { sampleRateHz: 22050, durationS: 1 });
    expect(long.length).toBe(22050);
    expect(long[100]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 300 * 100) / 22050), 6);
    expect(Array.from(padOrTrim([1, 2, 3], 2))).toEqual([1, 2]);
    expect(Array.from(padOrTrim([1], 3))).toEqual([1, 0, 0]);
  });

  it('collects unreadable files with their reason instead of throwing', () => {
    const fmt = { sampleRateHz: 16000, durationS: 1 };
    const bad = ['no/broken_nohash_0.wav', 'no/truncated_nohash_0.wav', 'no/missing.wav'].map((f) => tryLoadClip(root, f, fmt));
    for (const r of bad) {
      expect('failure' in r).toBe(true);
      if ('failure' in r) expect(r.failure.reason).toContain(r.failure.file);
    }
    const logs: string[] = [];
    reportFailures(
      bad.map((r) => ('failure' in r ? r.failure : { file: '?', reason: '?' })),
      (m) => logs.push(m),
      2,
    );
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/skipped 3 unreadable audio file\(s\)/);
    expect(logs[0]).toMatch(/and 1 more/);
  });

  it.skipIf(!existsSync(REAL))('reads the committed Speech Commands clips', () => {
    const idx = scanDatasetFolder(REAL);
    expect(idx.labels).toEqual(['_silence_', '_unknown_', 'no', 'yes']);
    for (const e of idx.entries) {
      const r = tryLoadClip(REAL, e.file, { sampleRateHz: 16000, durationS: 1 });
      expect('samples' in r, e.file).toBe(true);
    }
  });
});
