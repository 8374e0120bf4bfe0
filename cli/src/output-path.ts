/**
 * Output paths checked before any work starts: `--out ''` or `--out some/folder/` must fail in
 * a second, not after an hour of training when the result cannot be written.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@nwave/runtime';

/**
 * Checks that `file` names a file that can be written: not empty, not a folder (existing or
 * spelled with a trailing slash), and its nearest existing parent is a writable folder (missing
 * folders are created at write time).
 * @throws InvalidArgumentError naming the flag and the problem
 */
export function checkOutputFile(flag: string, file: string): void {
  const bad = (problem: string): never => {
    throw new InvalidArgumentError(`${flag}: ${problem}`, { field: flag, value: file });
  };
  if (file.trim() === '') bad('expected a file path, got an empty string');
  if (/[/\\]$/.test(file)) bad(`"${file}" is a folder; give a file name`);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) bad(`"${file}" is a folder; give a file name (e.g. ${path.join(file, 'out')})`);
  if (stat && !stat.isFile()) bad(`"${file}" exists and is not a regular file`);
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const d = statSync(dir, { throwIfNoEntry: false });
    if (d) {
      if (!d.isDirectory()) bad(`cannot create "${file}": ${dir} is not a folder`);
      try {
        accessSync(dir, constants.W_OK);
      } catch {
        bad(`cannot write "${file}": folder ${dir} is not writable`);
      }
      return;
    }
    const up = path.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}
