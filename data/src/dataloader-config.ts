/**
 * `NWaveDataloaderConfig` (reference §4.1): the loader settings, validated once.
 * Field names keep NWAVE's snake_case so tutorial code maps line by line.
 */
import { InvalidArgumentError } from '@nwave/runtime';

export interface NWaveDataloaderConfigInit {
  batch_size: number;
  /** Validation share, 0..1. */
  val_split: number;
  /** Test share, 0..1. */
  test_split: number;
  shuffle_train: boolean;
  /** Loader workers. Accepted for API parity; feature extraction currently runs inline (see README). @defaultValue 4 */
  num_workers?: number;
  /** Split and shuffle seed. @defaultValue 42 */
  random_state?: number;
}

export class NWaveDataloaderConfig {
  readonly batch_size: number;
  readonly val_split: number;
  readonly test_split: number;
  readonly shuffle_train: boolean;
  readonly num_workers: number;
  readonly random_state: number;

  /** @throws InvalidArgumentError naming the first bad field. */
  constructor(init: NWaveDataloaderConfigInit) {
    const bad = (field: string, value: unknown, expected: string): never => {
      throw new InvalidArgumentError(`NWaveDataloaderConfig.${field} must be ${expected}, got ${String(value)}`, {
        field,
        value,
        expected,
      });
    };
    if (!Number.isInteger(init.batch_size) || init.batch_size < 1) bad('batch_size', init.batch_size, 'a positive integer');
    for (const f of ['val_split', 'test_split'] as const) {
      const v = init[f];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) bad(f, v, 'a number in [0, 1]');
    }
    if (init.val_split + init.test_split > 1) bad('val_split + test_split', init.val_split + init.test_split, 'at most 1');
    if (typeof init.shuffle_train !== 'boolean') bad('shuffle_train', init.shuffle_train, 'a boolean');
    const workers = init.num_workers ?? 4;
    if (!Number.isInteger(workers) || workers < 0) bad('num_workers', workers, 'a non-negative integer');
    const seed = init.random_state ?? 42;
    if (!Number.isInteger(seed)) bad('random_state', seed, 'an integer');
    this.batch_size = init.batch_size;
    this.val_split = init.val_split;
    this.test_split = init.test_split;
    this.shuffle_train = init.shuffle_train;
    this.num_workers = workers;
    this.random_state = seed;
  }
}
