/**
 * Filterbank settings: the config type, its defaults (Q = 4, 8 ms bins, gain 1000) and
 * validation, and the default chip frontend for a sample rate. Pure data, no DSP state.
 */
import { InvalidArgumentError } from '../errors.js';
import { CHIP_FILTER_CENTERS_HZ, designPeakFilter, validCenters } from './filterbank-design.js';
import type { ChipProfile } from '../model/chip-profile.js';

/** Default filter quality factor (dimensionless). */
export const DEFAULT_Q = 4;
/**
 * Default time-bin width, seconds (8 ms, as in NWAVE Tutorial 2): the simulation step. Its one
 * name in TypeScript is `dtS` (`NwaveModel.dtS`, detector and view options); `binS` here and in
 * a checkpoint's `filterbank`, and `neuron.dtS`, are checkpoint fields; `sim_time_s` is the
 * SDK's name (kept by the SDK-shaped `NWaveDataGen` options).
 */
export const DEFAULT_BIN_S = 0.008;
/** Default feature gain applied to mean |y| (waveform in [-1, 1)). */
export const DEFAULT_GAIN = 1000;

/** Filterbank settings. All frequencies in Hz, times in seconds. */
export interface FilterbankConfig {
  /** Rate of the samples fed to the filterbank, Hz (the model's rate). */
  sampleRateHz: number;
  /** One channel per centre frequency, Hz, each below `sampleRateHz / 2`. */
  centerFrequenciesHz: number[];
  /** Quality factor of every peak filter. Default 4. */
  q?: number;
  /** Time-bin width, s; `binS · sampleRateHz` must be an integer. Default 0.008. */
  binS?: number;
  /** Gain on mean |y|. Default 1000. */
  gain?: number;
}

/** A config with defaults filled in. */
export type ResolvedFilterbankConfig = Required<FilterbankConfig>;

/**
 * Samples per step, `round(dtS · sampleRateHz)`.
 * @throws InvalidArgumentError unless `dtS · sampleRateHz` is a positive integer within 1e-6
 */
export function binSamplesFor(dtS: number, sampleRateHz: number): number {
  const exact = dtS * sampleRateHz;
  const n = Math.round(exact);
  if (!Number.isFinite(exact) || n < 1 || Math.abs(exact - n) > 1e-6) {
    throw new InvalidArgumentError(`bin width ${dtS} s at ${sampleRateHz} Hz is ${exact} samples; it must be a whole number of samples`, {
      field: 'binS',
      value: dtS,
      expected: `a multiple of 1/${sampleRateHz} s`,
    });
  }
  return n;
}

/** Fills defaults and validates every field (throws InvalidArgumentError). */
export function resolveFilterbankConfig(config: FilterbankConfig): ResolvedFilterbankConfig {
  const { sampleRateHz, centerFrequenciesHz } = config;
  const q = config.q ?? DEFAULT_Q;
  const binS = config.binS ?? DEFAULT_BIN_S;
  const gain = config.gain ?? DEFAULT_GAIN;
  if (!Array.isArray(centerFrequenciesHz) || centerFrequenciesHz.length === 0) {
    throw new InvalidArgumentError('filterbank needs at least one centre frequency', { field: 'centerFrequenciesHz' });
  }
  if (!Number.isFinite(gain) || gain <= 0) {
    throw new InvalidArgumentError(`filterbank gain must be a positive number, got ${gain}`, { field: 'gain', value: gain });
  }
  // designPeakFilter validates the rate, each centre and Q.
  for (const fc of centerFrequenciesHz) designPeakFilter(fc, q, sampleRateHz);
  binSamplesFor(binS, sampleRateHz);
  return { sampleRateHz, centerFrequenciesHz: [...centerFrequenciesHz], q, binS, gain };
}

/**
 * The chip frontend at `sampleRateHz`: the chip's filter centres (H1: 16) minus those at or above
 * Nyquist (13 channels at 16 kHz), Q = 4, 8 ms bins, gain 1000. `warn` gets the SDK warning.
 * @param chip the profile whose filters to use (default: the default chip's).
 */
export function chipFilterbankConfig(
  sampleRateHz: number,
  overrides: Partial<Omit<FilterbankConfig, 'sampleRateHz' | 'centerFrequenciesHz'>> = {},
  warn?: (msg: string) => void,
  chip: Pick<ChipProfile, 'filterCentersHz'> = { filterCentersHz: CHIP_FILTER_CENTERS_HZ },
): ResolvedFilterbankConfig {
  const centerFrequenciesHz = validCenters(chip.filterCentersHz, sampleRateHz, warn);
  return resolveFilterbankConfig({ sampleRateHz, centerFrequenciesHz, ...overrides });
}
