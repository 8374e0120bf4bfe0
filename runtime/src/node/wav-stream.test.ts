import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFormatError, CheckpointFormatError } from '../errors.js';
import { encodeWav16, encodeWavFloat32 } from '../dsp/wav.js';
import { readCheckpointFile } from './checkpoint-file.js';
import { readWavFile } from './wav-file.js';
import { openWavStream } from './wav-stream.js';

const SC = fileURLToPath(new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nwave-wav-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readAll(path: string, block: number): Float32Array {
  const s = openWavStream(path);
  try {
    const out = new Float32Array(s.frames);
    let at = 0;
    for (let b = s.read(block); b.length > 0; b = s.read(block)) {
      out.set(b, at);
      at += b.length;
    }
    expect(at).toBe(s.frames);
    return out;
  } finally {
    s.close();
  }
}

describe('openWavStream', () => {
  it('gives exactly the samples of the whole-file reader, for any block size', () => {
    const files = readdirSync(join(SC, 'yes')).map((f) => join(SC, 'yes', f));
    const x = Float32Array.from({ length: 4801 }, (_, i) => 0.5 * Math.sin(i / 7));
    writeFileSync(join(dir, 'f32.wav'), encodeWavFloat32(x, 48000));
    files.push(join(dir, 'f32.wav'));
    for (const f of files) for (const block of [1, 97, 16384]) expect(readAll(f, block)).toEqual(readWavFile(f).samples);
    const s = openWavStream(join(dir, 'f32.wav'));
    expect([s.sampleRateHz, s.channels, s.bitDepth, s.frames]).toEqual([48000, 1, '32f', 4801]);
    s.close();
    expect(() => s.read()).toThrow(/read after close/);
  });

  it('refuses a header declaring more than 24 h before reading any sample (a sparse 28 h file)', () => {
    const p = join(dir, 'long.wav');
    const header = encodeWav16(new Float32Array(0), 4000);
    new DataView(header.buffer).setUint32(40, 0xffffffff, true); // "until the end of the file"
    const fd = openSync(p, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, 44 + 28 * 3600 * 4000 * 2);
    closeSync(fd);
    expect(() => openWavStream(p)).toThrow(/duration 28\.0 h is longer than the supported 24 h/);
  });

  it('refuses FIFOs and devices without blocking (fstat after a non-blocking open), for WAVs and checkpoints', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.wav')]);
    symlinkSync('/dev/zero', join(dir, 'zero.wav'));
    symlinkSync('/dev/urandom', join(dir, 'random.nwave.json'));
    for (const f of ['fifo.wav', 'zero.wav']) {
      expect(() => openWavStream(join(dir, f))).toThrow(AudioFormatError);
      expect(() => readWavFile(join(dir, f))).toThrow(/not a regular file \(a FIFO, device or socket\), expected a \.wav file/);
    }
    await expect(readCheckpointFile(join(dir, 'random.nwave.json'))).rejects.toThrow(CheckpointFormatError);
    await expect(readCheckpointFile(join(dir, 'fifo.wav'))).rejects.toThrow(/not a regular file/);
  });
});
