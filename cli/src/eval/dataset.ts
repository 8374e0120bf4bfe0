/**
 * The evaluation data: `DIR/<class>/*.wav` mapped onto the model's labels, loaded once into
 * filterbank features (the same `NwaveModel.features` path `classify` takes, so scores are those
 * of the checkpoint as deployed). Audio is not kept: the streaming evaluation re-reads the few
 * files it needs, so 2,748 clips cost ~18 MB of features instead of ~180 MB of samples. Files are
 * read as streams (a long recording costs its clip-length start, not its length).
 *
 * Folder rule: a folder named like a model label is that label; every other folder is the
 * model's background label when it has one, else "non-keyword" (label -1).
 * Flat folders (no class folders, like `models/examples`): a file's class is its name up to the
 * first `-` (`yes-0c40e715_nohash_0.wav` is a `yes` clip), then the same rule.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { NwaveModel } from '@nwave/runtime';
import { InvalidArgumentError, seededRandom } from '@nwave/runtime';
// Narrow subpaths: the trainer's package index loads TensorFlow.js, which eval does not need.
import { listClassFolders, scanDatasetFolder, type DatasetEntry, type LoadFailure } from '@nwave/data/dataset-folder';
import { readHeadAtRateSync } from '@nwave/runtime/node';
import { speakerOf } from '@nwave/data/splits';
import { NON_KEYWORD, isKeywordLabel, type FeatureClip } from '@nwave/data/metrics';

export { NON_KEYWORD, NON_KEYWORD_NAME } from '@nwave/data/metrics';

/** One evaluation clip (label, keyword, speaker, features and frames: see {@link FeatureClip}). */
export interface EvalClip extends FeatureClip {
  /** Path relative to the data root, POSIX separators (`yes/0c40e715_nohash_0.wav`). */
  file: string;
  folder: string;
  /** Length of the audio as recorded (at the model rate), seconds; the stream inserts it whole. */
  durationS: number;
}

/** How one folder was mapped. */
export interface FolderMapping {
  folder: string;
  /** Model label name, or null for non-keyword. */
  label: string | null;
  keyword: boolean;
  clips: number;
}

export interface EvalData {
  root: string;
  clips: EvalClip[];
  folders: FolderMapping[];
  /** Unreadable files (reported, never fatal). */
  failures: LoadFailure[];
  /** Wall time of loading and feature extraction, seconds. */
  loadS: number;
}

/** Label index per folder by the rule in the module comment. */
export function mapFolder(model: NwaveModel, folder: string): number {
  const labels = model.labels;
  const direct = labels.indexOf(folder);
  if (direct >= 0) return direct;
  const bg = model.checkpoint.backgroundLabels.map((l) => labels.indexOf(l)).find((i) => i >= 0);
  return bg ?? NON_KEYWORD;
}

/** True when a label index is a keyword of the model. */
export const isKeyword = isKeywordLabel;

/**
 * `n` items drawn without replacement by a seeded shuffle, returned in their original order (so
 * tables read the same way). All items when `n` is not smaller than the list.
 */
export function seededSubset<T>(items: readonly T[], n: number, seed: number): T[] {
  if (n >= items.length) return [...items];
  const rng = seededRandom(seed);
  const idx = items.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

export interface LoadOptions {
  /** Evaluate a seeded random subset of this many clips (quick runs). */
  maxClips?: number;
  seed?: number;
  /** Progress callback (clips done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** What `--data` must look like, for error messages. */
export const EVAL_LAYOUTS = 'DIR/<class>/*.wav (class folders), or a flat DIR/<class>-<anything>.wav (e.g. yes-0001.wav)';

/**
 * The clips of a flat folder, each labelled by its file-name prefix (`<class>-…wav`).
 * @throws InvalidArgumentError when a file has no prefix (naming it and the layouts eval reads).
 */
export function scanFlatFolder(root: string): { entries: DatasetEntry[]; folderLabels: Record<string, number> } {
  const names = readdirSync(root)
    .filter((n) => n.toLowerCase().endsWith('.wav') && statSync(path.join(root, n)).isFile())
    .sort();
  if (names.length === 0)
    throw new InvalidArgumentError(`no clips in ${root}: expected ${EVAL_LAYOUTS}`, { file: root, field: 'data', expected: EVAL_LAYOUTS });
  const folderLabels: Record<string, number> = {};
  const entries = names.map((file) => {
    const cut = file.indexOf('-');
    if (cut <= 0)
      throw new InvalidArgumentError(`${path.join(root, file)}: no class prefix in the file name; expected ${EVAL_LAYOUTS}`, {
        file: path.join(root, file),
        field: 'data',
        expected: EVAL_LAYOUTS,
      });
    const folder = file.slice(0, cut);
    folderLabels[folder] ??= Object.keys(folderLabels).length;
    return { file, folder, label: folderLabels[folder] };
  });
  return { entries, folderLabels };
}

/**
 * Scans and loads a data folder for `model`: class folders, else a flat folder of `<class>-…wav` files.
 * @throws InvalidArgumentError when the folder cannot be read or matches neither layout.
 */
export function loadEvalData(model: NwaveModel, root: string, opts: LoadOptions = {}): EvalData {
  const t0 = performance.now();
  const index = listClassFolders(root).length > 0 ? scanDatasetFolder(root) : scanFlatFolder(root);
  const entries = opts.maxClips === undefined ? index.entries : seededSubset(index.entries, opts.maxClips, opts.seed ?? 1);
  const rate = model.filterbank.sampleRateHz;
  const clipSamples = Math.round(model.checkpoint.filterbank.recordingDurationS * rate);
  const labelOf = new Map(Object.keys(index.folderLabels).map((f) => [f, mapFolder(model, f)]));
  const clips: EvalClip[] = [];
  const failures: LoadFailure[] = [];
  entries.forEach((e, i) => {
    try {
      // The clip is the file's start (prepareClip keeps that much): a recording of any length is
      // read as a stream, its length counted, never held whole.
      const { head, samples } = readHeadAtRateSync(path.join(root, e.file), rate, clipSamples);
      const f = model.features(head, rate);
      const label = labelOf.get(e.folder)!;
      // Flat folders: the speaker id follows the class prefix (`yes-<speaker>_nohash_0.wav`).
      const speaker = speakerOf(e.file.startsWith(`${e.folder}-`) ? e.file.slice(e.folder.length + 1) : e.file);
      clips.push({
        file: e.file,
        folder: e.folder,
        label,
        keyword: isKeyword(model, label),
        ...(speaker ? { speaker } : {}),
        features: f.data,
        frames: f.frames,
        durationS: samples / rate,
      });
    } catch (err) {
      failures.push({ file: e.file, reason: (err as Error).message });
    }
    opts.onProgress?.(i + 1, entries.length);
  });
  const folders = [...labelOf].map(([folder, label]) => ({
    folder,
    label: label >= 0 ? model.labels[label] : null,
    keyword: isKeyword(model, label),
    clips: clips.filter((c) => c.folder === folder).length,
  }));
  return { root, clips, folders, failures, loadS: (performance.now() - t0) / 1000 };
}
