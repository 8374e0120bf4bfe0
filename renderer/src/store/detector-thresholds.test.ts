import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR } from '@nwave/runtime';
import { MAX_DETECTOR_THRESHOLDS } from '@nwave/electron/shared/ipc-contract';
import {
  describeThreshold,
  fmtThreshold,
  rememberedThreshold,
  rememberThreshold,
  sliderThreshold,
  THRESHOLD_SLIDER,
  thresholdOverrides,
} from './detector-thresholds.js';

describe('live threshold: slider values, engine overrides, per-model memory', () => {
  it('reads slider values onto the 0.01 grid inside the range', () => {
    expect(THRESHOLD_SLIDER).toEqual({ min: 0.34, max: 0.99, step: 0.01 });
    expect(sliderThreshold('0.9')).toBe(0.9);
    expect(sliderThreshold('0.8700000000000001')).toBe(0.87);
    expect(sliderThreshold(0.2)).toBe(0.34);
    expect(sliderThreshold('1')).toBe(0.99);
    expect(sliderThreshold('')).toBeNull();
    expect(sliderThreshold('abc')).toBeNull();
  });

  it('turns a threshold into engine overrides (null: the file settings)', () => {
    expect(thresholdOverrides(0.93)).toEqual({ threshold: 0.93 });
    expect(thresholdOverrides(null)).toEqual({});
  });

  it('remembers one threshold per model name, most recent last, forgetting on reset', () => {
    let saved = rememberThreshold(undefined, 'yes-no', 0.9);
    saved = rememberThreshold(saved, 'tones', 0.7);
    saved = rememberThreshold(saved, 'yes-no', 0.95);
    expect(saved).toEqual({ tones: 0.7, 'yes-no': 0.95 });
    expect(Object.keys(saved)).toEqual(['tones', 'yes-no']);
    expect(rememberedThreshold(saved, 'yes-no')).toBe(0.95);
    expect(rememberedThreshold(saved, 'other')).toBeNull();
    const forgotten = rememberThreshold(saved, 'yes-no', null);
    expect(forgotten).toEqual({ tones: 0.7 });
    expect(saved).toEqual({ tones: 0.7, 'yes-no': 0.95 }); // not mutated
  });

  it('keeps at most MAX_DETECTOR_THRESHOLDS models, dropping the oldest', () => {
    let saved: Record<string, number> = {};
    for (let i = 0; i < MAX_DETECTOR_THRESHOLDS + 5; i++) saved = rememberThreshold(saved, `m${i}`, 0.6);
    expect(Object.keys(saved)).toHaveLength(MAX_DETECTOR_THRESHOLDS);
    expect(saved.m0).toBeUndefined();
    expect(saved[`m${MAX_DETECTOR_THRESHOLDS + 4}`]).toBe(0.6);
  });

  it('ignores unusable remembered values and inherited names, and refuses to store them', () => {
    const saved = { a: 1.5, b: Number.NaN, c: 0.8 } as Record<string, number>;
    expect(rememberedThreshold(saved, 'a')).toBeNull();
    expect(rememberedThreshold(saved, 'b')).toBeNull();
    expect(rememberedThreshold(saved, 'toString')).toBeNull();
    expect(rememberedThreshold(saved, 'c')).toBe(0.8);
    expect(rememberThreshold(saved, 'd', 0.6)).toEqual({ c: 0.8, d: 0.6 }); // bad entries are dropped on write
    expect(() => rememberThreshold(saved, 'd', 1.2)).toThrow(RangeError);
  });

  it('describes the threshold in effect against the file', () => {
    expect(fmtThreshold(0.9)).toBe('0.90');
    expect(fmtThreshold(0.5)).toBe('0.50');
    expect(fmtThreshold(0.875)).toBe('0.875');
    const file = { ...DEFAULT_DETECTOR, threshold: 0.5, labelThresholds: { yes: 0.7 } };
    expect(describeThreshold(file, null)).toBe('confidence ≥ 0.50, yes ≥ 0.70');
    expect(describeThreshold(file, { settings: file, overridden: false })).toBe('confidence ≥ 0.50, yes ≥ 0.70');
    const live = { settings: { ...DEFAULT_DETECTOR, threshold: 0.93 }, overridden: true };
    expect(describeThreshold(file, live)).toBe('confidence ≥ 0.93 (set in the live view; file: 0.50, yes ≥ 0.70)');
  });
});
