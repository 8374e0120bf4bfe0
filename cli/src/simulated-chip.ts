/**
 * `--simulated-chip K [--chip-seed S] [--chip-calibration DIR]` for `nwave detect` and `listen`:
 * run one simulated chip of the model (chip K of `nwave eval --chips N --seed S`, at the chip
 * profile's nominal mismatch with leak spread) instead of the nominal network, optionally with its
 * output calibration (`calibrateOutputGains`) on unlabeled audio. What an engineer needs to hear
 * how one fabricated chip behaves, and what its calibration buys, before there is silicon.
 */
import {
  InvalidArgumentError,
  SIMULATED_CHIP_LIMITS,
  describeChipMismatch,
  describeSimulatedChip,
  outputCalibrator,
  simulatedChip,
  withCountGains,
  type NwaveModel,
  type SimulatedChip,
} from '@nwave/runtime';
import { loadCalibrationData } from './eval/evaluate-mismatch.js';
import type { ChipCliOptions } from './detector-flags.js';
import { describeCountGains } from './detector-options.js';
import { checkNumber } from './number-text.js';

export interface SimulatedChipChoice extends SimulatedChip {
  calibration?: string;
}

/**
 * Parses the options (null: the nominal network).
 * @throws InvalidArgumentError naming the flag: not an integer in range, --chip-seed /
 *   --chip-calibration without --simulated-chip, or a simulated chip on the onnx backend
 */
export function parseChipOptions(o: ChipCliOptions & { backend?: string }): SimulatedChipChoice | null {
  const int = (flag: string, v: string, max: number) => {
    const x = checkNumber(v, { min: 0, max, int: true });
    if (x === undefined)
      throw new InvalidArgumentError(`--${flag} must be an integer in [0, ${max}], got "${v}"`, { field: flag, value: v });
    return x;
  };
  if (o.simulatedChip === undefined) {
    for (const [flag, v] of [
      ['chip-seed', o.chipSeed],
      ['chip-calibration', o.chipCalibration],
    ] as const)
      if (v !== undefined)
        throw new InvalidArgumentError(`--${flag} needs --simulated-chip K (it applies to a simulated chip)`, { field: flag, value: v });
    return null;
  }
  // The ONNX graph is exported from the checkpoint: it would run the nominal network, not the chip.
  if (o.backend === 'onnx')
    throw new InvalidArgumentError('--simulated-chip runs on the js backend only (the ONNX graph holds the nominal weights)', {
      field: 'backend',
      value: o.backend,
    });
  return {
    index: int('simulated-chip', o.simulatedChip, SIMULATED_CHIP_LIMITS.index),
    seed: o.chipSeed === undefined ? 1 : int('chip-seed', o.chipSeed, SIMULATED_CHIP_LIMITS.seed),
    ...(o.chipCalibration !== undefined ? { calibration: o.chipCalibration } : {}),
  };
}

/**
 * The model running chip `choice.index`, calibrated when asked. Describes what it did through `log`.
 * @throws InvalidArgumentError for a calibration folder without readable audio (named)
 */
export function simulatedChipModel(model: NwaveModel, choice: SimulatedChipChoice, log: (msg: string) => void): NwaveModel {
  const chip = simulatedChip(model, choice);
  const name = `${model.checkpoint.name} (${describeSimulatedChip(choice)})`;
  log(`${name}: ${describeChipMismatch(model)}`);
  if (choice.calibration === undefined) return chip;
  const clips = loadCalibrationData(model, choice.calibration, choice.seed, log);
  const cal = outputCalibrator(model, clips)(chip);
  log(
    `calibrated on ${cal.clips} clips of ${choice.calibration}: counts ${describeCountGains(cal.countGains)}${cal.clamped.length ? ` (clamped: ${cal.clamped.join(', ')})` : ''}`,
  );
  return withCountGains(chip, cal.countGains, `${name}, calibrated`);
}
