/**
 * Google Speech Commands v0.02: download, verify and extract.
 *
 * Archive layout (entries start with `./`): `<word>/<speaker>_nohash_<n>.wav` for 35 words,
 * `_background_noise_/*.wav` (long noise recordings), `validation_list.txt`, `testing_list.txt`,
 * `README.md`, `LICENSE`. Extraction writes a completion marker last, so a crash mid-extract is
 * redone on the next call instead of being mistaken for a complete dataset.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { downloadResumable, type DownloadProgress, type DownloadResult } from './resumable-download.js';
import { writeFileAtomic } from '@nwave/runtime/node';

/** Official URL of the v0.02 archive (about 2.3 GB). */
export const SPEECH_COMMANDS_V2_URL = 'http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz';

/**
 * SHA-256 of the v0.02 archive, as pinned by torchaudio (`torchaudio/datasets/speechcommands.py`,
 * `_CHECKSUMS`). Not re-verified by nwave-ts (no network access to the archive when written).
 */
export const SPEECH_COMMANDS_V2_SHA256 = 'af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58';

/** Folder of long noise recordings inside the archive. */
export const BACKGROUND_NOISE_DIR = '_background_noise_';

/** Name of the completion marker written into the extraction folder. */
export const EXTRACT_MARKER = '.nwave-extract-complete.json';

/** Top-level files always extracted, even with a word subset. */
const ALWAYS_FILES = new Set(['validation_list.txt', 'testing_list.txt', 'README.md', 'LICENSE']);

export interface ExtractOptions {
  archive: string;
  outDir: string;
  /** Extract only these words (plus `_background_noise_` and the list files). @defaultValue all */
  words?: readonly string[];
}

interface Marker {
  version: 1;
  archiveSha256?: string;
  /** `null` = everything. */
  words: string[] | null;
  completedAt: string;
}

function readMarker(outDir: string): Marker | undefined {
  const path = join(outDir, EXTRACT_MARKER);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Marker;
  } catch {
    return undefined; // unreadable marker: treat as incomplete and extract again
  }
}

/** `true` when a previous extraction already covers `words`. */
export function isExtracted(outDir: string, words?: readonly string[]): boolean {
  const m = readMarker(outDir);
  if (!m) return false;
  if (m.words === null) return true;
  if (!words) return false;
  return words.every((w) => m.words!.includes(w));
}

/**
 * Extracts the archive (or a word subset) into `outDir`, then writes the marker atomically.
 * Skips the work when the marker already covers the request.
 * @returns `true` if something was extracted, `false` if it was already there.
 */
export async function extractSpeechCommands(options: ExtractOptions, archiveSha256?: string): Promise<boolean> {
  const words = options.words ? [...options.words] : undefined;
  if (isExtracted(options.outDir, words)) return false;
  await mkdir(options.outDir, { recursive: true });
  const wanted = words ? new Set([...words, BACKGROUND_NOISE_DIR]) : undefined;
  await tar.x({
    file: options.archive,
    cwd: options.outDir,
    filter: (path) => {
      if (!wanted) return true;
      const clean = path.replace(/^\.\//, '');
      const top = clean.split('/')[0];
      return ALWAYS_FILES.has(clean) || wanted.has(top);
    },
  });
  const previous = readMarker(options.outDir);
  const merged = !words ? null : [...new Set([...(previous?.words ?? []), ...words])].sort();
  const marker: Marker = { version: 1, archiveSha256, words: merged, completedAt: new Date().toISOString() };
  await writeFileAtomic(join(options.outDir, EXTRACT_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return true;
}

export interface PrepareOptions {
  /** Folder that receives the archive (`speech_commands_v0.02.tar.gz`) and the extracted tree (`speech_commands_v0.02/`). */
  cacheDir: string;
  /** @defaultValue {@link SPEECH_COMMANDS_V2_URL} */
  url?: string;
  /** @defaultValue {@link SPEECH_COMMANDS_V2_SHA256}; `null` skips the check (with a warning). */
  expectedSha256?: string | null;
  words?: readonly string[];
  onProgress?: (p: DownloadProgress) => void;
  retries?: number;
  retryDelayMs?: number;
  /** Keep the archive after extraction. @defaultValue true */
  keepArchive?: boolean;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export interface PrepareResult {
  /** Dataset root, usable as `data_parent`. */
  root: string;
  download: DownloadResult | undefined;
  extracted: boolean;
}

/**
 * Downloads (resumably), verifies and extracts Speech Commands v0.02.
 * Skips everything when the extraction marker already covers `words`.
 * @throws DownloadError (see {@link downloadResumable}).
 */
export async function prepareSpeechCommands(options: PrepareOptions): Promise<PrepareResult> {
  const url = options.url ?? SPEECH_COMMANDS_V2_URL;
  const name = (new URL(url).pathname.split('/').pop() || 'speech_commands.tar.gz').replace(/\.tar\.gz$|\.tgz$/, '');
  const root = join(options.cacheDir, name);
  if (isExtracted(root, options.words)) return { root, download: undefined, extracted: false };
  const expected = options.expectedSha256 === null ? undefined : (options.expectedSha256 ?? SPEECH_COMMANDS_V2_SHA256);
  const download = await downloadResumable({
    url,
    dest: join(options.cacheDir, `${name}.tar.gz`),
    expectedSha256: expected,
    onProgress: options.onProgress,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    signal: options.signal,
    log: options.log,
  });
  const extracted = await extractSpeechCommands({ archive: download.path, outDir: root, words: options.words }, download.sha256);
  if (options.keepArchive === false) {
    await rm(download.path, { force: true });
  }
  return { root, download, extracted };
}
