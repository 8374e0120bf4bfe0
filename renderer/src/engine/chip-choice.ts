/**
 * The simulated chip a slot runs: chip K of seed S (`simulatedChip`, the chip profile's nominal
 * mismatch), deciding with its output calibration's count gains once it has been calibrated. One
 * definition for the UI thread (file results) and the engine worker (live audio).
 */
import { simulatedChip, withCountGains, type NwaveModel, type SimulatedChip } from '@nwave/runtime';

export interface ChipChoice extends SimulatedChip {
  /** Per-label count gains of this chip's calibration (`calibrateOutputGains`); absent: uncalibrated. */
  countGains?: Readonly<Record<string, number>>;
}

/** The network of `choice` for a nominal model. */
export function chipModel(nominal: NwaveModel, choice: ChipChoice): NwaveModel {
  const chip = simulatedChip(nominal, { index: choice.index, seed: choice.seed });
  return choice.countGains ? withCountGains(chip, { ...choice.countGains }) : chip;
}
