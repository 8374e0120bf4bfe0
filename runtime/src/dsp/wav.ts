/**
 * WAV decoding and encoding, in memory (no file access: runs in browsers and workers too).
 *
 * The `wavefile` package parses the RIFF chunk structure (fmt, data, and the many optional
 * chunks real files carry); the samples are converted here, with our own checks, so that every
 * malformed input ends as an AudioFormatError naming the source instead of an internal crash.
 */
import * as wavefileNs from 'wavefile';
import { AudioFormatError } from '../errors.js';
import { checkAudioFormat } from './audio-limits.js';

// wavefile ships a UMD bundle as `main` (Node: module.exports = { WaveFile }, reached through
// `default`) and an ES module as `module` (bundlers: a named `WaveFile` export). Accept both.
type WaveFileCtor = typeof wavefileNs.WaveFile;
const WaveFile: WaveFileCtor =
  (wavefileNs as { WaveFile?: WaveFileCtor }).WaveFile ??
  (wavefileNs as unknown as { default: { WaveFile: WaveFileCtor } }).default.WaveFile;

/** Decoded audio: mono float samples in [-1, 1]. */
export interface DecodedAudio {
  /** Sample rate, Hz. */
  sampleRateHz: number;
  /** Channel count of the file (the samples are their average). */
  channels: number;
  /** Encoding: '8' (unsigned), '16', '24', '32' (signed PCM), '32f' or '64' (IEEE float). */
  bitDepth: string;
  /** Mono samples: channels averaged, PCM scaled to [-1, 1). */
  samples: Float32Array;
  /** Duration, seconds. */
  durationS: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES = new Map([
  [2, 'MS ADPCM'],
  [6, 'A-law'],
  [7, 'mu-law'],
  [17, 'IMA ADPCM'],
  [85, 'MP3'],
]);

/** The fields of a "fmt " chunk the decoder reads. */
export interface WavFmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  subformat?: number[];
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Returns 'pcm' | 'float', or throws naming the unsupported encoding. */
function sampleKind(fmt: WavFmt, fail: (problem: string) => never): 'pcm' | 'float' {
  let code = fmt.audioFormat;
  // WAVE_FORMAT_EXTENSIBLE: the real format code is the first 16 bits of the SubFormat GUID.
  if (code === FORMAT_EXTENSIBLE) {
    if (!fmt.subformat) fail('WAVE_FORMAT_EXTENSIBLE header without a SubFormat');
    code = fmt.subformat![0] & 0xffff;
  }
  if (code === FORMAT_PCM) return 'pcm';
  if (code === FORMAT_FLOAT) return 'float';
  fail(`unsupported encoding ${FORMAT_NAMES.get(code) ?? `format code ${code}`} (only PCM and IEEE float WAV are supported)`);
}

/**
 * Decodes a WAV file held in memory to mono float32.
 *
 * Supports 8-bit unsigned PCM ((x-128)/128), 16/24/32-bit signed PCM (x/2^(bits-1)), 32/64-bit
 * IEEE float (as is), any channel count (averaged), WAVE_FORMAT_EXTENSIBLE, RIFX (big-endian).
 *
 * @param bytes the whole file
 * @param source name used in error messages (usually the file path)
 * @throws AudioFormatError `<source>: <problem>` (context `{ file: source }`) for non-WAV,
 *   truncated or empty input, missing chunks, zero channels or rate, unsupported encodings
 */
export function decodeWav(bytes: Uint8Array, source = '<buffer>'): DecodedAudio {
  const fail = (problem: string): never => {
    throw new AudioFormatError(`${source}: ${problem}`, { file: source });
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file contents as a Uint8Array');
  if (bytes.length === 0) fail('empty file (0 bytes)');
  const riff = bytes.length >= 4 ? ascii(bytes, 0) : '';
  if (bytes.length >= 4 && riff !== 'RIFF' && riff !== 'RIFX') fail('not a WAV file (no RIFF header)');
  if (bytes.length < 12) fail(`truncated: ${bytes.length} bytes is shorter than a WAV header`);
  if (ascii(bytes, 8) !== 'WAVE') fail(`not a WAV file (RIFF type "${ascii(bytes, 8)}", expected "WAVE")`);
  // RIFF header (12) + "fmt " chunk (8 + 16) + "data" chunk header (8).
  if (bytes.length < 44) fail(`truncated: ${bytes.length} bytes is shorter than the smallest WAV file (44 bytes)`);

  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (/"fmt "/.test(msg)) fail('no "fmt " chunk (truncated or corrupt file)');
    if (/"data"/.test(msg)) fail('no "data" chunk (truncated or corrupt file)');
    fail(`corrupt WAV (${msg})`);
  }
  // Only wavefile's documented fields: its npm `main` bundle renames the private ones.
  const fmt = wav.fmt as WavFmt & { chunkSize: number };
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  if (!(fmt.chunkSize >= 16)) fail(`corrupt "fmt " chunk (${fmt.chunkSize} bytes, at least 16 expected)`);
  const encoding = wavEncodingOf(fmt, riff === 'RIFF', source, fail);
  const frameBytes = (encoding.bits / 8) * encoding.channels;

  // wavefile slices the data chunk up to the end of the buffer (plus a pad byte when odd).
  const payload = data.samples;
  let size = data.chunkSize;
  // 0xFFFFFFFF is what streaming writers leave when they never patch the header: read to EOF.
  if (size === 0xffffffff) size = payload.length;
  if (payload.length < size) fail(`truncated: data chunk declares ${size} bytes, only ${payload.length} present`);
  const frames = Math.floor(size / frameBytes);

  const view = new DataView(payload.buffer, payload.byteOffset, frames * frameBytes);
  const samples = framesToMono(view, frames, encoding, new Float32Array(frames));
  return {
    sampleRateHz: fmt.sampleRate,
    channels: encoding.channels,
    bitDepth: bitDepthName(encoding),
    samples,
    durationS: frames / fmt.sampleRate,
  };
}

/**
 * Checks a "fmt " chunk (rate and channels within the limits of audio-limits.ts, a supported
 * encoding and bit depth, a consistent block align) and returns the frame layout.
 * @param fail throws `<source>: <problem>`
 */
export function wavEncodingOf(fmt: WavFmt, littleEndian: boolean, source: string, fail: (problem: string) => never): WavEncoding {
  if (!(fmt.numChannels > 0)) fail('zero channels in the "fmt " chunk');
  if (!(fmt.sampleRate > 0)) fail('sample rate 0 Hz in the "fmt " chunk');
  checkAudioFormat(source, fmt.sampleRate, fmt.numChannels);
  const kind = sampleKind(fmt, fail);
  const bits = fmt.bitsPerSample;
  const okBits = kind === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bits)) fail(`unsupported ${kind === 'pcm' ? 'PCM' : 'float'} bit depth ${bits}`);
  const channels = fmt.numChannels;
  const frameBytes = (bits / 8) * channels;
  if (fmt.blockAlign !== frameBytes) fail(`inconsistent header: block align ${fmt.blockAlign} for ${channels} × ${bits}-bit`);
  return { kind, bits, channels, littleEndian };
}

/** How the frames of a WAV data chunk are laid out. */
export interface WavEncoding {
  kind: 'pcm' | 'float';
  bits: number;
  channels: number;
  littleEndian: boolean;
}

/** '8', '16', '24', '32' (PCM), '32f' or '64' (float). */
export function bitDepthName(e: WavEncoding): string {
  return e.kind === 'float' ? (e.bits === 32 ? '32f' : '64') : String(e.bits);
}

/**
 * Converts `frames` interleaved frames at the start of `view` to mono float samples in `out`
 * (channels averaged, PCM scaled to [-1, 1)). Shared by the whole-file decoder and the streaming
 * reader (runtime/src/node/wav-stream.ts), so both give the same samples.
 */
export function framesToMono(view: DataView, frames: number, e: WavEncoding, out: Float32Array): Float32Array {
  const { kind, bits, channels, littleEndian: le } = e;
  if (kind === 'pcm' && bits === 16 && channels === 1 && le) {
    // The common case (Speech Commands, our own recordings), without a call per sample.
    for (let f = 0; f < frames; f++) out[f] = view.getInt16(2 * f, true) / 32768;
    return out;
  }
  const bytesPerSample = bits / 8;
  const read = reader(kind, bits, view, le);
  const inv = 1 / channels;
  for (let f = 0, at = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, at += bytesPerSample) sum += read(at);
    out[f] = channels === 1 ? sum : sum * inv;
  }
  return out;
}

/** A function reading one sample at byte offset `at`, scaled to [-1, 1). */
function reader(kind: 'pcm' | 'float', bits: number, v: DataView, le: boolean): (at: number) => number {
  if (kind === 'float') return bits === 32 ? (at) => v.getFloat32(at, le) : (at) => v.getFloat64(at, le);
  switch (bits) {
    case 8:
      return (at) => (v.getUint8(at) - 128) / 128;
    case 16:
      return (at) => v.getInt16(at, le) / 32768;
    case 24:
      return le
        ? (at) => (v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) / 8388608
        : (at) => (v.getUint8(at + 2) | (v.getUint8(at + 1) << 8) | (v.getInt8(at) << 16)) / 8388608;
    default:
      return (at) => v.getInt32(at, le) / 2147483648;
  }
}

function header(dataBytes: number, format: number, bits: number, sampleRateHz: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const put = (at: number, s: string) => [...s].forEach((ch, i) => (bytes[at + i] = ch.charCodeAt(0)));
  put(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, format, true);
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, (sampleRateHz * bits) / 8, true);
  view.setUint16(32, bits / 8, true);
  view.setUint16(34, bits, true);
  put(36, 'data');
  view.setUint32(40, dataBytes, true);
  return { bytes, view };
}

function checkEncodeRate(sampleRateHz: number): void {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0) {
    throw new AudioFormatError(`cannot encode WAV at ${sampleRateHz} Hz: the rate must be a positive whole number`, {
      value: sampleRateHz,
    });
  }
}

/**
 * Encodes mono samples in [-1, 1] as a 16-bit PCM WAV (44-byte header). Values are rounded to
 * the nearest int16 step and clipped to [-32768, 32767]; NaN becomes 0.
 */
export function encodeWav16(samples: Float32Array | Float64Array, sampleRateHz: number): Uint8Array {
  checkEncodeRate(sampleRateHz);
  const { bytes, view } = header(samples.length * 2, FORMAT_PCM, 16, sampleRateHz);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    view.setInt16(44 + 2 * i, v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0, true);
  }
  return bytes;
}

/** Encodes mono samples as a 32-bit IEEE float WAV (lossless for Float32 input). */
export function encodeWavFloat32(samples: Float32Array | Float64Array, sampleRateHz: number): Uint8Array {
  checkEncodeRate(sampleRateHz);
  const { bytes, view } = header(samples.length * 4, FORMAT_FLOAT, 32, sampleRateHz);
  for (let i = 0; i < samples.length; i++) view.setFloat32(44 + 4 * i, samples[i], true);
  return bytes;
}
