import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR } from '../model/checkpoint-schema.js';
import { argmaxCounts, decide, makeDecisionContext, softmaxAt } from './decision.js';
import { StreamingDetector } from './keyword-detector.js';

const labels = ['no', 'yes', '_background_'];
const settings = { ...DEFAULT_DETECTOR, windowS: 0.08, threshold: 0.9, minSpikes: 3, minInputLevel: 1, refractoryS: 0.16 };

describe('decision rule', () => {
  it('arg-max ties go to the lowest index; softmax over counts', () => {
    expect(argmaxCounts([3, 3, 1])).toBe(0);
    expect(argmaxCounts([0, 0, 0])).toBe(0);
    expect(softmaxAt([2, 0], 0)).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1), 12);
  });

  it('rejects background, low spikes, quiet input and low confidence, in that order', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], settings);
    expect(decide(ctx, [0, 0, 9], 5).rejectedBy).toBe('background');
    expect(decide(ctx, [0, 2, 0], 5).rejectedBy).toBe('too-few-spikes');
    expect(decide(ctx, [0, 9, 0], 0.5).rejectedBy).toBe('quiet-input');
    expect(decide(ctx, [8, 9, 0], 5).rejectedBy).toBe('low-confidence');
    const ok = decide(ctx, [0, 9, 0], 5);
    expect(ok.accepted).toBe(true);
    expect(ok.label).toBe('yes');
  });

  it('per-label thresholds override the default', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], { ...settings, labelThresholds: { yes: 0.99999 } });
    expect(decide(ctx, [0, 9, 0], 5).rejectedBy).toBe('low-confidence');
    expect(decide(ctx, [9, 0, 0], 5).accepted).toBe(true);
  });
});

describe('streaming detector', () => {
  it('fires once per burst (held until the word leaves the window), with start/end times', () => {
    const d = new StreamingDetector(labels, ['_background_'], settings, 0.008); // window 10 steps, refractory 20
    const events = [];
    for (let t = 0; t < 100; t++) {
      const yes = (t >= 5 && t < 40) || (t >= 60 && t < 75) ? 1 : 0;
      const e = d.update([0, yes, 0], 5);
      if (e) events.push({ t, ...e });
    }
    // Fires when 3 yes spikes are in the window (t = 7), not again while yes continues; again for the second burst.
    expect(events.map((e) => e.t)).toEqual([7, 62]);
    expect(events[0].label).toBe('yes');
    expect(events[0].startTime).toBeCloseTo(5 * 0.008, 12);
    expect(events[0].endTime).toBeCloseTo(8 * 0.008, 12);
    expect(events[0].spikeCounts).toEqual([0, 3, 0]);
  });

  it('respects the refractory period across classes', () => {
    const d = new StreamingDetector(labels, ['_background_'], settings, 0.008);
    const events = [];
    for (let t = 0; t < 40; t++) {
      const e = d.update([t >= 14 && t < 18 ? 1 : 0, t < 4 ? 1 : 0, 0], 5);
      if (e) events.push({ t, label: e.label });
    }
    // yes fires at t = 2; "no" would fire at t = 16 but waits for the 20-step refractory period.
    expect(events).toEqual([
      { t: 2, label: 'yes' },
      { t: 23, label: 'no' },
    ]);
  });

  it('never fires on background spikes or quiet input', () => {
    const d = new StreamingDetector(labels, ['_background_'], settings, 0.008);
    for (let t = 0; t < 100; t++) expect(d.update([0, 0, 1], 5)).toBeNull();
    d.reset();
    for (let t = 0; t < 100; t++) expect(d.update([0, 1, 0], 0.1)).toBeNull();
  });
});
