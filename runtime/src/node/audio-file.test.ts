import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resample } from '../dsp/resample.js';
import { AudioFormatError } from '../errors.js';
import {
  decodeAudioBytes,
  decodeAudioFile,
  decodeAudioFileSync,
  detectAudioContainer,
  isAudioFileName,
  type AudioFile,
} from './audio-file.js';

// Made by sox in the test run's global setup (scripts/build-fixtures.ts, `formats/`).
const FORMAT_FIXTURES_DIR = fileURLToPath(new URL('../../../test/.fixtures/formats/', import.meta.url));
const FORMAT_FIXTURES = [
  'yes.wav',
  'yes.flac',
  'yes-24bit-44k-stereo.flac',
  'yes.mp3',
  'yes-44k-stereo.mp3',
  'yes.ogg',
  'yes-48k-stereo.ogg',
];
const EXTRA = fileURLToPath(new URL('../../../test/fixtures/audio/extra-speech/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nwave-audio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Best normalized cross-correlation of `a` against `b` over lags within ±maxLag samples. */
function bestCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, maxLag: number): number {
  let best = -1;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < b.length; i++) {
      const j = i + lag;
      if (j < 0 || j >= a.length) continue;
      ab += a[j] * b[i];
      aa += a[j] * a[j];
      bb += b[i] * b[i];
    }
    if (aa > 0 && bb > 0) best = Math.max(best, ab / Math.sqrt(aa * bb));
  }
  return best;
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<AudioFormatError> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AudioFormatError);
    return e as AudioFormatError;
  }
  throw new Error('expected an AudioFormatError');
}

describe('decodeAudioFile: every format sox writes', () => {
  const ref = () => decodeAudioFileSync(join(FORMAT_FIXTURES_DIR, 'yes.wav'));

  it.each(FORMAT_FIXTURES.filter((n) => n !== 'yes.wav'))('%s decodes to the same word as the WAV', async (name) => {
    const file = join(FORMAT_FIXTURES_DIR, name);
    const a = await decodeAudioFile(file);
    const wav = ref();
    const stereo = name.includes('stereo');
    const rate = name.includes('44k') ? 44100 : name.includes('48k') ? 48000 : 16000;
    expect([a.file, a.format, a.sampleRateHz]).toEqual([
      file,
      name.endsWith('.flac') ? 'flac' : name.endsWith('.mp3') ? 'mp3' : 'ogg-vorbis',
      rate,
    ]);
    if (stereo) expect(a.channels).toBe(2);
    // Same duration within the lossy codecs' encoder delay and padding (< 0.1 s).
    expect(Math.abs(a.durationS - wav.durationS)).toBeLessThan(0.1);
    const at16k = rate === 16000 ? a.samples : resample(a.samples, rate, 16000);
    if (name === 'yes.flac')
      expect(Array.from(a.samples)).toEqual(Array.from(wav.samples)); // lossless, same bits
    else expect(bestCorrelation(at16k, wav.samples, 1600)).toBeGreaterThan(0.97);
    // The synchronous path (worker thread) gives the very same samples.
    const s = decodeAudioFileSync(file);
    expect(s.samples).toEqual(a.samples);
    expect(s.sampleRateHz).toBe(a.sampleRateHz);
  });

  it('reads the committed extra-speech FLAC clips (16 kHz mono 16-bit)', () => {
    const files = ['sc-toy/yes', 'sc-toy/no', 'sc-toy/bed'].flatMap((d) => readdirSync(join(EXTRA, d)).map((n) => join(EXTRA, d, n)));
    expect(files.length).toBe(5);
    for (const f of files) {
      const a: AudioFile = decodeAudioFileSync(f);
      expect([a.format, a.sampleRateHz, a.channels, a.bitDepth]).toEqual(['flac', 16000, 1, '16']);
      expect(a.durationS).toBeGreaterThan(0.4);
      expect(a.durationS).toBeLessThanOrEqual(1);
      expect(Math.max(...a.samples.map(Math.abs))).toBeGreaterThan(0.01);
    }
  });

  it('tells the container by its bytes, not the name', async () => {
    const flacAsWav = join(dir, 'really-flac.wav');
    writeFileSync(flacAsWav, readFileSync(join(FORMAT_FIXTURES_DIR, 'yes.flac')));
    expect((await decodeAudioFile(flacAsWav)).format).toBe('flac');
    expect(detectAudioContainer(readFileSync(join(FORMAT_FIXTURES_DIR, 'yes.mp3')))).toBe('mp3');
    expect(detectAudioContainer(readFileSync(join(FORMAT_FIXTURES_DIR, 'yes.ogg')))).toBe('ogg-vorbis');
    expect(['a.WAV', 'b.flac', 'c.Mp3', 'd.ogg', 'e.oga'].every(isAudioFileName)).toBe(true);
    expect(['a.txt', 'b.flac.json', 'c.opus'].some(isAudioFileName)).toBe(false);
  });
});

describe('decodeAudioFile: bad files name the file, both paths', () => {
  const bytes = (name: string) => readFileSync(join(FORMAT_FIXTURES_DIR, name));
  const write = (name: string, data: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const cases: [string, () => string, RegExp][] = [
    [
      'truncated FLAC',
      () => write('cut.flac', bytes('yes.flac').subarray(0, 3000)),
      /cut\.flac: truncated FLAC data \(decoded \d+ of 16000 samples\)/,
    ],
    [
      'FLAC header only',
      () => write('head.flac', bytes('yes.flac').subarray(0, 60)),
      /head\.flac: (no FLAC audio decoded|truncated FLAC data)/,
    ],
    [
      'FLAC frames overwritten',
      () => {
        const b = Uint8Array.from(bytes('yes.flac'));
        for (let i = 200; i < b.length; i++) b[i] = (i * 97) & 0xff;
        return write('garbled.flac', b);
      },
      /garbled\.flac: (corrupt|truncated|no) FLAC/,
    ],
    ['truncated MP3', () => write('cut.mp3', bytes('yes.mp3').subarray(0, 100)), /cut\.mp3: no MP3 audio decoded/],
    ['truncated OGG', () => write('cut.ogg', bytes('yes.ogg').subarray(0, 300)), /cut\.ogg: no OGG\/Vorbis audio decoded/],
    [
      'Opus in OGG',
      () => write('voice.ogg', Buffer.from('OggS\0\x02' + '\0'.repeat(22) + 'OpusHead' + '\0'.repeat(20))),
      /voice\.ogg: unsupported OGG codec Opus/,
    ],
    ['text', () => write('notes.flac', Buffer.from('hello, this is not audio')), /notes\.flac: not a WAV, FLAC, MP3 or OGG\/Vorbis file/],
    ['empty', () => write('empty.mp3', new Uint8Array(0)), /empty\.mp3: not an audio file \(0 bytes\)/],
    ['missing', () => join(dir, 'missing.flac'), /missing\.flac: file not found/],
    ['a folder', () => dir, /is a directory/],
  ];
  it.each(cases)('%s', async (_what, make, message) => {
    const p = make();
    const e1 = await errorOf(decodeAudioFile(p));
    expect(e1.message).toMatch(message);
    expect(e1.context.file).toBe(p);
    expect(e1.code).toBe('AUDIO_FORMAT');
    const e2 = await errorOf(() => decodeAudioFileSync(p));
    expect(e2.message).toMatch(message);
  });

  it('keeps decoding good files after bad ones (no decoder state carried over)', async () => {
    const good = bytes('yes.flac');
    const a = await decodeAudioBytes(good, 'a.flac');
    await errorOf(decodeAudioBytes(good.subarray(0, 3000), 'bad.flac'));
    const b = await decodeAudioBytes(good, 'b.flac');
    expect(b.samples).toEqual(a.samples);
  });
});
