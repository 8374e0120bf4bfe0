import { describe, expect, it } from 'vitest';
import { fmtDb, fmtDuration, fmtFreq, fmtNj, fmtUw, sig3 } from './format.js';

describe('formatting with units', () => {
  it('shows three significant digits without exponents', () => {
    expect(sig3(0.001573)).toBe('0.00157');
    expect(sig3(15.969)).toBe('16.0');
    expect(sig3(291)).toBe('291');
    expect(sig3(0)).toBe('0');
    expect(sig3(Number.NaN)).toBe('–');
    expect(fmtUw(0.016)).toBe('0.0160 µW');
    expect(fmtNj(15.969)).toBe('16.0 nJ');
  });

  it('formats levels, frequencies and durations', () => {
    expect(fmtDb(-120)).toBe('−∞ dBFS');
    expect(fmtDb(-10.4)).toBe('-10 dBFS');
    expect(fmtFreq(97.6)).toBe('98 Hz');
    expect(fmtFreq(5741)).toBe('5.7 kHz');
    expect(fmtDuration(65)).toBe('1 min 05 s');
    expect(fmtDuration(12.2)).toBe('12 s');
  });
});
