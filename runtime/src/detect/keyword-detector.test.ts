import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_DETECTOR } from '../model/checkpoint-schema.js';
import { argmaxCounts, decide, decideInto, makeDecisionContext, newDecision, softmaxAt } from './decision.js';
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

  it('decideInto gives the decision of decide, in a reused object', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], settings);
    const out = newDecision();
    for (const [counts, level] of [
      [[0, 0, 9], 5],
      [[0, 9, 0], 5],
      [[8, 9, 0], 5],
      [[0, 9, 0], 0.5],
      [[9, 0, 0], 5],
    ] as const) {
      expect(decideInto(ctx, counts, level, out)).toBe(out);
      expect(out).toEqual(decide(ctx, counts, level));
    }
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

  describe('setSettings (a running detector)', () => {
    const yesBursts = (t: number): number => ((t >= 5 && t < 40) || (t >= 60 && t < 75) ? 1 : 0);

    it('keeps the window, the step count and the held word; the new decision applies from the next step', () => {
      const d = new StreamingDetector(labels, ['_background_'], settings, 0.008); // window 10 steps, refractory 20
      const looser = { ...settings, threshold: 0.5, minSpikes: 2 };
      const events: number[] = [];
      for (let t = 0; t < 100; t++) {
        if (t === 20) {
          const window = [...d.windowCounts];
          d.setSettings(looser);
          expect([...d.windowCounts]).toEqual(window);
          expect(window).toEqual([0, 10, 0]);
          expect(d.steps).toBe(20);
          expect(d.settings).toEqual(looser);
        }
        if (d.update([0, yesBursts(t), 0], 5)) events.push(t);
      }
      // The first "yes" (fired at t = 7) is still held after the change: it does not fire again
      // although it passes the new gates at once (a detector starting empty at t = 20 would fire
      // at t = 21). The second burst fires on its 2nd spike (t = 61) under the new minSpikes.
      expect(events).toEqual([7, 61]);
      const fresh = new StreamingDetector(labels, ['_background_'], looser, 0.008);
      const freshEvents: number[] = [];
      for (let t = 20; t < 100; t++) if (fresh.update([0, yesBursts(t), 0], 5)) freshEvents.push(t);
      expect(freshEvents).toEqual([21, 61]);
    });

    it('measures the refractory period after the last event with the new refractoryS', () => {
      const run = (refractoryS: number | null): { t: number; label: string }[] => {
        const d = new StreamingDetector(labels, ['_background_'], settings, 0.008);
        const events = [];
        for (let t = 0; t < 40; t++) {
          if (t === 10 && refractoryS !== null) d.setSettings({ ...settings, refractoryS });
          const e = d.update([t >= 14 && t < 18 ? 1 : 0, t < 4 ? 1 : 0, 0], 5);
          if (e) events.push({ t, label: e.label });
        }
        return events;
      };
      expect(run(null)).toEqual([
        { t: 2, label: 'yes' },
        { t: 23, label: 'no' },
      ]);
      // 5 steps: "no" fires as soon as it is decided; 50 steps: its spikes leave the window first.
      expect(run(0.04)).toEqual([
        { t: 2, label: 'yes' },
        { t: 16, label: 'no' },
      ]);
      expect(run(0.4)).toEqual([{ t: 2, label: 'yes' }]);
    });

    it('refuses another window and keeps a copy of the settings', () => {
      const d = new StreamingDetector(labels, ['_background_'], settings, 0.008);
      for (let t = 0; t < 12; t++) d.update([0, 1, 0], 5);
      expect(() => d.setSettings({ ...settings, windowS: 0.16 })).toThrow(InvalidArgumentError);
      expect(() => d.setSettings({ ...settings, windowS: 0.16 })).toThrow(/windowS: cannot change on a running detector/);
      expect(d.settings).toEqual(settings);
      expect(d.steps).toBe(12);
      const next = { ...settings, threshold: 0.5, labelThresholds: { yes: 0.99999 } };
      d.setSettings(next);
      next.threshold = 0;
      next.labelThresholds.yes = 0;
      expect(d.settings).toEqual({ ...settings, threshold: 0.5, labelThresholds: { yes: 0.99999 } });
      d.reset();
      expect(d.settings.threshold).toBe(0.5); // a reset keeps the settings
    });
  });
});
