/// <reference types="node" />
/**
 * Chunked reading of every supported container, so memory stays flat in a file's length: WAV
 * through `wav-stream.ts` (block reads of the data chunk), FLAC, MP3 and OGG/Vorbis through the
 * WASM decoders' streaming API (64 KB of compressed bytes in, their PCM out, mixed to mono block
 * by block). Same samples as the whole-file reader (`audio-file.ts`: same mono mix, same FLAC
 * scaling) and the same error contract: an AudioFormatError naming the file, whatever goes wrong.
 * The input per call shrinks while its output is large (FLAC silence compresses ~1000:1).
 *
 * Two flavours: {@link openAudioStream} (async, decoders in this thread: `nwave detect`) and
 * {@link openAudioStreamSync} (decoders in the helper worker: the synchronous eval pipeline).
 * {@link resampledBlocks} / {@link resampledBlocksSync} then bring a stream to the model rate
 * block by block (the streaming resampler: the same samples as resampling the whole file).
 */
import { closeSync, readSync } from 'node:fs';
import { AudioFormatError } from '../errors.js';
import { MAX_AUDIO_DURATION_S, checkAudioFormat } from '../dsp/audio-limits.js';
import { StreamingResampler } from '../dsp/resample.js';
import { CONTAINER_NAMES, detectAudioContainer, mixToMono, type AudioContainer } from './audio-file.js';
import { SyncDecoderWorker, openDecoder, type CompressedContainer, type RawDecoded } from './compressed-decoder.js';
import { openRegularFile } from './regular-file.js';
import { WAV_STREAM_BLOCK_FRAMES, wavStreamFromFd } from './wav-stream.js';

/** An open audio file read block by block. */
export interface AudioStreamInfo {
  file: string;
  format: AudioContainer;
  sampleRateHz: number;
  channels: number;
  /** See `DecodedAudio.bitDepth` ('16', '24', 'mp3', 'vorbis'...). */
  bitDepth: string;
  /**
   * Frames (samples per channel) the header declares: WAV's data chunk, FLAC's STREAMINFO count;
   * null when only decoding to the end tells (MP3, OGG/Vorbis, FLAC without a count).
   */
  declaredFrames: number | null;
  /** Closes the file and frees the decoder (idempotent). */
  close(): void;
}

export interface AudioStreamSync extends AudioStreamInfo {
  /** The next block of at most `maxFrames` mono samples; empty at the end. Valid until the next call. */
  read(maxFrames?: number): Float32Array;
}

export interface AudioStream extends AudioStreamInfo {
  /** The next block of at most `maxFrames` mono samples; empty at the end. Valid until the next call. */
  read(maxFrames?: number): Promise<Float32Array>;
}

/** Compressed bytes handed to the decoder at a time. */
export const COMPRESSED_CHUNK_BYTES = 1 << 16;

/** Smallest (and first) input per decoder call, bytes. */
const MIN_CHUNK_BYTES = 1024;
/** Decoded values (samples x channels) per call above which the next input is halved (4 MB of float32). */
const MAX_VALUES_PER_CALL = 1 << 20;

/** One decoder call: bytes to decode, or the end of input (flush). */
type DecoderInput = { bytes: Uint8Array } | { flush: true };

/**
 * Everything of a compressed stream but the decoder calls (which are async in this thread and
 * sync through the worker): file reads, the FLAC end fix-up, checks, mono mix, the block queue.
 */
class CompressedReader {
  private readonly what: string;
  private pos = 0;
  private tail: Uint8Array | null = null;
  private inputDone = false;
  private flushed = false;
  private queue: Float32Array[] = [];
  private queueAt = 0;
  /** Frames decoded and accepted so far. */
  frames = 0;
  sampleRateHz = 0;
  channels = 0;
  bitDepth = '';
  private flacBits = 0;
  /**
   * Compressed bytes per decoder call: starts small and grows to 64 KB while the output stays
   * small, shrinks while it is large (64 KB of FLAC silence is ~20 minutes of samples, and a
   * decoder's WASM heap never shrinks once one call's PCM has grown it).
   */
  private chunkBytes = MIN_CHUNK_BYTES;
  /** STREAMINFO's sample count (native FLAC), 0 = unknown. */
  readonly totalSamples: number;

  constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly size: number,
    readonly container: CompressedContainer,
  ) {
    this.what = CONTAINER_NAMES[container];
    const layout = container === 'flac' ? flacLayout(this) : null;
    this.totalSamples = layout?.totalSamples ?? 0;
    // codec-parser accepts a FLAC frame only when the next frame header or a CRC-checked end
    // follows it, and drops some files' last frame: a copy of the first frame header after the
    // end gives that frame its successor (the lone header itself decodes to nothing).
    if (layout?.firstFrameHeader) this.tail = layout.firstFrameHeader;
  }

  fail(problem: string): never {
    throw new AudioFormatError(`${this.path}: ${problem}`, { file: this.path });
  }

  /** Reads `n` bytes at `pos` (fewer at the end of the file). */
  readAt(n: number, pos: number): Uint8Array {
    const b = new Uint8Array(Math.max(0, n));
    let got = 0;
    try {
      while (got < n) {
        const r = readSync(this.fd, b, got, n - got, pos + got);
        if (r === 0) break;
        got += r;
      }
    } catch (err) {
      this.fail(`cannot read (${(err as Error).message})`);
    }
    return b.subarray(0, got);
  }

  /** What the decoder gets next; null once the stream has been flushed. */
  nextInput(): DecoderInput | null {
    if (this.flushed) return null;
    if (!this.inputDone) {
      const bytes = this.readAt(Math.min(this.chunkBytes, this.size - this.pos), this.pos);
      this.pos += bytes.length;
      if (bytes.length > 0) return { bytes };
      this.inputDone = true;
      if (this.tail) {
        const t = this.tail;
        this.tail = null;
        return { bytes: t };
      }
    }
    this.flushed = true;
    return { flush: true };
  }

  /** Wraps a decoder exception in the file's error. */
  decoderError(err: unknown): never {
    if (err instanceof AudioFormatError) throw err;
    const m = (err as Error)?.message?.split('\n')[0] ?? String(err);
    return this.fail(m.includes('no answer') ? `${this.what} ${m}` : `corrupt ${this.what} data (${m})`);
  }

  /** Checks one decoder answer and queues its samples as mono. */
  accept(raw: RawDecoded): void {
    if (raw.errors.length > 0) this.fail(`corrupt ${this.what} data (${raw.errors[0].message.split('\n')[0]})`);
    let n = raw.samplesDecoded;
    const values = (n > 0 ? n : 0) * raw.channelData.length;
    if (values > MAX_VALUES_PER_CALL) this.chunkBytes = Math.max(MIN_CHUNK_BYTES, this.chunkBytes >> 1);
    else if (values < MAX_VALUES_PER_CALL / 8) this.chunkBytes = Math.min(COMPRESSED_CHUNK_BYTES, this.chunkBytes * 2);
    if (!(n > 0) || raw.channelData.length === 0) return;
    if (this.sampleRateHz === 0) {
      if (!(raw.sampleRate > 0)) this.fail(`${this.what} stream without a sample rate`);
      // The same limits as WAV, checked on the first decoded frames (before any is used).
      const declared = this.totalSamples > 0 ? this.totalSamples / raw.sampleRate : undefined;
      checkAudioFormat(this.path, raw.sampleRate, raw.channelData.length, declared);
      this.sampleRateHz = raw.sampleRate;
      this.channels = raw.channelData.length;
      this.flacBits = this.container === 'flac' ? (raw.bitDepth ?? 16) : 0;
      this.bitDepth = this.container === 'flac' ? String(this.flacBits) : this.container === 'mp3' ? 'mp3' : 'vorbis';
    } else if (raw.sampleRate !== this.sampleRateHz || raw.channelData.length !== this.channels) {
      this.fail(
        `${this.what} format changes mid-file (${this.sampleRateHz} Hz x ${this.channels} to ${raw.sampleRate} Hz x ${raw.channelData.length})`,
      );
    }
    // STREAMINFO's count is the length: decoders may pad the last block.
    if (this.totalSamples > 0) n = Math.min(n, this.totalSamples - this.frames);
    if (n <= 0) return;
    this.frames += n;
    if (this.frames / this.sampleRateHz > MAX_AUDIO_DURATION_S)
      checkAudioFormat(this.path, this.sampleRateHz, this.channels, this.frames / this.sampleRateHz);
    this.queue.push(mixToMono(raw.channelData, 0, n, this.flacBits));
  }

  /** End-of-stream checks (after the flush was accepted). */
  finish(): void {
    if (this.totalSamples > 0 && this.frames < this.totalSamples)
      this.fail(`truncated ${this.what} data (decoded ${this.frames} of ${this.totalSamples} samples)`);
    if (this.frames === 0) this.fail(`no ${this.what} audio decoded (truncated or corrupt file)`);
  }

  /** True when a block is waiting (or the stream is over). */
  get ready(): boolean {
    return this.queue.length > 0 || this.flushed;
  }

  /** At most `max` queued samples; empty when the queue is dry (at the end: the stream is over). */
  take(max: number): Float32Array {
    const head = this.queue[0];
    if (!head) return new Float32Array(0);
    const n = Math.min(Math.max(1, Math.floor(max)), head.length - this.queueAt);
    const out = head.subarray(this.queueAt, this.queueAt + n);
    this.queueAt += n;
    if (this.queueAt >= head.length) {
      this.queue.shift();
      this.queueAt = 0;
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Native FLAC's STREAMINFO count and first frame header (metadata blocks walked with small reads). */
function flacLayout(r: CompressedReader): { totalSamples: number; firstFrameHeader: Uint8Array | null } {
  const head = r.readAt(26, 0);
  if (head.length < 26 || head[0] !== 0x66) return { totalSamples: 0, firstFrameHeader: null };
  const totalSamples = (head[21] & 0x0f) * 2 ** 32 + ((head[22] << 24) >>> 0) + (head[23] << 16) + (head[24] << 8) + head[25];
  let off = 4;
  // Metadata blocks: 1 byte (last flag + type), 3 bytes length; STREAMINFO comes first.
  for (let guard = 0; guard < 1000; guard++) {
    const b = r.readAt(4, off);
    if (b.length < 4) return { totalSamples, firstFrameHeader: null };
    off += 4 + ((b[1] << 16) | (b[2] << 8) | b[3]);
    if (b[0] & 0x80) break;
  }
  const frame = r.readAt(16, off);
  const ok = frame.length === 16 && frame[0] === 0xff && (frame[1] & 0xfe) === 0xf8;
  return { totalSamples, firstFrameHeader: ok ? frame : null };
}

/** Opens `path` (regular files only) and tells its container from the first bytes. */
function openAny(path: string): { fd: number; size: number; container: AudioContainer } {
  const { fd, stat } = openRegularFile(path, 'an audio file', (m, c) => new AudioFormatError(m, c));
  try {
    const head = new Uint8Array(128);
    let got = 0;
    for (let r = 1; got < head.length && r > 0; got += r) r = readSync(fd, head, got, head.length - got, got);
    return { fd, size: stat.size, container: detectAudioContainer(head.subarray(0, got), path) };
  } catch (err) {
    closeSync(fd);
    if (err instanceof AudioFormatError) throw err;
    throw new AudioFormatError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  }
}

function info(r: CompressedReader, close: () => void): AudioStreamInfo {
  return {
    file: r.path,
    format: r.container,
    sampleRateHz: r.sampleRateHz,
    channels: r.channels,
    bitDepth: r.bitDepth,
    declaredFrames: r.totalSamples > 0 ? r.totalSamples : null,
    close,
  };
}

/**
 * Opens an audio file of any supported container for block reads (decoders in this thread).
 * The header, and for compressed formats the first decoded frames, are checked before it returns.
 * @throws AudioFormatError `<path>: <problem>`, context `{ file: path }`
 */
export async function openAudioStream(path: string): Promise<AudioStream> {
  const { fd, size, container } = openAny(path);
  if (container === 'wav') {
    const w = wavStreamFromFd(path, fd, size);
    return { ...wavInfo(w), read: async (max) => w.read(max) };
  }
  const r = new CompressedReader(path, fd, size, container);
  let decoder: Awaited<ReturnType<typeof openDecoder>> | null = null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    decoder?.free();
    r.close();
  };
  const fill = async () => {
    while (!r.ready) {
      const input = r.nextInput()!;
      let raw: RawDecoded;
      try {
        raw = 'bytes' in input ? await decoder!.decode(input.bytes) : await decoder!.flush();
      } catch (err) {
        throw r.decoderError(err);
      }
      r.accept(raw);
      if ('flush' in input) r.finish();
    }
  };
  try {
    decoder = await openDecoder(container);
    await fill();
    if (r.sampleRateHz === 0) r.finish();
  } catch (err) {
    close();
    throw err;
  }
  return {
    ...info(r, close),
    async read(max = WAV_STREAM_BLOCK_FRAMES) {
      if (closed) throw new AudioFormatError(`${path}: read after close`, { file: path });
      await fill();
      return r.take(max);
    },
  };
}

/**
 * {@link openAudioStream}, synchronous: compressed formats are decoded in the helper worker.
 * @throws AudioFormatError `<path>: <problem>`, context `{ file: path }`
 */
export function openAudioStreamSync(path: string): AudioStreamSync {
  const { fd, size, container } = openAny(path);
  if (container === 'wav') {
    const w = wavStreamFromFd(path, fd, size);
    return { ...wavInfo(w), read: (max) => w.read(max) };
  }
  const r = new CompressedReader(path, fd, size, container);
  let decoder: ReturnType<SyncDecoderWorker['open']> | null = null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    decoder?.free();
    r.close();
  };
  const fill = () => {
    while (!r.ready) {
      const input = r.nextInput()!;
      let raw: RawDecoded;
      try {
        raw = 'bytes' in input ? decoder!.decode(input.bytes) : decoder!.flush();
      } catch (err) {
        throw r.decoderError(err);
      }
      r.accept(raw);
      if ('flush' in input) r.finish();
    }
  };
  try {
    try {
      decoder = SyncDecoderWorker.get().open(container);
    } catch (err) {
      r.decoderError(err);
    }
    fill();
    if (r.sampleRateHz === 0) r.finish();
  } catch (err) {
    close();
    throw err;
  }
  return {
    ...info(r, close),
    read(max = WAV_STREAM_BLOCK_FRAMES) {
      if (closed) throw new AudioFormatError(`${path}: read after close`, { file: path });
      fill();
      return r.take(max);
    },
  };
}

function wavInfo(w: ReturnType<typeof wavStreamFromFd>): AudioStreamInfo {
  return {
    file: w.file,
    format: 'wav',
    sampleRateHz: w.sampleRateHz,
    channels: w.channels,
    bitDepth: w.bitDepth,
    declaredFrames: w.frames,
    close: () => w.close(),
  };
}

/**
 * The blocks of `stream` at `toHz` (float32, as `Float32Array.from(resample(whole, from, toHz))`
 * gives them: the streaming resampler is exact for any chunking). Each block is valid until the
 * next one is asked for. Does not close the stream.
 */
export function* resampledBlocksSync(stream: AudioStreamSync, toHz: number): Generator<Float32Array> {
  const rs = stream.sampleRateHz === toHz ? null : new StreamingResampler(stream.sampleRateHz, toHz);
  for (let b = stream.read(); b.length > 0; b = stream.read()) yield rs ? Float32Array.from(rs.push(b)) : b;
  if (rs) yield Float32Array.from(rs.flush());
}

/** {@link resampledBlocksSync} for an async stream. */
export async function* resampledBlocks(stream: AudioStream, toHz: number): AsyncGenerator<Float32Array> {
  const rs = stream.sampleRateHz === toHz ? null : new StreamingResampler(stream.sampleRateHz, toHz);
  for (let b = await stream.read(); b.length > 0; b = await stream.read()) yield rs ? Float32Array.from(rs.push(b)) : b;
  if (rs) yield Float32Array.from(rs.flush());
}

/** Length of `frames` at `fromHz` once resampled to `toHz` (what `resample` returns). */
export function framesAtRate(frames: number, fromHz: number, toHz: number): number {
  return fromHz === toHz ? frames : Math.round((frames * toHz) / fromHz);
}

/**
 * The blocks of a file at `toHz`, opening and closing it (also when the caller stops early).
 * @throws AudioFormatError naming the file (on open, or from the block where the problem is found)
 */
export function* audioBlocksAtRateSync(path: string, toHz: number): Generator<Float32Array> {
  const s = openAudioStreamSync(path);
  try {
    yield* resampledBlocksSync(s, toHz);
  } finally {
    s.close();
  }
}

/**
 * The first `headSamples` samples of a file at `toHz` plus its whole length there, with memory
 * flat in the file's length (whole-clip classification of a recording of any length: the clip
 * is its start). WAV declares its length: reading stops after the head. Compressed files are
 * decoded to the end (their length, and a truncated or corrupt end, are only known there).
 * @throws AudioFormatError naming the file
 */
export function readHeadAtRateSync(path: string, toHz: number, headSamples: number): { head: Float32Array; samples: number } {
  const s = openAudioStreamSync(path);
  try {
    const declared = s.format === 'wav' && s.declaredFrames !== null ? framesAtRate(s.declaredFrames, s.sampleRateHz, toHz) : null;
    const head = new Float32Array(Math.max(0, headSamples));
    let n = 0;
    for (const b of resampledBlocksSync(s, toHz)) {
      if (n < head.length) head.set(b.subarray(0, head.length - n), n);
      n += b.length;
      if (declared !== null && n >= head.length) return { head, samples: declared };
    }
    return { head: n < head.length ? head.slice(0, n) : head, samples: n };
  } finally {
    s.close();
  }
}

/**
 * A file's length at `toHz`: from the header for WAV, else by decoding it through (flat memory).
 * @throws AudioFormatError naming the file
 */
export function audioSamplesAtRateSync(path: string, toHz: number): number {
  return readHeadAtRateSync(path, toHz, 0).samples;
}
