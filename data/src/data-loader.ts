/**
 * Batches of features as plain typed arrays (no tfjs here: the trainer converts), in the shape
 * NWAVE loaders yield: `x` [B, T, C] float32 row-major, `y` [B] class indices, optional
 * root-relative file names.
 */
import { deriveSeed, mulberry32, shuffleInPlace } from './mulberry32.js';

export interface Batch {
  /** Features, [B, T, C] row-major: `x[(b * T + t) * C + c]`. */
  x: Float32Array;
  /** Class index per sample, [B]. */
  y: Int32Array;
  /** `[B, T, C]`. B is smaller than `batch_size` for the last batch (no sample is dropped). */
  shape: [number, number, number];
  /** Root-relative file names (`return_filename: true`). */
  filenames?: string[];
}

/** One sample: its label and a function giving its [T, C] features for an epoch. */
export interface LoaderItem {
  file: string;
  label: number;
  /** Features of this sample in `epoch` (clean features ignore the epoch). */
  features: (epoch: number) => Float32Array;
}

export interface DataLoaderOptions {
  batchSize: number;
  shuffle: boolean;
  /** Shuffle seed; epoch e uses `deriveSeed(seed, 'epoch', e)`. */
  seed: number;
  returnFilename: boolean;
  frames: number;
  channels: number;
}

/**
 * A re-iterable loader: each `for…of` is one epoch (reshuffled when `shuffle`, deterministic
 * from the seed and the epoch number). `epoch` counts completed-or-started iterations.
 */
export class NWaveDataLoader implements Iterable<Batch> {
  readonly items: readonly LoaderItem[];
  readonly options: DataLoaderOptions;
  /** Number of epochs started so far (the next iteration uses this epoch number). */
  epoch = 0;

  constructor(items: readonly LoaderItem[], options: DataLoaderOptions) {
    this.items = items;
    this.options = options;
  }

  /** Number of samples. */
  get size(): number {
    return this.items.length;
  }

  /** Number of batches per epoch (`len(loader)` in PyTorch). */
  get length(): number {
    return Math.ceil(this.items.length / this.options.batchSize);
  }

  /** Root-relative file names, in loader order when not shuffled. */
  get files(): string[] {
    return this.items.map((i) => i.file);
  }

  /** Batches of one epoch. */
  *[Symbol.iterator](): Iterator<Batch> {
    const epoch = this.epoch++;
    yield* this.batches(epoch);
  }

  /** Batches of a given epoch without advancing the counter (for inspection and tests). */
  *batches(epoch: number): Generator<Batch> {
    const { batchSize, frames: T, channels: C } = this.options;
    const order = this.items.map((_, i) => i);
    if (this.options.shuffle) shuffleInPlace(order, mulberry32(deriveSeed(this.options.seed, 'epoch', epoch)));
    const step = T * C;
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const B = idx.length;
      const x = new Float32Array(B * step);
      const y = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const item = this.items[idx[b]];
        x.set(item.features(epoch), b * step);
        y[b] = item.label;
      }
      const batch: Batch = { x, y, shape: [B, T, C] };
      if (this.options.returnFilename) batch.filenames = idx.map((i) => this.items[i].file);
      yield batch;
    }
  }
}
