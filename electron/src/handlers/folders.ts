/** Folder listings for the app: WAV files to play, and class folders of a training data set. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AudioFormatError, InvalidArgumentError } from '@nwave/runtime';
import type { AudioFileData, AudioFolderListing, DataFolderSummary } from '../shared/ipc-contract.js';

/** Limits of a folder scan: enough for a demo playlist, bounded for a stray home folder. */
export const SCAN_LIMITS = { maxFiles: 2000, maxDepth: 4, maxFileBytes: 512 * 1024 * 1024 } as const;
/** Folders that hold noise recordings, not classes (as the trainer's data loader). */
export const EXCLUDED_CLASS_FOLDERS: readonly string[] = ['_background_noise_'];

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isWav = (name: string): boolean => name.toLowerCase().endsWith('.wav');

async function readDir(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'folder not found' : code === 'ENOTDIR' ? 'not a folder' : (err as Error).message;
    throw new InvalidArgumentError(`${dir}: ${why}`, { file: dir });
  }
}

/** Every `.wav` under `root` (recursive, hidden entries skipped), sorted by path. */
export async function scanAudioFolder(root: string): Promise<AudioFolderListing> {
  const files: AudioFolderListing['files'] = [];
  const skipped: AudioFolderListing['skipped'] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = (await readDir(dir)).filter((e) => !e.name.startsWith('.')).sort((a, b) => byCodePoint(a.name, b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < SCAN_LIMITS.maxDepth)
          await walk(full, depth + 1).catch((err: Error) => skipped.push({ path: full, reason: err.message }));
        else skipped.push({ path: full, reason: `deeper than ${SCAN_LIMITS.maxDepth} levels` });
      } else if (e.isFile() && isWav(e.name)) {
        if (files.length >= SCAN_LIMITS.maxFiles) {
          skipped.push({ path: full, reason: `more than ${SCAN_LIMITS.maxFiles} files` });
          continue;
        }
        // One unreadable entry is skipped with its reason; the rest of the listing stands.
        const st = await fs.stat(full).catch((err: Error) => err);
        if (st instanceof Error) skipped.push({ path: full, reason: `cannot read (${st.message})` });
        else if (st.size > SCAN_LIMITS.maxFileBytes) skipped.push({ path: full, reason: `larger than ${SCAN_LIMITS.maxFileBytes} bytes` });
        else files.push({ path: full, name: path.relative(root, full), bytes: st.size });
      }
    }
  };
  await walk(root, 0);
  return { root, files, skipped };
}

/** The bytes of one WAV file (decoding happens in the renderer, off the main process). */
export async function readAudioFile(file: string): Promise<AudioFileData> {
  let size: number;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new AudioFormatError(`${file}: not a file`, { file });
    size = st.size;
  } catch (err) {
    if (err instanceof AudioFormatError) throw err;
    throw new AudioFormatError(`${file}: file not found`, { file });
  }
  if (size > SCAN_LIMITS.maxFileBytes)
    throw new AudioFormatError(`${file}: file too large (${size} bytes)`, { file, value: size, expected: SCAN_LIMITS.maxFileBytes });
  const buf = await fs.readFile(file);
  return { path: file, name: path.basename(file), data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

/** Class folders of a data set (`DATA/<class>/*.wav`) and their clip counts. */
export async function scanDataFolder(root: string): Promise<DataFolderSummary> {
  const entries = await readDir(root);
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !EXCLUDED_CLASS_FOLDERS.includes(e.name))
    .map((e) => e.name)
    .sort(byCodePoint);
  const classes = await Promise.all(
    names.map(async (name) => ({
      name,
      clips: (await readDir(path.join(root, name))).filter((e) => e.isFile() && isWav(e.name)).length,
    })),
  );
  return { root, classes };
}
