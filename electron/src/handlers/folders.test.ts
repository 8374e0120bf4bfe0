import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudioFile, scanAudioFolder, scanDataFolder } from './folders.js';

const SPEECH_COMMANDS = path.resolve('test/fixtures/audio/speech-commands');

describe('folder handlers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nwave-folders-'));
    for (const f of ['b.wav', 'a.WAV', 'notes.txt', '.hidden.wav', 'deep/x/y.wav']) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), 'RIFF');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists WAVs recursively, sorted, without hidden files', async () => {
    const r = await scanAudioFolder(dir);
    expect(r.files.map((f) => f.name)).toEqual(['a.WAV', 'b.wav', path.join('deep', 'x', 'y.wav')]);
    expect(r.files[0]).toMatchObject({ path: path.join(dir, 'a.WAV'), bytes: 4 });
    expect(r.skipped).toEqual([]);
  });

  it('summarises a Speech Commands style data folder', async () => {
    const r = await scanDataFolder(SPEECH_COMMANDS);
    expect(r.classes).toEqual([
      { name: '_silence_', clips: 2 },
      { name: '_unknown_', clips: 2 },
      { name: 'no', clips: 3 },
      { name: 'yes', clips: 3 },
    ]);
  });

  it('reads a WAV file as bytes and names missing files', async () => {
    const wav = path.join(SPEECH_COMMANDS, 'yes', '0cb74144_nohash_0.wav');
    const r = await readAudioFile(wav);
    expect(r.name).toBe('0cb74144_nohash_0.wav');
    expect(new TextDecoder().decode(r.data.subarray(0, 4))).toBe('RIFF');
    await expect(readAudioFile(path.join(dir, 'missing.wav'))).rejects.toMatchObject({
      code: 'AUDIO_FORMAT',
      message: expect.stringContaining('file not found'),
    });
    await expect(scanDataFolder(path.join(dir, 'nope'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('folder not found'),
    });
  });
});
