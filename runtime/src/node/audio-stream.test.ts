import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../dsp/resample.js';
import { AudioFormatError } from '../errors.js';
import { decodeAudioFile } from './audio-file.js';
import {
  COMPRESSED_CHUNK_BYTES,
  openAudioStream,
  openAudioStreamSync,
  resampledBlocks,
  resampledBlocksSync,
  type AudioStream,
  type AudioStreamSync,
} from './audio-stream.js';

// Made by sox in the test run's global setup (scripts/build-fixtures.ts, `formats/`).
const FORMATS = fileURLToPath(new URL('../../../test/.fixtures/formats/', import.meta.url));
const FIXTURES = ['yes.wav', 'yes.flac', 'yes-24bit-44k-stereo.flac', 'yes.mp3', 'yes-44k-stereo.mp3', 'yes.ogg', 'yes-48k-stereo.ogg'];
const dir = mkdtempSync(join(tmpdir(), 'nwave-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function concat(blocks: Float32Array[]): Float32Array {
  const out = new Float32Array(blocks.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function readAllSync(s: AudioStreamSync, max?: number): { samples: Float32Array; longest: number } {
  const blocks: Float32Array[] = [];
  for (let b = s.read(max); b.length > 0; b = s.read(max)) blocks.push(b.slice());
  s.close();
  return { samples: concat(blocks), longest: Math.max(0, ...blocks.map((b) => b.length)) };
}

async function readAll(s: AudioStream, max?: number): Promise<Float32Array> {
  const blocks: Float32Array[] = [];
  for (let b = await s.read(max); b.length > 0; b = await s.read(max)) blocks.push(b.slice());
  s.close();
  return concat(blocks);
}

async function audioError(p: Promise<unknown> | (() => unknown)): Promise<AudioFormatError> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AudioFormatError);
    return e as AudioFormatError;
  }
  throw new Error('expected an AudioFormatError');
}

/** A sox-made sweep with speech-like bursts, `seconds` long, in the format of `name`'s extension. */
function soxSignal(name: string, seconds: number, args: string[] = []): string {
  const out = join(dir, name);
  execFileSync('sox', ['-n', '-r', '16000', '-c', '1', ...args, out, 'synth', String(seconds), 'sine', '200-3000', 'tremolo', '3', '80']);
  return out;
}

describe('streamed decoding gives the whole-file samples', () => {
  it.each(FIXTURES)('%s: sync and async streams equal decodeAudioFile exactly', async (name) => {
    const file = join(FORMATS, name);
    const whole = await decodeAudioFile(file);
    const sync = openAudioStreamSync(file);
    expect([sync.format, sync.sampleRateHz, sync.channels, sync.bitDepth]).toEqual([
      whole.format,
      whole.sampleRateHz,
      whole.channels,
      whole.bitDepth,
    ]);
    // Odd block sizes: block boundaries fall inside decoder frames.
    const s = readAllSync(sync, 997);
    expect(s.longest).toBeLessThanOrEqual(997);
    expect(s.samples).toEqual(whole.samples);
    expect(await readAll(await openAudioStream(file), 4096)).toEqual(whole.samples);
  });

  it('blocks at the model rate equal the whole file resampled (44.1 kHz stereo FLAC, 48 kHz OGG)', async () => {
    for (const name of ['yes-24bit-44k-stereo.flac', 'yes-48k-stereo.ogg']) {
      const file = join(FORMATS, name);
      const whole = await decodeAudioFile(file);
      const expected = Float32Array.from(resample(whole.samples, whole.sampleRateHz, 16000));
      const s = openAudioStreamSync(file);
      const got = concat([...resampledBlocksSync(s, 16000)].map((b) => b.slice()));
      s.close();
      expect(got).toEqual(expected);
      const a = await openAudioStream(file);
      const blocks: Float32Array[] = [];
      for await (const b of resampledBlocks(a, 16000)) blocks.push(b.slice());
      a.close();
      expect(concat(blocks)).toEqual(expected);
    }
  });

  it('two sync streams read in turns through the one helper worker keep their own decoder state', () => {
    const a = openAudioStreamSync(join(FORMATS, 'yes.flac'));
    const b = openAudioStreamSync(join(FORMATS, 'yes.ogg'));
    const got: [Float32Array[], Float32Array[]] = [[], []];
    for (;;) {
      const x = a.read(500);
      const y = b.read(700);
      if (x.length) got[0].push(x.slice());
      if (y.length) got[1].push(y.slice());
      if (!x.length && !y.length) break;
    }
    a.close();
    b.close();
    const wa = readAllSync(openAudioStreamSync(join(FORMATS, 'yes.flac'))).samples;
    const wb = readAllSync(openAudioStreamSync(join(FORMATS, 'yes.ogg'))).samples;
    expect(concat(got[0])).toEqual(wa);
    expect(concat(got[1])).toEqual(wb);
  });
});

describe('long compressed files are decoded chunk by chunk', () => {
  let files: Record<string, string>;
  beforeAll(() => {
    // 40 s: several decoder calls of 64 KB each for every format.
    files = { flac: soxSignal('long.flac', 40), mp3: soxSignal('long.mp3', 40), ogg: soxSignal('long.ogg', 40) };
  }, 180_000);

  it.each(['flac', 'mp3', 'ogg'])(
    '%s: the whole length arrives in bounded blocks, equal to the whole-file decode',
    async (k) => {
      const file = files[k];
      const whole = await decodeAudioFile(file);
      expect(whole.durationS).toBeGreaterThan(39.9);
      const s = openAudioStreamSync(file);
      if (k === 'flac') expect(s.declaredFrames).toBe(40 * 16000);
      else expect(s.declaredFrames).toBeNull();
      const r = readAllSync(s);
      expect(r.longest).toBeLessThanOrEqual(16384);
      expect(r.samples).toEqual(whole.samples);
    },
    60_000,
  );

  it('a long FLAC cut at 60 %: the first seconds arrive before the cut is found (a whole-file decode gives nothing)', async () => {
    const bytes = readFileSync(files.flac);
    expect(bytes.length).toBeGreaterThan(4 * COMPRESSED_CHUNK_BYTES);
    const cut = join(dir, 'long-cut.flac');
    writeFileSync(cut, bytes.subarray(0, Math.round(bytes.length * 0.6)));
    await expect(decodeAudioFile(cut)).rejects.toThrow(/truncated FLAC data/);
    const s = openAudioStreamSync(cut);
    expect(s.read(16000 * 10).length).toBeGreaterThan(0);
    const e = await audioError(() => {
      while (s.read().length > 0);
    });
    s.close();
    expect(e.message).toMatch(/long-cut\.flac: truncated FLAC data \(decoded \d+ of 640000 samples\)/);
  });
});

describe('the error contract of streamed compressed files', () => {
  it('a FLAC cut in half: "truncated FLAC data" naming the file, the same message sync and async', async () => {
    const file = join(dir, 'cut.flac');
    const bytes = readFileSync(join(FORMATS, 'yes.flac'));
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const s = openAudioStreamSync(file);
    const e = await audioError(() => {
      while (s.read().length > 0);
    });
    s.close();
    expect(e.message).toMatch(/cut\.flac: truncated FLAC data \(decoded \d+ of 16000 samples\)/);
    expect(e.context.file).toBe(file);
    const e2 = await audioError((async () => readAll(await openAudioStream(file)))());
    expect(e2.message).toBe(e.message);
  });

  it('a FLAC whose STREAMINFO declares 30 hours is refused on its first frames, before the rest is decoded', async () => {
    const file = join(dir, 'long-declared.flac');
    const bytes = Uint8Array.from(readFileSync(join(FORMATS, 'yes.flac')));
    const n = 30 * 3600 * 16000; // 36 bits: the count's top 4 bits sit in byte 21
    bytes[21] = (bytes[21] & 0xf0) | Math.floor(n / 2 ** 32);
    new DataView(bytes.buffer).setUint32(22, n >>> 0);
    writeFileSync(file, bytes);
    expect((await audioError(() => openAudioStreamSync(file))).message).toMatch(
      /long-declared\.flac: duration 30\.0 h is longer than the supported 24 h/,
    );
    expect((await audioError(openAudioStream(file))).message).toMatch(/duration 30\.0 h/);
  });

  it('an OGG stream whose audio pages are garbage, an empty file, a folder and a FIFO: clear errors', async () => {
    const ogg = readFileSync(join(FORMATS, 'yes.ogg'));
    const bad = join(dir, 'bad.ogg');
    const garbage = Uint8Array.from(ogg);
    for (let i = 4000; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
    writeFileSync(bad, garbage);
    const e = await audioError(
      (async () => {
        const s = await openAudioStream(bad);
        try {
          while ((await s.read()).length > 0);
        } finally {
          s.close();
        }
      })(),
    );
    expect(e.message).toMatch(/bad\.ogg: (corrupt|truncated|no) OGG\/Vorbis/);
    const empty = join(dir, 'empty.mp3');
    writeFileSync(empty, '');
    expect((await audioError(() => openAudioStreamSync(empty))).message).toMatch(/empty\.mp3: not an audio file \(0 bytes\)/);
    expect((await audioError(() => openAudioStreamSync(dir))).message).toMatch(/is a directory/);
    const fifo = join(dir, 'fifo.flac');
    execFileSync('mkfifo', [fifo]);
    expect((await audioError(openAudioStream(fifo))).message).toMatch(/fifo\.flac: not a regular file/);
  });

  it('"read after close" is an AudioFormatError, close is idempotent', async () => {
    const s = openAudioStreamSync(join(FORMATS, 'yes.mp3'));
    s.close();
    s.close();
    expect((await audioError(() => s.read())).message).toMatch(/read after close/);
  });
});
