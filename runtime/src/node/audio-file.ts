/// <reference types="node" />
/**
 * Audio files of every common format, Node only: WAV (all PCM/float variants, our own decoder in
 * `../dsp/wav.ts`), FLAC, MP3 and OGG/Vorbis through the WebAssembly decoders of the kept
 * `@wasm-audio-decoders` family (libFLAC, libmpg123, libvorbis compiled to WASM, shipped inside
 * the npm packages: nothing is downloaded). The format is told by the file's first bytes, not its
 * name. Every problem is an AudioFormatError naming the file, as for WAV.
 *
 * Two entry points: {@link decodeAudioFile} (async, decodes in this thread) and
 * {@link decodeAudioFileSync} for the synchronous data pipelines (trainer, eval): WAV is decoded
 * in place, compressed formats in a helper worker thread the caller blocks on (the decoders'
 * API is promise-based; their work is not, so the wait is the decode time plus a message).
 */
import { closeSync, readFileSync } from 'node:fs';
import { AudioFormatError } from '../errors.js';
import { checkAudioFormat } from '../dsp/audio-limits.js';
import { type DecodedAudio, decodeWav } from '../dsp/wav.js';
import { SyncDecoderWorker, decodeWhole, type RawDecoded } from './compressed-decoder.js';
import { openRegularFile } from './regular-file.js';
import { MAX_WAV_BYTES } from './wav-file.js';

/** Containers the reader knows. */
export type AudioContainer = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis';

/** A decoded file: mono float samples plus where they came from. */
export type AudioFile = DecodedAudio & { file: string; format: AudioContainer };

/** File name endings listed as audio by folder scans (any case). */
export const AUDIO_FILE_EXTENSIONS: readonly string[] = ['.wav', '.wave', '.flac', '.mp3', '.ogg', '.oga'];

/** True when a file name ends like an audio file the reader decodes. */
export function isAudioFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return AUDIO_FILE_EXTENSIONS.some((e) => lower.endsWith(e));
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** An MPEG audio frame header: 11 sync bits, a valid version, layer, bitrate and rate. */
function isMpegFrame(b: Uint8Array, at: number): boolean {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return false;
  const version = (b[at + 1] >> 3) & 3;
  const layer = (b[at + 1] >> 1) & 3;
  const bitrate = b[at + 2] >> 4;
  const rate = (b[at + 2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

/**
 * The container of `bytes`, from its magic numbers.
 * @throws AudioFormatError naming `file` for anything else (Opus, AAC, text...)
 */
export function detectAudioContainer(bytes: Uint8Array, file = '<audio>'): AudioContainer {
  const fail = (problem: string): never => {
    throw new AudioFormatError(`${file}: ${problem}`, { file });
  };
  if (bytes.length < 4) fail(`not an audio file (${bytes.length} bytes)`);
  const magic = ascii(bytes, 0, 4);
  if (magic === 'RIFF' || magic === 'RIFX' || magic === 'RF64') return 'wav';
  if (magic === 'fLaC') return 'flac';
  if (magic === 'OggS') {
    // The first page holds the codec's identification header.
    const head = ascii(bytes, 0, Math.min(bytes.length, 128));
    if (head.includes('\x01vorbis')) return 'ogg-vorbis';
    if (head.includes('\x7fFLAC')) return 'flac';
    fail(`unsupported OGG codec ${head.includes('OpusHead') ? 'Opus' : '(not Vorbis or FLAC)'} (supported: WAV, FLAC, MP3, OGG/Vorbis)`);
  }
  if (magic.startsWith('ID3')) return 'mp3';
  if (isMpegFrame(bytes, 0)) return 'mp3';
  return fail('not a WAV, FLAC, MP3 or OGG/Vorbis file (unknown header)');
}

/**
 * Native FLAC prepared for the decoder: `codec-parser` (inside the decoder package) accepts a
 * frame only when the next frame header or a CRC-checked end follows it, and drops some files'
 * last frame. A copy of the first frame header appended after the end gives that last frame its
 * successor (the lone header itself decodes to nothing). Also returns STREAMINFO's total sample
 * count (0 = unknown), which tells a truncated file.
 */
function prepareFlac(bytes: Uint8Array): { bytes: Uint8Array; totalSamples: number } {
  let off = 4;
  // Metadata blocks: 1 byte (last flag + type), 3 bytes length; STREAMINFO comes first.
  for (let guard = 0; off + 4 <= bytes.length && guard < 1000; guard++) {
    const last = bytes[off] & 0x80;
    off += 4 + ((bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]);
    if (last) break;
  }
  const totalSamples =
    bytes.length >= 26 ? (bytes[21] & 0x0f) * 2 ** 32 + ((bytes[22] << 24) >>> 0) + (bytes[23] << 16) + (bytes[24] << 8) + bytes[25] : 0;
  if (off + 16 > bytes.length || bytes[off] !== 0xff || (bytes[off + 1] & 0xfe) !== 0xf8) return { bytes, totalSamples };
  const padded = new Uint8Array(bytes.length + 16);
  padded.set(bytes);
  padded.set(bytes.subarray(off, off + 16), bytes.length);
  return { bytes: padded, totalSamples };
}

export const CONTAINER_NAMES: Record<Exclude<AudioContainer, 'wav'>, string> = { flac: 'FLAC', mp3: 'MP3', 'ogg-vorbis': 'OGG/Vorbis' };

/**
 * Frames [from, from + n) of decoded channels averaged to mono float32 (non-finite sums give 0),
 * the WAV reader's rule. `flacBits` > 0: libFLAC's wrapper scales b-bit integers by
 * 1/(2^(b-1) - 1), the WAV reader (and the rest of the project) by 1/2^(b-1): FLAC samples are
 * mapped back onto the integers and re-scaled, so the same audio as FLAC or WAV gives the same samples.
 */
export function mixToMono(channelData: readonly Float32Array[], from: number, n: number, flacBits = 0): Float32Array {
  const full = flacBits > 0 ? 2 ** (flacBits - 1) : 0;
  const ch = channelData.length;
  const samples = new Float32Array(n);
  // Summed in float64, channel 0 first (one local sum per frame: no second buffer of the block).
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < ch; c++) sum += full ? Math.round(channelData[c][from + i] * (full - 1)) / full : channelData[c][from + i];
    samples[i] = Number.isFinite(sum) ? sum / ch : 0;
  }
  return samples;
}

/** Checks a decoder result and averages its channels to mono (the WAV reader's rule). */
function toAudio(raw: RawDecoded, container: Exclude<AudioContainer, 'wav'>, file: string, totalSamples = 0): AudioFile {
  const fail = (problem: string): never => {
    throw new AudioFormatError(`${file}: ${problem}`, { file });
  };
  const what = CONTAINER_NAMES[container];
  if (raw.errors.length > 0) fail(`corrupt ${what} data (${raw.errors[0].message.split('\n')[0]})`);

  if (totalSamples > 0 && raw.samplesDecoded < totalSamples)
    fail(`truncated ${what} data (decoded ${raw.samplesDecoded} of ${totalSamples} samples)`);
  if (!(raw.samplesDecoded > 0) || raw.channelData.length === 0) fail(`no ${what} audio decoded (truncated or corrupt file)`);
  if (!(raw.sampleRate > 0)) fail(`${what} stream without a sample rate`);
  // The same limits as WAV (rate, channels, duration): checked before the samples are mixed.
  checkAudioFormat(file, raw.sampleRate, raw.channelData.length, (totalSamples || raw.samplesDecoded) / raw.sampleRate);
  const n = totalSamples > 0 ? totalSamples : raw.samplesDecoded;
  const samples = mixToMono(raw.channelData, 0, n, container === 'flac' ? (raw.bitDepth ?? 16) : 0);
  const ch = raw.channelData.length;
  const bitDepth = container === 'flac' ? String(raw.bitDepth ?? 16) : container === 'mp3' ? 'mp3' : 'vorbis';
  return { sampleRateHz: raw.sampleRate, channels: ch, bitDepth, samples, durationS: n / raw.sampleRate, file, format: container };
}

/** Reads a file's bytes with the WAV reader's checks and messages (regular files only: see regular-file.ts). */
function readBytes(path: string): Uint8Array {
  const { fd } = openRegularFile(path, 'an audio file', (m, c) => new AudioFormatError(m, c), MAX_WAV_BYTES);
  try {
    return readFileSync(fd);
  } catch (err) {
    throw new AudioFormatError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  } finally {
    closeSync(fd);
  }
}

/** Decodes audio bytes of any supported container; `file` names the source in errors. */
export async function decodeAudioBytes(bytes: Uint8Array, file = '<audio>'): Promise<AudioFile> {
  const container = detectAudioContainer(bytes, file);
  if (container === 'wav') return { ...decodeWav(bytes, file), file, format: 'wav' };
  const prepared = container === 'flac' && bytes[0] === 0x66 ? prepareFlac(bytes) : { bytes, totalSamples: 0 };
  let raw: RawDecoded;
  try {
    raw = await decodeWhole(container, prepared.bytes);
  } catch (err) {
    throw new AudioFormatError(`${file}: corrupt ${CONTAINER_NAMES[container]} data (${(err as Error).message.split('\n')[0]})`, { file });
  }
  return toAudio(raw, container, file, prepared.totalSamples);
}

/**
 * Reads and decodes a WAV, FLAC, MP3 or OGG/Vorbis file to mono float32 at its own rate.
 * @throws AudioFormatError `<path>: file not found`, `<path>: corrupt FLAC data (...)`, ... with
 *   context `{ file: path }`
 */
export async function decodeAudioFile(path: string): Promise<AudioFile> {
  return decodeAudioBytes(readBytes(path), path);
}

/** {@link decodeAudioBytes}, synchronous (see the module comment). */
export function decodeAudioBytesSync(bytes: Uint8Array, file = '<audio>'): AudioFile {
  const container = detectAudioContainer(bytes, file);
  if (container === 'wav') return { ...decodeWav(bytes, file), file, format: 'wav' };
  const prepared = container === 'flac' && bytes[0] === 0x66 ? prepareFlac(bytes) : { bytes, totalSamples: 0 };
  let raw: RawDecoded;
  try {
    raw = SyncDecoderWorker.get().call({ op: 'file', container, bytes: prepared.bytes });
  } catch (err) {
    const m = (err as Error).message.split('\n')[0];
    throw new AudioFormatError(
      `${file}: ${m.includes('no answer') ? `${CONTAINER_NAMES[container]} ${m}` : `corrupt ${CONTAINER_NAMES[container]} data (${m})`}`,
      { file },
    );
  }
  return toAudio(raw, container, file, prepared.totalSamples);
}

/** {@link decodeAudioFile}, synchronous: for the trainer's and eval's synchronous data pipelines. */
export function decodeAudioFileSync(path: string): AudioFile {
  return decodeAudioBytesSync(readBytes(path), path);
}
