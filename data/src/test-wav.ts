/**
 * Test helper: writes WAV files in every encoding the loader must accept (8-bit unsigned,
 * 16/24/32-bit signed PCM, 32-bit float, any channel count), independently of the runtime's
 * encoder, so loader tests do not check the runtime against itself. Also a tiny tone maker.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type TestWavFormat = 'u8' | 's16' | 's24' | 's32' | 'f32';

/**
 * Encodes interleaved WAV bytes.
 * @param channels - one Float32Array per channel, equal lengths, values in [-1, 1].
 */
export function encodeTestWav(channels: Float32Array[], sampleRateHz: number, format: TestWavFormat = 's16'): Uint8Array {
  const bits = { u8: 8, s16: 16, s24: 24, s32: 32, f32: 32 }[format];
  const bytesPer = bits / 8;
  const nCh = channels.length;
  const n = channels[0].length;
  const dataBytes = n * nCh * bytesPer;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(format === 'f32' ? 3 : 1, 20);
  buf.writeUInt16LE(nCh, 22);
  buf.writeUInt32LE(sampleRateHz, 24);
  buf.writeUInt32LE(sampleRateHz * nCh * bytesPer, 28);
  buf.writeUInt16LE(nCh * bytesPer, 32);
  buf.writeUInt16LE(bits, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  let o = 44;
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nCh; c++) {
      const v = clamp(channels[c][i]);
      if (format === 'u8') buf.writeUInt8(Math.round(v * 127) + 128, o);
      else if (format === 's16') buf.writeInt16LE(Math.round(v * 32767), o);
      else if (format === 's24') buf.writeIntLE(Math.round(v * 8388607), o, 3);
      else if (format === 's32') buf.writeInt32LE(Math.round(v * 2147483647), o);
      else buf.writeFloatLE(v, o);
      o += bytesPer;
    }
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A sine tone, `durationS` long. */
export function tone(freqHz: number, durationS: number, sampleRateHz: number, amplitude = 0.5): Float32Array {
  const n = Math.round(durationS * sampleRateHz);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRateHz);
  return out;
}

/** Writes a WAV file (creating folders); returns the path. */
export function writeTestWav(path: string, channels: Float32Array[], sampleRateHz: number, format: TestWavFormat = 's16'): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeTestWav(channels, sampleRateHz, format));
  return path;
}
