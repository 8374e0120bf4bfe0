/// <reference types="node" />
/**
 * Node-only WAV file access (node:fs). The in-memory codec is `../dsp/wav.ts`, which stays
 * browser-safe; this module only adds reading from and writing to disk with clear errors.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AudioFormatError } from '../errors.js';
import { type DecodedAudio, decodeWav } from '../dsp/wav.js';

/** Larger files are refused rather than read into memory (~1.5 h of 48 kHz stereo 32-bit). */
export const MAX_WAV_BYTES = 2 ** 31 - 1;

/**
 * Reads and decodes a WAV file to mono float32 (see {@link decodeWav}).
 * @param path file path; it names the file in every error message
 * @throws AudioFormatError `<path>: file not found`, `<path>: is a directory`, or any decoding
 *   problem (`<path>: not a WAV file (no RIFF header)`, ...), with context `{ file: path }`
 */
export function readWavFile(path: string): DecodedAudio & { file: string } {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new AudioFormatError(`${path}: is a directory, expected a .wav file`, { file: path });
    size = st.size;
  } catch (err) {
    if (err instanceof AudioFormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AudioFormatError(`${path}: file not found`, { file: path });
    throw new AudioFormatError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  }
  if (size > MAX_WAV_BYTES) throw new AudioFormatError(`${path}: file too large (${size} bytes)`, { file: path });
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new AudioFormatError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  }
  return { ...decodeWav(bytes, path), file: path };
}

/**
 * Writes `bytes` to `path` atomically: first to `path.tmp-<pid>-<random>` in the same folder,
 * then a rename, so readers never see a half-written file. Creates missing parent folders.
 */
export function writeWavFileAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
