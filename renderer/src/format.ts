/** Display formatting with units in every label. Power figures are projections, never measurements. */

/** Label appended to every power and energy figure. */
export const ESTIMATE_LABEL = 'projected (estimate)';

/** Three significant digits, without exponent notation for the magnitudes we show. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const digits = Math.max(0, Math.min(8, 2 - Math.floor(Math.log10(a))));
  return x.toFixed(digits);
}

/** `0.00157 µW` */
export const fmtUw = (uw: number): string => `${sig3(uw)} µW`;
/** `1.60 nJ` */
export const fmtNj = (nj: number): string => `${sig3(nj)} nJ`;
/** `12.3 Hz` */
export const fmtHz = (hz: number): string => `${hz >= 100 ? hz.toFixed(0) : hz.toFixed(1)} Hz`;
/** `98 %` */
export const fmtPct = (x: number): string => `${Math.round(x * 100)} %`;
/** Stream time, `12.34 s` */
export const fmtS = (s: number): string => `${s.toFixed(2)} s`;
/** `-23 dBFS` */
export const fmtDb = (db: number): string => (db <= -119 ? '−∞ dBFS' : `${Math.round(db)} dBFS`);
/** Clock time of day, `14:03:22` */
export const fmtClock = (d: Date): string => d.toTimeString().slice(0, 8);
/** `1.2 kHz` / `400 Hz` */
export const fmtFreq = (hz: number): string => (hz >= 1000 ? `${(hz / 1000).toFixed(1)} kHz` : `${Math.round(hz)} Hz`);
/** A calibration's count gains, `yes ×1.235, no ×0.982` (label order kept). */
export function fmtCountGains(gains: Readonly<Record<string, number>>): string {
  return Object.entries(gains)
    .map(([label, g]) => `${label} ×${+g.toFixed(3)}`)
    .join(', ');
}
/** Seconds as `1 min 05 s` or `12 s`. */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return m > 0 ? `${m} min ${String(r).padStart(2, '0')} s` : `${r} s`;
}
