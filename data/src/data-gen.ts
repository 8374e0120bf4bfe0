/**
 * `NWaveDataloaderConfig` and `NWaveDataGen` (reference §4.1, §4.2): audio folder → filterbank
 * features → train / val / test loaders of plain typed arrays.
 *
 * Order (documented): load WAVs → pad/trim to `recording_duration_s` → filterbank → time bins
 * of `sim_time_s` → split → loaders. Unreadable files are left out BEFORE the split (as if they
 * were not there), reported in `failures` and logged with a count.
 */
import { createHash } from 'node:crypto';
import {
  binSamplesFor,
  chipFilterbankConfig,
  InvalidArgumentError,
  resolveFilterbankConfig,
  type ResolvedFilterbankConfig,
} from '@nwave/runtime';
import { DEFAULT_AUGMENT, loadNoiseBank, type AugmentConfig } from './augment.js';
import { clipFeatures, type AugmentPlan, type ClipFeatureContext } from './clip-features.js';
import { NWaveDataLoader, type LoaderItem } from './data-loader.js';
import { reportFailures, selectClasses, type ClassSelection, type LoadFailure } from './dataset-folder.js';
import { FeatureCache } from './feature-cache.js';
import { readOfficialLists, splitFiles, type SplitMode, type SplitResult } from './splits.js';
import { NWaveDataloaderConfig, type NWaveDataloaderConfigInit } from './dataloader-config.js';

export { NWaveDataloaderConfig, type NWaveDataloaderConfigInit };

export interface NWaveDataGenOptions {
  /** Root folder `<data_parent>/<class>/*.wav`. */
  data_parent: string;
  /** Target rate, Hz; audio is resampled to it. */
  sample_rate: number;
  /** Every clip is zero-padded at the end or trimmed (keeping the start) to this length, s. */
  recording_duration_s: number;
  /** Time-bin width, s; `sim_time_s · sample_rate` must be a whole number of samples. */
  sim_time_s: number;
  dataloader_config: NWaveDataloaderConfig | NWaveDataloaderConfigInit;
  /** Only `classification` is implemented. @defaultValue 'classification' */
  task?: 'classification' | 'regression';
  /** Batches carry root-relative file names. @defaultValue false */
  return_filename?: boolean;
  // ---- nwave-ts extensions ----
  /** Keyword selection and merged background class (see dataset-folder.ts). @defaultValue every folder, sorted */
  classes?: ClassSelection;
  /** @defaultValue 'auto' (official lists if present, else by speaker if names carry one, else by file) */
  split_mode?: SplitMode | 'auto';
  /** Use `validation_list.txt` / `testing_list.txt` when present (auto mode). @defaultValue true */
  use_official_lists?: boolean;
  /** Filterbank overrides (Q, gain, centres). @defaultValue the chip frontend (13 channels at 16 kHz) */
  filterbank?: { q?: number; gain?: number; centerFrequenciesHz?: number[] };
  /** Feature cache folder; `null` disables it. @defaultValue null */
  cache_dir?: string | null;
  /** Augment the TRAINING set: epoch e uses variant e mod (variants + 1); variant 0 is clean. */
  augment?: { variants: number; config?: Partial<AugmentConfig>; seed?: number; noise_folders?: string[] };
  /** Warnings (filterbank channel drop, unreadable files, split notes). @defaultValue console.warn */
  log?: (msg: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/** What `.dataloaders()` returns. */
export interface NWaveDataloaders {
  train: NWaveDataLoader;
  val: NWaveDataLoader;
  test: NWaveDataLoader;
  /** `labels[i]` = class name of index i. */
  labels: string[];
  shape: { T: number; C: number; binSamples: number; targetLen: number; sampleRateHz: number };
  filterbank: ResolvedFilterbankConfig;
  split: SplitResult;
  failures: LoadFailure[];
  stats: { clips: number; extractS: number; clipsPerS: number; cacheHits: number };
}

export class NWaveDataGen {
  readonly options: NWaveDataGenOptions;
  readonly config: NWaveDataloaderConfig;
  readonly filterbank: ResolvedFilterbankConfig;
  readonly binSamples: number;
  readonly targetLen: number;
  /** Frames per clip, `floor(targetLen / binSamples)`. */
  readonly T: number;

  /** @throws InvalidArgumentError for a bad rate, duration, bin width, task or loader config. */
  constructor(options: NWaveDataGenOptions) {
    const { sample_rate: sr, recording_duration_s: dur, task = 'classification' } = options;
    if (task !== 'classification')
      throw new InvalidArgumentError(`task "${task}" is not implemented in nwave-ts yet; use "classification"`, {
        field: 'task',
        value: task,
      });
    if (!Number.isInteger(sr) || sr <= 0)
      throw new InvalidArgumentError(`sample_rate must be a positive integer (Hz), got ${sr}`, { field: 'sample_rate', value: sr });
    if (!(dur > 0) || !Number.isFinite(dur))
      throw new InvalidArgumentError(`recording_duration_s must be positive, got ${dur}`, { field: 'recording_duration_s', value: dur });
    this.options = options;
    this.config =
      options.dataloader_config instanceof NWaveDataloaderConfig
        ? options.dataloader_config
        : new NWaveDataloaderConfig(options.dataloader_config);
    this.binSamples = binSamplesFor(options.sim_time_s, sr);
    const log = options.log ?? ((m: string) => console.warn(m));
    const fb = options.filterbank ?? {};
    this.filterbank = fb.centerFrequenciesHz
      ? resolveFilterbankConfig({ sampleRateHz: sr, binS: options.sim_time_s, ...fb, centerFrequenciesHz: fb.centerFrequenciesHz })
      : chipFilterbankConfig(sr, { binS: options.sim_time_s, q: fb.q, gain: fb.gain }, log);
    this.targetLen = Math.round(dur * sr);
    this.T = Math.floor(this.targetLen / this.binSamples);
    if (this.T < 1)
      throw new InvalidArgumentError(`recording_duration_s ${dur} is shorter than one bin of ${options.sim_time_s} s`, {
        field: 'recording_duration_s',
        value: dur,
      });
  }

  /**
   * Scans, extracts features (through the cache), splits and builds the loaders.
   * `"test"` is always present (empty when `test_split` = 0).
   * @throws InvalidArgumentError for a bad folder or class selection.
   */
  async dataloaders(): Promise<NWaveDataloaders> {
    const o = this.options;
    const log = o.log ?? ((m: string) => console.warn(m));
    const index = selectClasses(o.data_parent, o.classes ?? {});
    const C = this.filterbank.centerFrequenciesHz.length;
    const ctx: ClipFeatureContext = {
      root: o.data_parent,
      format: { sampleRateHz: o.sample_rate, durationS: o.recording_duration_s },
      filterbank: this.filterbank,
      cache: o.cache_dir ? new FeatureCache(o.cache_dir) : undefined,
      augment: o.augment && o.augment.variants > 0 ? this.augmentPlan(log) : undefined,
    };

    const t0 = performance.now();
    const clean = new Map<string, Float32Array>();
    const failures: LoadFailure[] = [];
    let done = 0;
    for (const entry of index.entries) {
      try {
        clean.set(entry.file, clipFeatures(ctx, entry.file, 0, this.T).data);
      } catch (err) {
        failures.push({ file: entry.file, reason: (err as Error).message });
      }
      o.onProgress?.(++done, index.entries.length);
      // Yield now and then so progress bars and servers in the same process stay responsive.
      if (done % 256 === 0) await new Promise((r) => setImmediate(r));
    }
    const extractS = (performance.now() - t0) / 1000;
    reportFailures(failures, log);

    const usable = index.entries.filter((e) => clean.has(e.file));
    const official = o.use_official_lists === false ? undefined : readOfficialLists(o.data_parent);
    const mode = o.split_mode ?? 'auto';
    if (official && mode === 'auto' && (this.config.val_split > 0 || this.config.test_split > 0)) {
      log(`using validation_list.txt / testing_list.txt from ${o.data_parent}; val_split and test_split are ignored`);
    }
    const split = splitFiles(
      usable.map((e) => e.file),
      this.config,
      { mode, officialLists: official },
    );
    const labelOf = new Map(usable.map((e) => [e.file, e.label]));
    const variants = ctx.augment ? o.augment!.variants : 0;
    const item = (file: string, augmented: boolean): LoaderItem => ({
      file,
      label: labelOf.get(file)!,
      features: (epoch) => {
        const v = augmented ? epoch % (variants + 1) : 0;
        return v === 0 ? clean.get(file)! : clipFeatures(ctx, file, v, this.T).data;
      },
    });
    const base = {
      batchSize: this.config.batch_size,
      seed: this.config.random_state,
      returnFilename: o.return_filename ?? false,
      frames: this.T,
      channels: C,
    };
    return {
      train: new NWaveDataLoader(
        split.train.map((f) => item(f, variants > 0)),
        { ...base, shuffle: this.config.shuffle_train },
      ),
      val: new NWaveDataLoader(
        split.val.map((f) => item(f, false)),
        { ...base, shuffle: false },
      ),
      test: new NWaveDataLoader(
        split.test.map((f) => item(f, false)),
        { ...base, shuffle: false },
      ),
      labels: index.labels,
      shape: { T: this.T, C, binSamples: this.binSamples, targetLen: this.targetLen, sampleRateHz: o.sample_rate },
      filterbank: this.filterbank,
      split,
      failures,
      stats: { clips: clean.size, extractS, clipsPerS: extractS > 0 ? clean.size / extractS : Infinity, cacheHits: ctx.cache?.hits ?? 0 },
    };
  }

  private augmentPlan(log: (msg: string) => void): AugmentPlan {
    const a = this.options.augment!;
    const bank = loadNoiseBank(this.options.data_parent, this.options.sample_rate, a.noise_folders);
    reportFailures(bank.failures, log);
    const noiseId = createHash('sha256')
      .update(bank.clips.map((c) => `${c.file}:${c.samples.length}`).join('\n'))
      .digest('hex');
    return { config: { ...DEFAULT_AUGMENT, ...a.config }, seed: a.seed ?? this.config.random_state, noise: bank, noiseId };
  }
}
