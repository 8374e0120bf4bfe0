import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../errors.js';
import { decodeWav, encodeWav16, encodeWavFloat32 } from './wav.js';

const SC = fileURLToPath(new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url));

interface WavSpec {
  format?: number; // 1 PCM, 3 float, 0xfffe extensible, ...
  subformat?: number; // for extensible
  bits: number;
  channels?: number;
  rate?: number;
  /** Interleaved raw sample values (ints for PCM, floats for float). */
  values: number[];
  bigEndian?: boolean;
  /** A LIST chunk (odd size, so padded) before the data chunk, as many editors write. */
  listChunk?: boolean;
  declaredDataBytes?: number;
  blockAlign?: number;
}

/** Builds WAV bytes by hand, independently of the decoder under test. */
function makeWav(s: WavSpec): Uint8Array {
  const ch = s.channels ?? 1;
  const bps = s.bits / 8;
  const ext = s.format === 0xfffe;
  const fmtSize = ext ? 40 : 16;
  const list = s.listChunk ? 8 + 5 + 1 : 0;
  const dataBytes = s.values.length * bps;
  const buf = new Uint8Array(12 + 8 + fmtSize + list + 8 + dataBytes);
  const v = new DataView(buf.buffer);
  const le = !s.bigEndian;
  const str = (at: number, t: string) => [...t].forEach((c, i) => (buf[at + i] = c.charCodeAt(0)));
  str(0, s.bigEndian ? 'RIFX' : 'RIFF');
  v.setUint32(4, buf.length - 8, le);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, fmtSize, le);
  v.setUint16(20, s.format ?? 1, le);
  v.setUint16(22, ch, le);
  v.setUint32(24, s.rate ?? 8000, le);
  v.setUint32(28, (s.rate ?? 8000) * ch * bps, le);
  v.setUint16(32, s.blockAlign ?? ch * bps, le);
  v.setUint16(34, s.bits, le);
  let at = 36;
  if (ext) {
    v.setUint16(36, 22, le); // cbSize
    v.setUint16(38, s.bits, le); // valid bits
    v.setUint32(40, (1 << ch) - 1, le); // channel mask
    v.setUint32(44, s.subformat ?? 1, le); // GUID data1 = format code; rest of the GUID:
    [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71].forEach((b, i) => (buf[48 + i] = b));
    at = 60;
  }
  if (s.listChunk) {
    str(at, 'LIST');
    v.setUint32(at + 4, 5, le);
    str(at + 8, 'INFOx');
    at += 14;
  }
  str(at, 'data');
  v.setUint32(at + 4, s.declaredDataBytes ?? dataBytes, le);
  at += 8;
  for (const x of s.values) {
    if (s.format === 3 || (ext && s.subformat === 3)) {
      if (s.bits === 32) v.setFloat32(at, x, le);
      else v.setFloat64(at, x, le);
    } else if (s.bits === 8) v.setUint8(at, x);
    else if (s.bits === 16) v.setInt16(at, x, le);
    else if (s.bits === 32) v.setInt32(at, x, le);
    else {
      const u = x & 0xffffff; // 24-bit two's complement
      const b = [u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff];
      (le ? b : b.reverse()).forEach((y, i) => (buf[at + i] = y));
    }
    at += bps;
  }
  return buf;
}

const decoded = (s: WavSpec) => Array.from(decodeWav(makeWav(s), 't.wav').samples);
const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

describe('decodeWav formats', () => {
  it('8-bit unsigned: (x - 128) / 128', () => {
    expect(decoded({ bits: 8, values: [0, 128, 255, 64] })).toEqual(f32([-1, 0, 127 / 128, -0.5]));
  });
  it('16-bit: x / 32768 (also big-endian RIFX, and with a padded LIST chunk before data)', () => {
    const values = [-32768, 0, 16384, 32767];
    const want = f32(values.map((x) => x / 32768));
    expect(decoded({ bits: 16, values })).toEqual(want);
    expect(decoded({ bits: 16, values, bigEndian: true })).toEqual(want);
    expect(decoded({ bits: 16, values, listChunk: true })).toEqual(want);
  });
  it('24-bit: x / 2^23', () => {
    const values = [-8388608, 0, 4194304, 8388607, -1];
    expect(decoded({ bits: 24, values })).toEqual(f32(values.map((x) => x / 2 ** 23)));
  });
  it('32-bit PCM: x / 2^31', () => {
    const values = [-(2 ** 31), 0, 2 ** 30, 2 ** 31 - 1];
    expect(decoded({ bits: 32, values })).toEqual(f32(values.map((x) => x / 2 ** 31)));
  });
  it('32- and 64-bit float: as is', () => {
    const a = decodeWav(makeWav({ format: 3, bits: 32, values: [0.25, -0.5, 1.5] }));
    expect([a.bitDepth, ...a.samples]).toEqual(['32f', 0.25, -0.5, 1.5]);
    const b = decodeWav(makeWav({ format: 3, bits: 64, values: [0.1, -0.7] }));
    expect([b.bitDepth, ...b.samples]).toEqual(['64', ...f32([0.1, -0.7])]);
  });
  it('stereo and 6 channels are averaged; WAVE_FORMAT_EXTENSIBLE (PCM and float subformats)', () => {
    const st = decodeWav(makeWav({ bits: 16, channels: 2, rate: 44100, values: [1000, 3000, -2000, 0] }));
    expect([st.channels, st.sampleRateHz, st.samples.length]).toEqual([2, 44100, 2]);
    expect(Array.from(st.samples)).toEqual(f32([2000 / 32768, -1000 / 32768]));
    const six = [1, 2, 3, 4, 5, 6, -6, -5, -4, -3, -2, -1].map((x) => x * 100000);
    const ex = decodeWav(makeWav({ format: 0xfffe, subformat: 1, bits: 24, channels: 6, values: six }));
    expect([ex.channels, ex.bitDepth, ...ex.samples]).toEqual([6, '24', ...f32([350000 / 2 ** 23, -350000 / 2 ** 23])]);
    const fl = decodeWav(makeWav({ format: 0xfffe, subformat: 3, bits: 32, channels: 2, values: [0.5, 0.25, -1, 0] }));
    expect([fl.bitDepth, ...fl.samples]).toEqual(['32f', 0.375, -0.5]);
  });
  it('decodes a real Speech Commands clip (16 kHz, mono, 16-bit, 1 s)', () => {
    const a = decodeWav(readFileSync(SC + 'yes/0cb74144_nohash_0.wav'));
    expect([a.sampleRateHz, a.channels, a.bitDepth, a.samples.length, a.durationS]).toEqual([16000, 1, '16', 16000, 1]);
    expect(Math.max(...a.samples.map(Math.abs))).toBeGreaterThan(0.05);
  });
});

describe('decodeWav errors name the file', () => {
  const good = makeWav({ bits: 16, values: [1, 2, 3, 4], listChunk: true });
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty bytes', new Uint8Array(0), /empty file/],
    ['text', new TextEncoder().encode('hello, this is not audio at all'), /not a WAV file \(no RIFF header\)/],
    [
      'AVI',
      (() => {
        const b = good.slice();
        b.set([65, 86, 73, 32], 8);
        return b;
      })(),
      /not a WAV file \(RIFF type "AVI "/,
    ],
    ['8 bytes', good.slice(0, 8), /truncated/],
    ['header only', good.slice(0, 30), /truncated: 30 bytes is shorter than the smallest WAV file/],
    [
      'no fmt chunk',
      (() => {
        const b = good.slice();
        b.set([106, 117, 110, 107], 12);
        return b;
      })(),
      /no "fmt " chunk/,
    ],
    [
      'no data chunk',
      (() => {
        const b = good.slice(0, 50);
        b.set([106, 117, 110, 107], 36);
        return b;
      })(),
      /no "data" chunk/,
    ],
    [
      'truncated data',
      makeWav({ bits: 16, values: [1, 2, 3, 4], declaredDataBytes: 800 }),
      /truncated: data chunk declares 800 bytes, only 8 present/,
    ],
    ['zero channels', makeWav({ bits: 16, values: [1], channels: 0, blockAlign: 2 }), /zero channels/],
    ['zero rate', makeWav({ bits: 16, values: [1], rate: 0 }), /sample rate 0 Hz/],
    ['IMA ADPCM', makeWav({ format: 17, bits: 8, values: [1, 2] }), /unsupported encoding IMA ADPCM/],
    ['A-law', makeWav({ format: 6, bits: 8, values: [1, 2] }), /unsupported encoding A-law/],
    ['extensible mu-law', makeWav({ format: 0xfffe, subformat: 7, bits: 8, values: [1] }), /unsupported encoding mu-law/],
    ['12-bit PCM', makeWav({ bits: 16, values: [1] }).map((b, i) => (i === 34 ? 12 : b)), /unsupported PCM bit depth 12/],
  ];
  for (const [name, bytes, re] of cases) {
    it(`${name} → AudioFormatError "corrupt.wav: …"`, () => {
      let err: unknown;
      try {
        decodeWav(bytes, 'corrupt.wav');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AudioFormatError);
      expect((err as AudioFormatError).message).toMatch(/^corrupt\.wav: /);
      expect((err as AudioFormatError).message).toMatch(re);
      expect((err as AudioFormatError).context.file).toBe('corrupt.wav');
    });
  }

  it('never crashes with another error on any truncation or random corruption of a real file', () => {
    const real = new Uint8Array(readFileSync(SC + 'no/1acc97de_nohash_0.wav')).slice(0, 400);
    const variants: Uint8Array[] = [];
    for (let n = 0; n <= 120; n++) variants.push(good.slice(0, n), real.slice(0, n));
    let seed = 5;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    for (let k = 0; k < 400; k++) {
      const b = (k % 2 ? good : real).slice();
      for (let j = 0; j < 1 + (k % 4); j++) b[Math.floor(rnd() * Math.min(b.length, 64))] = Math.floor(rnd() * 256);
      variants.push(b);
    }
    for (const b of variants) {
      try {
        const a = decodeWav(b, 'fuzz.wav');
        expect(a.samples.every(Number.isFinite)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(AudioFormatError);
      }
    }
  });
});

describe('encodeWav16 / encodeWavFloat32', () => {
  it('round-trips through decodeWav within 1 LSB and clips out-of-range values', () => {
    let seed = 3;
    const x = Float64Array.from({ length: 5000 }, () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
    const a = decodeWav(encodeWav16(x, 16000), 'rt.wav');
    expect([a.sampleRateHz, a.channels, a.bitDepth, a.samples.length]).toEqual([16000, 1, '16', 5000]);
    let maxErr = 0;
    for (let i = 0; i < x.length; i++) maxErr = Math.max(maxErr, Math.abs(a.samples[i] - x[i]));
    expect(maxErr).toBeLessThanOrEqual(1 / 32768);
    expect(Array.from(decodeWav(encodeWav16(Float32Array.from([1.5, -2, NaN]), 8000)).samples)).toEqual([32767 / 32768, -1, 0]);
  });
  it('float32 WAV is lossless for Float32 input', () => {
    const x = Float32Array.from([0.1, -0.3, 0.99, 1.25]);
    const a = decodeWav(encodeWavFloat32(x, 48000));
    expect([a.bitDepth, a.sampleRateHz, ...a.samples]).toEqual(['32f', 48000, ...x]);
  });
  it('rejects a non-integer rate', () => {
    expect(() => encodeWav16(new Float32Array(1), 44100.5)).toThrow(AudioFormatError);
  });
});
