import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWavFile } from '@nwave/runtime/node';
import { FIXTURE_NOTE, defaultModelCandidates } from '../main/app-paths.js';
import { loadDefaultModel, readModelFile } from './model-files.js';
import { saveRecording } from './recordings.js';

const REPO = path.resolve('.');

describe('recordings', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nwave-rec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves a 48 kHz take as a 16 kHz 16-bit WAV in DATA/<word>/ and counts the clips', async () => {
    const samples = Float32Array.from({ length: 48000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    const first = await saveRecording({ folder: dir, word: 'yes', sampleRateHz: 48000, samples }, new Date('2026-11-27T10:00:00Z'));
    expect(path.dirname(first.file)).toBe(path.join(dir, 'yes'));
    expect(path.basename(first.file)).toMatch(/^rec-20261127-100000-[a-z0-9]+\.wav$/);
    expect(first.clips).toBe(1);
    const wav = readWavFile(first.file);
    expect(wav.sampleRateHz).toBe(16000);
    expect(wav.samples.length).toBe(16000);
    expect(Math.max(...wav.samples)).toBeGreaterThan(0.45);
    const second = await saveRecording({ folder: dir, word: 'yes', sampleRateHz: 16000, samples: new Float32Array(8000) });
    expect(second.clips).toBe(2);
    expect(readdirSync(path.join(dir, 'yes')).every((n) => n.endsWith('.wav') && !n.includes('tmp'))).toBe(true);
  });
});

describe('model files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'nwave-models-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back to the tones fixture, with a note, when no trained default exists', async () => {
    const candidates = defaultModelCandidates(dir, path.join(dir, 'resources')).concat(defaultModelCandidates(REPO).slice(-1));
    const m = await loadDefaultModel(candidates);
    expect(m).toMatchObject({ name: 'tones.nwave.json', bundled: true, note: FIXTURE_NOTE });
  });

  it('reads version-2 checkpoints with recurrent layers, and version-1 ones', async () => {
    const rec = await readModelFile(path.join(REPO, 'test/fixtures/models/recurrent-deep.nwave.json'));
    expect(JSON.parse(rec.text)).toMatchObject({ version: 2 });
    expect(rec.text).toMatch(/"recurrentWeights"/);
    const v1 = await readModelFile(path.join(REPO, 'test/fixtures/models/tones.nwave.json'));
    expect(JSON.parse(v1.text)).toMatchObject({ version: 1 });
  });

  it('prefers the trained default', async () => {
    const tones = await readModelFile(path.join(REPO, 'test/fixtures/models/tones.nwave.json'));
    const modelsDir = path.join(dir, 'models');
    await import('node:fs/promises')
      .then((fs) => fs.mkdir(modelsDir))
      .then(() => writeFileSync(path.join(modelsDir, 'default.nwave.json'), tones.text));
    const m = await loadDefaultModel(defaultModelCandidates(dir));
    expect(m).toMatchObject({ name: 'default.nwave.json', bundled: true });
    expect(m.note).toBeUndefined();
  });

  it('names the file in every error', async () => {
    await expect(readModelFile(path.join(dir, 'missing.nwave.json'))).rejects.toMatchObject({
      code: 'CHECKPOINT_FORMAT',
      message: expect.stringContaining('missing.nwave.json: file not found'),
    });
    writeFileSync(path.join(dir, 'bad.nwave.json'), '{"format": "nwave-checkpoint", "version": 99}');
    await expect(readModelFile(path.join(dir, 'bad.nwave.json'))).rejects.toMatchObject({
      code: 'CHECKPOINT_FORMAT',
      message: expect.stringContaining('bad.nwave.json'),
    });
    await expect(loadDefaultModel([{ path: path.join(dir, 'none.json') }])).rejects.toMatchObject({
      message: expect.stringContaining('no bundled model found'),
    });
  });
});
