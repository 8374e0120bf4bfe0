/// <reference types="node" />
/**
 * Streaming WAV reader: parses the RIFF chunk headers with a few small reads, then hands out the
 * data chunk in blocks of frames, so memory stays flat in the file's length (a 10-hour recording
 * costs one block, not 1.2 GB). Same checks and messages as the whole-file decoder (`decodeWav`),
 * same samples (both convert through `framesToMono`).
 */
import { closeSync, readSync } from 'node:fs';
import { AudioFormatError } from '../errors.js';
import { checkAudioFormat } from '../dsp/audio-limits.js';
import { bitDepthName, framesToMono, wavEncodingOf, type WavEncoding, type WavFmt } from '../dsp/wav.js';
import { openRegularFile } from './regular-file.js';

/** An open WAV file read block by block. */
export interface WavStream {
  file: string;
  sampleRateHz: number;
  channels: number;
  /** '8', '16', '24', '32', '32f' or '64' (see `DecodedAudio.bitDepth`). */
  bitDepth: string;
  /** Frames (samples per channel) in the data chunk. */
  frames: number;
  durationS: number;
  /**
   * The next block of at most `maxFrames` mono samples; an empty array at the end. The returned
   * array is reused by the next call (copy it to keep it).
   */
  read(maxFrames?: number): Float32Array;
  /** Closes the file (idempotent). */
  close(): void;
}

/** Default block: 1 s at 16 kHz. */
export const WAV_STREAM_BLOCK_FRAMES = 16384;

const ascii = (b: Uint8Array, at = 0) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);

/**
 * Opens a WAV file for block reads. Only regular files are opened (see regular-file.ts); the rate,
 * channel count and duration are checked against runtime/src/dsp/audio-limits.ts before any sample is read.
 * @throws AudioFormatError `<path>: <problem>`, context `{ file: path }`
 */
export function openWavStream(path: string): WavStream {
  const { fd, stat } = openRegularFile(path, 'a .wav file', (m, c) => new AudioFormatError(m, c));
  return wavStreamFromFd(path, fd, stat.size);
}

/**
 * {@link openWavStream} on a descriptor already opened by `openRegularFile` (it is closed on
 * failure, and by the stream's `close`).
 */
export function wavStreamFromFd(path: string, fd: number, fileBytes: number): WavStream {
  try {
    return parse(path, fd, fileBytes);
  } catch (err) {
    closeSync(fd);
    if (err instanceof AudioFormatError) throw err;
    throw new AudioFormatError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  }
}

function parse(path: string, fd: number, fileBytes: number): WavStream {
  const fail = (problem: string): never => {
    throw new AudioFormatError(`${path}: ${problem}`, { file: path });
  };
  const readAt = (n: number, pos: number): Uint8Array => {
    const b = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, b, got, n - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    return b.subarray(0, got);
  };
  if (fileBytes === 0) fail('empty file (0 bytes)');
  const head = readAt(12, 0);
  const riff = head.length >= 4 ? ascii(head) : '';
  if (head.length >= 4 && riff !== 'RIFF' && riff !== 'RIFX') fail('not a WAV file (no RIFF header)');
  if (head.length < 12) fail(`truncated: ${head.length} bytes is shorter than a WAV header`);
  if (ascii(head, 8) !== 'WAVE') fail(`not a WAV file (RIFF type "${ascii(head, 8)}", expected "WAVE")`);
  if (fileBytes < 44) fail(`truncated: ${fileBytes} bytes is shorter than the smallest WAV file (44 bytes)`);
  const le = riff === 'RIFF';

  let pos = 12;
  let enc: WavEncoding | undefined;
  let sampleRateHz = 0;
  for (;;) {
    const ch = readAt(8, pos);
    if (ch.length < 8) return fail(enc ? 'no "data" chunk (truncated or corrupt file)' : 'no "fmt " chunk (truncated or corrupt file)');
    const v = new DataView(ch.buffer);
    const id = ascii(ch);
    const size = v.getUint32(4, le);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16) fail(`corrupt "fmt " chunk (${size} bytes, at least 16 expected)`);
      const f = readAt(Math.min(size, 40), body);
      if (f.length < 16) fail('no "fmt " chunk (truncated or corrupt file)');
      const fv = new DataView(f.buffer);
      const fmt: WavFmt = {
        audioFormat: fv.getUint16(0, le),
        numChannels: fv.getUint16(2, le),
        sampleRate: fv.getUint32(4, le),
        blockAlign: fv.getUint16(12, le),
        bitsPerSample: fv.getUint16(14, le),
        ...(f.length >= 28 ? { subformat: [fv.getUint32(24, le)] } : {}),
      };
      enc = wavEncodingOf(fmt, le, path, fail);
      sampleRateHz = fmt.sampleRate;
    } else if (id === 'data') {
      if (!enc) fail('no "fmt " chunk (truncated or corrupt file)');
      const present = fileBytes - body;
      // 0xFFFFFFFF is what streaming writers leave when they never patch the header: read to EOF.
      const declared = size === 0xffffffff ? present : size;
      if (present < declared) fail(`truncated: data chunk declares ${declared} bytes, only ${present} present`);
      return stream(path, fd, body, declared, enc!, sampleRateHz);
    }
    pos = body + size + (size & 1); // chunks are padded to an even length
  }
}

function stream(path: string, fd: number, start: number, bytes: number, enc: WavEncoding, sampleRateHz: number): WavStream {
  const frameBytes = (enc.bits / 8) * enc.channels;
  const frames = Math.floor(bytes / frameBytes);
  const durationS = frames / sampleRateHz;
  checkAudioFormat(path, sampleRateHz, enc.channels, durationS);
  let next = 0;
  let closed = false;
  let raw = new Uint8Array(0);
  let out = new Float32Array(0);
  return {
    file: path,
    sampleRateHz,
    channels: enc.channels,
    bitDepth: bitDepthName(enc),
    frames,
    durationS,
    read(maxFrames = WAV_STREAM_BLOCK_FRAMES) {
      if (closed) throw new AudioFormatError(`${path}: read after close`, { file: path });
      const n = Math.min(Math.max(1, Math.floor(maxFrames)), frames - next);
      if (n <= 0) return new Float32Array(0);
      if (raw.length < n * frameBytes) raw = new Uint8Array(n * frameBytes);
      if (out.length < n) out = new Float32Array(n);
      let got = 0;
      const want = n * frameBytes;
      while (got < want) {
        const r = readSync(fd, raw, got, want - got, start + next * frameBytes + got);
        if (r === 0) throw new AudioFormatError(`${path}: file shrank while being read`, { file: path });
        got += r;
      }
      next += n;
      return framesToMono(new DataView(raw.buffer, 0, want), n, enc, out).subarray(0, n);
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}
