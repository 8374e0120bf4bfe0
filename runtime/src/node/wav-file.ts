/// <reference types="node" />
/**
 * Node-only WAV file access (node:fs). The in-memory codec is `../dsp/wav.ts`, which stays
 * browser-safe; this module only adds reading from and writing to disk with clear errors.
 */
import { closeSync, readFileSync } from 'node:fs';
import { AudioFormatError } from '../errors.js';
import { type DecodedAudio, decodeWav } from '../dsp/wav.js';
import { openRegularFile } from './regular-file.js';

/** Larger files are refused rather than read into memory (~1.5 h of 48 kHz stereo 32-bit). */
export const MAX_WAV_BYTES = 2 ** 31 - 1;

/**
 * Reads and decodes a WAV file to mono float32 (see {@link decodeWav}).
 * @param path file path; it names the file in every error message
 * Only regular files are read (a FIFO or a symlink to /dev/zero is refused, see regular-file.ts).
 * @throws AudioFormatError `<path>: file not found`, `<path>: is a directory`, `not a regular file`, or any decoding
 *   problem (`<path>: not a WAV file (no RIFF header)`, ...), with context `{ file: path }`
 */
export function readWavFile(path: string): DecodedAudio & { file: string } {
  const { fd } = openRegularFile(path, 'a .wav file', (m, c) => new AudioFormatError(m, c), MAX_WAV_BYTES);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(fd);
  } catch (err) {
    throw new AudioFormatError(`${path}: cannot read (${(err as Error).message})`, { file: path });
  } finally {
    closeSync(fd);
  }
  return { ...decodeWav(bytes, path), file: path };
}
