/**
 * The detector flags as commander declares them (`--threshold`, `--label-threshold`,
 * `--min-spikes`, `--min-input-contrast`). Kept apart from their parsing (detector-options.ts) so declaring the commands
 * loads nothing but commander: `nwave --version` and `--help` stay instant.
 */
import type { Command } from 'commander';

/** The options as commander hands them over (strings). */
export interface DetectorCliOptions {
  threshold?: string;
  labelThreshold?: string;
  minSpikes?: string;
  minInputContrast?: string;
}

/** `--label-threshold` may be given more than once: the lists are joined. */
const joinLists = (value: string, previous: string | undefined) => (previous === undefined ? value : `${previous},${value}`);

/** Adds the detector options to a command (one help text for every command). */
export function addDetectorOptions(cmd: Command): Command {
  return cmd
    .option('--threshold <x>', "confidence threshold 0..1 for every keyword (replaces the model's, per-keyword ones included)")
    .option('--label-threshold <label=x,...>', 'per-keyword confidence thresholds, e.g. yes=0.8,no=0.7 (win over --threshold)', joinLists)
    .option('--min-spikes <n>', "minimum spikes of the winning class in the window (default: the model's)")
    .option(
      '--min-input-contrast <x>',
      "reject steady sounds: the window's loudest step must reach x times its mean input level (0: off; default: the model's)",
    );
}

/** The simulated-chip options as commander hands them over (strings). */
export interface ChipCliOptions {
  simulatedChip?: string;
  chipSeed?: string;
  chipCalibration?: string;
}

/** Adds `--simulated-chip`, `--chip-seed` and `--chip-calibration` (detect, listen). */
export function addChipOptions(cmd: Command): Command {
  return cmd
    .option(
      '--simulated-chip <k>',
      "run simulated chip k (fabrication mismatch at the chip profile's nominal spread; chip k of `nwave eval --chips N`, N > k) instead of the nominal network",
    )
    .option('--chip-seed <n>', 'seed of the simulated chips (as `nwave eval --seed`; default 1)')
    .option(
      '--chip-calibration <dir>',
      "calibrate the simulated chip's output counts on this unlabeled audio first (same layouts as `eval --data`)",
    );
}
