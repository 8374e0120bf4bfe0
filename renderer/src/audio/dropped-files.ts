/**
 * Audio files (WAV and any format the browser decodes) from a drop (files or whole folders, via the File System entries API) or from a
 * file input. Each becomes a lazily read `AudioItem`.
 */

export interface AudioItem {
  name: string;
  read(): Promise<Uint8Array>;
}

import { isAudioName } from './decode-audio.js';

const isWav = isAudioName;
const MAX_ITEMS = 2000;

export function fromFile(file: File, name = file.name): AudioItem {
  return { name, read: async () => new Uint8Array(await file.arrayBuffer()) };
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, out: AudioItem[], depth: number): Promise<void> {
  if (out.length >= MAX_ITEMS || entry.name.startsWith('.')) return;
  if (entry.isFile && isWav(entry.name)) {
    out.push(fromFile(await fileOf(entry as FileSystemFileEntry), entry.fullPath.replace(/^\//, '')));
  } else if (entry.isDirectory && depth < 4) {
    const children = (await readAllEntries(entry as FileSystemDirectoryEntry)).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const c of children) await walk(c, out, depth + 1);
  }
}

/** Every WAV in a drop, folders expanded (sorted, at most 2000). */
export async function itemsFromDrop(data: DataTransfer): Promise<AudioItem[]> {
  const entries = Array.from(data.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  const out: AudioItem[] = [];
  if (entries.length) {
    for (const e of entries) await walk(e, out, 0);
  } else {
    for (const f of Array.from(data.files)) if (isWav(f.name)) out.push(fromFile(f));
  }
  return out;
}

/** WAVs of a file input (multiple files, or a `webkitdirectory` folder). */
export function itemsFromInput(files: FileList | null): AudioItem[] {
  return Array.from(files ?? [])
    .filter((f) => isWav(f.name))
    .map((f) => fromFile(f, f.webkitRelativePath || f.name));
}
