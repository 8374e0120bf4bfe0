import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFormatError } from '../errors.js';
import { readWavFile } from './wav-file.js';

const SC = fileURLToPath(new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nwave-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): AudioFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AudioFormatError);
    return e as AudioFormatError;
  }
  throw new Error('expected an AudioFormatError');
}

describe('readWavFile', () => {
  it('reads every committed Speech Commands fixture (16 kHz mono 16-bit, 1 s) and names the file', () => {
    for (const cls of ['yes', 'no', '_silence_', '_unknown_']) {
      for (const f of readdirSync(join(SC, cls))) {
        const a = readWavFile(join(SC, cls, f));
        expect([a.file, a.sampleRateHz, a.channels, a.bitDepth, a.samples.length]).toEqual([join(SC, cls, f), 16000, 1, '16', 16000]);
      }
    }
  });

  it('missing file → "x.wav: file not found"', () => {
    const p = join(dir, 'x.wav');
    const e = errorOf(() => readWavFile(p));
    expect(e.message).toBe(`${p}: file not found`);
    expect(e.context.file).toBe(p);
  });

  it('a directory or a corrupt file gives an error naming the path', () => {
    expect(errorOf(() => readWavFile(dir)).message).toBe(`${dir}: is a directory, expected a .wav file`);
    const p = join(dir, 'corrupt.wav');
    writeFileSync(p, 'not audio, just some text that is long enough to be a header');
    const e = errorOf(() => readWavFile(p));
    expect(e.message).toBe(`${p}: not a WAV file (no RIFF header)`);
    expect(e.context.file).toBe(p);
  });
});
