/// <reference types="node" />
/**
 * Opening user-named input files safely. `stat` on a path follows symlinks but a FIFO blocks on
 * open and a device (`/dev/zero`, `/dev/urandom`) reports size 0 and never ends, so the file is
 * opened non-blocking and checked with `fstat` on the open descriptor: only regular files pass.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { NwaveError } from '../errors.js';

/** An open regular file: its descriptor and `fstat`. Close it with `closeSync(fd)`. */
export interface OpenFile {
  fd: number;
  stat: Stats;
}

/**
 * Opens `path` for reading if, and only if, it is a regular file (after following symlinks).
 * @param what what the file should be, for messages (e.g. "a .wav file")
 * @param makeError the error class of the caller's contract (AudioFormatError, CheckpointFormatError)
 * @throws `<path>: file not found` | `is a directory, expected <what>` | `not a regular file (a FIFO,
 *   device or socket), expected <what>` | `cannot read (...)`, context `{ file: path }`
 */
export function openRegularFile(
  path: string,
  what: string,
  makeError: (message: string, context: { file: string }) => NwaveError,
  maxBytes = Infinity,
): OpenFile {
  const fail = (problem: string): never => {
    throw makeError(`${path}: ${problem}`, { file: path });
  };
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail('file not found');
    if (code === 'EISDIR') return fail(`is a directory, expected ${what}`);
    return fail(`cannot read (${(err as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) fail(`is a directory, expected ${what}`);
    if (!stat.isFile()) fail(`not a regular file (a FIFO, device or socket), expected ${what}`);
    if (stat.size > maxBytes) fail(`file too large (${stat.size} bytes, at most ${maxBytes})`);
    return { fd, stat };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
