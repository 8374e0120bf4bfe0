/**
 * The chip the trainer reads. Every chip fact the trainer uses (threshold, reset, weight ranges,
 * bits, charge, sign groups, cores, filters, taus, mismatch) comes from a runtime
 * `ChipProfile`; this module only names the default one and maps `--chip` names to profiles.
 */
import {
  DEFAULT_CHIP_PROFILE_ID,
  InvalidArgumentError,
  chipProfileIds,
  chipShortName,
  findChipProfileByName,
  getChipProfile,
  type ChipProfile,
} from '@nwave/runtime';
import type { KernelReset } from './kernels/cpu/HwLayerScan.js';

/** The chip of modules and networks built without one: the runtime's default profile. */
export const DEFAULT_CHIP: ChipProfile = getChipProfile(DEFAULT_CHIP_PROFILE_ID);

/** Every name `--chip` accepts: the short names of the known profiles. */
export function trainChipNames(): string[] {
  return chipProfileIds().map((id) => chipShortName(getChipProfile(id)));
}

/**
 * The profile a training `chip` setting names: a profile id (`h1v2-estimate`) or its short name (`h1v2`).
 * @throws InvalidArgumentError naming the known chips
 */
export function resolveTrainChip(name: string): ChipProfile {
  const p = findChipProfileByName(name);
  if (!p)
    throw new InvalidArgumentError(`unknown chip ${JSON.stringify(name)} (known: ${trainChipNames().join(', ')})`, {
      field: 'chip',
      value: name,
    });
  return p;
}

/** The kernels' reset for a chip's neuron model (ceiling in membrane units: ceiling x threshold). */
export function kernelReset(chip: ChipProfile): KernelReset {
  const n = chip.neuron;
  return { subtractive: n.reset === 'subtractive-clamped', ceiling: n.membraneCeiling * n.threshold };
}
