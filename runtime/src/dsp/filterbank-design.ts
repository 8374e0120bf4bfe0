/**
 * Filter design for the chip-like frontend (reference §4.3): the chip's centre frequencies
 * (from its profile), the Nyquist rule that drops centres the sample rate cannot represent, and the
 * 2nd-order peak (resonator) filter of `scipy.signal.iirpeak`.
 *
 * Pure math, no I/O: runs in Node, browsers and AudioWorklets.
 */
import { InvalidArgumentError } from '../errors.js';
import { H1V1_ESTIMATE } from '../model/chip-profile.js';

/** The default chip's filter centres, Hz (the chip profile holds them: `filterCentersHz`). */
export const CHIP_FILTER_CENTERS_HZ: readonly number[] = H1V1_ESTIMATE.filterCentersHz;
/** Lowest chip filter centre, Hz. */
export const CHIP_FILTER_MIN_HZ = CHIP_FILTER_CENTERS_HZ[0];
/** Highest chip filter centre, Hz. */
export const CHIP_FILTER_MAX_HZ = CHIP_FILTER_CENTERS_HZ[CHIP_FILTER_CENTERS_HZ.length - 1];
/** Number of analog filters of the default chip. */
export const CHIP_FILTER_COUNT = CHIP_FILTER_CENTERS_HZ.length;

/** `console.warn`, looked up at call time: the runtime's build targets plain ES2022 (no DOM/Node typings). */
function defaultWarn(msg: string): void {
  (globalThis as { console?: { warn(m: string): void } }).console?.warn(msg);
}

/** Formats a number the way Python's `str(float)` does for the values we print (8000.0, 5512.5). */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * Keeps the centres strictly below the Nyquist frequency (`fc < sampleRateHz / 2`), in order.
 *
 * When some are dropped, calls `warn` (default `console.warn`) once with the SDK's wording,
 * e.g. `Using 13 valid freqs out of 16 for sr=16000Hz (Nyquist=8000.0Hz).`
 * Kept: 13 at 16 kHz, 14 at 22.05 kHz, 16 at 32/44.1/48 kHz.
 *
 * @param centersHz candidate centre frequencies, Hz
 * @param sampleRateHz sample rate of the signal the filters will run on, Hz
 * @param warn receives the warning text; pass `() => {}` to silence it
 * @returns the kept centres, Hz (a new array)
 * @throws InvalidArgumentError if the rate is not a positive finite number or no centre survives
 */
export function validCenters(centersHz: readonly number[], sampleRateHz: number, warn: (msg: string) => void = defaultWarn): number[] {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz <= 0) {
    throw new InvalidArgumentError(`sample rate must be a positive number of Hz, got ${sampleRateHz}`, {
      field: 'sampleRateHz',
      value: sampleRateHz,
    });
  }
  const nyquist = sampleRateHz / 2;
  const kept = centersHz.filter((fc) => fc < nyquist);
  if (kept.length === 0) {
    throw new InvalidArgumentError(`no filter centre is below the Nyquist frequency ${pyFloat(nyquist)} Hz`, {
      field: 'centerFrequenciesHz',
      value: [...centersHz],
      expected: `< ${nyquist}`,
    });
  }
  if (kept.length < centersHz.length) {
    warn(`Using ${kept.length} valid freqs out of ${centersHz.length} for sr=${sampleRateHz}Hz (Nyquist=${pyFloat(nyquist)}Hz).`);
  }
  return kept;
}

/**
 * Coefficients of a 2nd-order peak filter normalised so that `a0 = 1`. The numerator is
 * `b0 · [1, 0, -1]`, so only `b0` is stored for it (`b1 = 0`, `b2 = -b0`).
 *
 * Difference equation: `y[n] = b0·x[n] + b2·x[n-2] - a1·y[n-1] - a2·y[n-2]`.
 */
export interface PeakFilterCoefficients {
  b0: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * The `scipy.signal.iirpeak(fc, Q, fs)` design: `w0 = 2π·fc/fs`, `β = tan(w0/(2Q))`,
 * `g = 1/(1+β)`, `b = (1-g)·[1, 0, -1]`, `a = [1, -2g·cos w0, 2g-1]`.
 * The magnitude response is exactly 1 at `fc` and below 1 everywhere else; the -3 dB
 * bandwidth is `fc/Q`.
 *
 * @param fcHz centre frequency, Hz, 0 < fcHz < sampleRateHz/2
 * @param q quality factor (dimensionless, > 0)
 * @param sampleRateHz sample rate, Hz
 * @throws InvalidArgumentError on out-of-range arguments
 */
export function designPeakFilter(fcHz: number, q: number, sampleRateHz: number): PeakFilterCoefficients {
  if (!Number.isFinite(sampleRateHz) || sampleRateHz <= 0) {
    throw new InvalidArgumentError(`sample rate must be a positive number of Hz, got ${sampleRateHz}`, {
      field: 'sampleRateHz',
      value: sampleRateHz,
    });
  }
  if (!Number.isFinite(fcHz) || fcHz <= 0 || fcHz >= sampleRateHz / 2) {
    throw new InvalidArgumentError(`filter centre ${fcHz} Hz must lie in (0, ${sampleRateHz / 2}) Hz`, {
      field: 'fcHz',
      value: fcHz,
      expected: `0 < fc < ${sampleRateHz / 2}`,
    });
  }
  if (!Number.isFinite(q) || q <= 0) {
    throw new InvalidArgumentError(`filter Q must be a positive number, got ${q}`, { field: 'q', value: q });
  }
  const w0 = (2 * Math.PI * fcHz) / sampleRateHz;
  const beta = Math.tan(w0 / (2 * q));
  const g = 1 / (1 + beta);
  const b0 = 1 - g;
  return { b0, b2: -b0, a1: -2 * g * Math.cos(w0), a2: 2 * g - 1 };
}

/**
 * Magnitude of the peak filter's frequency response `|H(e^{jω})|` at `fHz` (for tests and plots).
 * @returns linear gain (1 at the centre frequency)
 */
export function peakFilterGain(c: PeakFilterCoefficients, fHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * fHz) / sampleRateHz;
  // H = (b0 + b2 e^{-2jw}) / (1 + a1 e^{-jw} + a2 e^{-2jw})
  const nr = c.b0 + c.b2 * Math.cos(2 * w);
  const ni = -c.b2 * Math.sin(2 * w);
  const dr = 1 + c.a1 * Math.cos(w) + c.a2 * Math.cos(2 * w);
  const di = -c.a1 * Math.sin(w) - c.a2 * Math.sin(2 * w);
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}
