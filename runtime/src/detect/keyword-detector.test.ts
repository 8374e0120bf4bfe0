import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_DETECTOR } from '../model/checkpoint-schema.js';
import { argmaxCounts, clipInputLevels, decide, decideInto, makeDecisionContext, newDecision, softmaxAt } from './decision.js';
import { StreamingDetector } from './keyword-detector.js';

const labels = ['no', 'yes', '_background_'];
const settings = { ...DEFAULT_DETECTOR, windowS: 0.08, threshold: 0.9, minSpikes: 3, minInputLevel: 1, refractoryS: 0.16 };

describe('decision rule', () => {
  it('arg-max ties go to the lowest index; softmax over counts', () => {
    expect(argmaxCounts([3, 3, 1])).toBe(0);
    expect(argmaxCounts([0, 0, 0])).toBe(0);
    expect(softmaxAt([2, 0], 0)).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1), 12);
  });

  it('rejects background, low spikes, quiet input, steady input and low confidence, in that order', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], { ...settings, minInputContrast: 2 });
    // Steady input (peak 5 = mean 5) fails the contrast gate: every earlier gate still wins over it.
    expect(decide(ctx, [0, 0, 9], 5, 5).rejectedBy).toBe('background');
    expect(decide(ctx, [0, 2, 0], 5, 5).rejectedBy).toBe('too-few-spikes');
    expect(decide(ctx, [0, 9, 0], 0.5, 0.5).rejectedBy).toBe('quiet-input');
    expect(decide(ctx, [8, 9, 0], 5, 5).rejectedBy).toBe('steady-input');
    // With contrast, low confidence comes next.
    expect(decide(ctx, [8, 9, 0], 5, 10).rejectedBy).toBe('low-confidence');
    const ok = decide(ctx, [0, 9, 0], 5, 10);
    expect(ok.accepted).toBe(true);
    expect(ok.label).toBe('yes');
  });

  it('the contrast gate: peak < minInputContrast x mean; off when absent or 0', () => {
    const gated = makeDecisionContext(labels, ['_background_'], { ...settings, minInputContrast: 2 });
    expect(decide(gated, [0, 9, 0], 5, 9.99).rejectedBy).toBe('steady-input');
    expect(decide(gated, [0, 9, 0], 5, 10).accepted).toBe(true); // exactly 2x passes
    for (const off of [settings, { ...settings, minInputContrast: 0 }]) {
      const ctx = makeDecisionContext(labels, ['_background_'], off);
      expect(decide(ctx, [0, 9, 0], 5, 5).accepted).toBe(true);
      expect(decide(ctx, [0, 9, 0], 5, 0).accepted).toBe(true);
    }
  });

  it('clipInputLevels: mean over every feature, peak of the per-step channel means', () => {
    // 3 steps x 2 channels: step levels 1, 4, 0.5.
    expect(clipInputLevels([1, 1, 3, 5, 0, 1], 3, 2)).toEqual({ mean: 11 / 6, peak: 4 });
    expect(clipInputLevels([], 0, 2)).toEqual({ mean: 0, peak: 0 });
  });

  it('decideInto gives the decision of decide, in a reused object', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], { ...settings, minInputContrast: 1.5 });
    const out = newDecision();
    for (const [counts, level, peak] of [
      [[0, 0, 9], 5, 9],
      [[0, 9, 0], 5, 9],
      [[8, 9, 0], 5, 9],
      [[0, 9, 0], 0.5, 9],
      [[9, 0, 0], 5, 9],
      [[9, 0, 0], 5, 6],
    ] as const) {
      expect(decideInto(ctx, counts, level, peak, out)).toBe(out);
      expect(out).toEqual(decide(ctx, counts, level, peak));
    }
  });

  it('per-label thresholds override the default', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], { ...settings, labelThresholds: { yes: 0.99999 } });
    expect(decide(ctx, [0, 9, 0], 5, 5).rejectedBy).toBe('low-confidence');
    expect(decide(ctx, [9, 0, 0], 5, 5).accepted).toBe(true);
  });

  it('count gains (a chip calibration) scale the counts before the arg-max, the spike floor and the softmax', () => {
    const ctx = makeDecisionContext(labels, ['_background_'], { ...settings, countGains: { yes: 2, _background_: 0.5 } });
    // Raw: background wins; calibrated: yes 16 vs background 5.
    const d = decide(ctx, [0, 8, 10], 5, 5);
    expect(d).toMatchObject({ label: 'yes', accepted: true });
    expect(d.confidence).toBeCloseTo(softmaxAt([0, 16, 5], 1), 12);
    // 2 raw spikes are 4 calibrated ones, over minSpikes 3.
    expect(decide(ctx, [0, 2, 0], 5, 5).accepted).toBe(true);
    expect(decide(makeDecisionContext(labels, ['_background_'], settings), [0, 2, 0], 5, 5).rejectedBy).toBe('too-few-spikes');
    // Absent labels keep gain 1; an empty record is no calibration.
    expect(decide(ctx, [9, 4, 0], 5, 5).label).toBe('no');
    expect(makeDecisionContext(labels, ['_background_'], { ...settings, countGains: {} }).gains).toBeNull();
  });
});

describe('streaming detector: one event per word', () => {
  // 8 ms steps: window 30 steps, refractory 20, settle 10.
  const st = { ...settings, windowS: 0.24, refractoryS: 0.16, settleS: 0.08 };
  /** Runs `steps` steps of [no, yes, background] spikes from `spikes(t)`; events with their step. */
  function run(spikes: (t: number) => [number, number, number], steps: number, s = st, level = 5) {
    const d = new StreamingDetector(labels, ['_background_'], s, 0.008);
    const events = [];
    for (let t = 0; t < steps; t++) {
      const e = d.update(spikes(t), level);
      if (e) events.push({ t, ...e });
    }
    return { d, events };
  }

  it('emits one event once the word is over (no keyword spike for settleS), with the best decision', () => {
    const { events } = run((t) => [0, t >= 5 && t < 15 ? 1 : 0, 0], 100);
    // Opens at t = 7 (3 spikes); last spike t = 14; 10 quiet steps later (t = 24) the word is over.
    expect(events.map((e) => e.t)).toEqual([24]);
    expect(events[0]).toMatchObject({ label: 'yes', index: 1, spikeCounts: [0, 10, 0] });
    expect(events[0].confidence).toBeCloseTo(softmaxAt([0, 10, 0], 1), 12);
    expect(events[0].startTime).toBeCloseTo(5 * 0.008, 12);
    expect(events[0].endTime).toBeCloseTo(25 * 0.008, 12);
  });

  it('a "no" that looks like "yes" at first gives one "no" event, not "yes" then "no"', () => {
    const word = (t: number): [number, number, number] => [t >= 5 && t < 21 ? 1 : 0, t < 5 ? 1 : 0, 0];
    const { events } = run(word, 120);
    // "yes" is accepted from t = 5 (the window's input level reaches minInputLevel) and opens the
    // candidate; the window is then mixed (rejected for fewer than settleS), then "no" wins with a
    // higher confidence. Last spike t = 20, so the word closes at t = 30, where the first "yes"
    // spike has just left the window: the best decision is that step's.
    expect(events.map((e) => [e.t, e.label])).toEqual([[30, 'no']]);
    expect(events[0].spikeCounts).toEqual([16, 4, 0]);
    // Emitting at once (settleS 0) decides on the onset, and says "yes":
    const eager = run(word, 120, { ...st, settleS: 0, refractoryS: 0 }).events;
    expect(eager.map((e) => [e.t, e.label])).toEqual([[5, 'yes']]);
  });

  it('decides on calibrated counts: a word the raw counts give to the background fires with count gains', () => {
    // yes and background spike together; raw, the background wins every window.
    const word = (t: number): [number, number, number] => [0, t >= 5 && t < 15 ? 1 : 0, t >= 3 && t < 17 ? 1 : 0];
    expect(run(word, 100).events).toEqual([]);
    const { events } = run(word, 100, { ...st, countGains: { yes: 3 } });
    expect(events.map((e) => e.label)).toEqual(['yes']);
    // What the meters show: after 10 steps the window holds yes 5, background 7 spikes.
    expect(run(word, 10, { ...st, countGains: { yes: 3 } }).d.calibratedWindowCounts).toEqual([0, 15, 7]);
    // Reported counts are the raw spikes.
    expect(events[0].spikeCounts[2]).toBeGreaterThan(0);
  });

  it('closes a long word at the latest windowS after it opened, and never fires twice for it', () => {
    const { events } = run((t) => [0, t < 100 ? 1 : 0, 0], 300);
    // Opens at t = 5 (input level gate), closes at t = 34 (30 steps open); "yes" stays accepted
    // until its spikes leave the window, so the same word cannot fire again although the
    // refractory period has ended. A later word (t = 150..159) fires, 10 steps after its end.
    expect(events.map((e) => e.t)).toEqual([34]);
    const again = run((t) => [0, t < 100 || (t >= 150 && t < 160) ? 1 : 0, 0], 300).events;
    expect(again.map((e) => e.t)).toEqual([34, 169]);
  });

  it('respects the refractory period after an event, across labels', () => {
    const words = (t: number): [number, number, number] => [t >= 40 && t < 45 ? 1 : 0, t >= 3 && t < 8 ? 1 : 0, 0];
    // "yes" (spikes t = 3..7) opens at t = 5 (3 spikes, input level gate), emitted 10 steps after
    // its last spike; "no" (spikes t = 40..44) opens at t = 42, emitted at t = 54.
    expect(run(words, 150).events.map((e) => [e.t, e.label])).toEqual([
      [17, 'yes'],
      [54, 'no'],
    ]);
    // With 0.4 s (50 steps) of refractory after t = 17, "no" is spoken and over before it ends.
    expect(run(words, 150, { ...st, refractoryS: 0.4 }).events.map((e) => [e.t, e.label])).toEqual([[17, 'yes']]);
  });

  it('flush emits a word cut off by the end of the stream; nothing when no word is open', () => {
    const { d, events } = run((t) => [0, t >= 5 ? 1 : 0, 0], 20);
    expect(events).toEqual([]);
    expect(d.candidateOpen).toBe(true);
    const e = d.flush();
    expect(e).toMatchObject({ label: 'yes', spikeCounts: [0, 15, 0] });
    expect(e!.endTime).toBeCloseTo(20 * 0.008, 12);
    expect(d.candidateOpen).toBe(false);
    expect(d.flush()).toBeNull();
  });

  it('a keyword right after other speech: opens once the speech has left the window, after its own spikes stopped', () => {
    // Background (speech) spikes t = 0..29, the keyword's t = 30..39, then silence. The window
    // (30 steps) turns to "yes" only at t = 50 (10 "yes" vs 9 background spikes left in it), ten
    // steps after the last "yes" spike: the word opens there (7 of its 10 spikes in the last 18
    // steps) and, being over already, is emitted at once. Before, it was never reported.
    const glued = (t: number): [number, number, number] => [0, t >= 30 && t < 40 ? 1 : 0, t < 30 ? 1 : 0];
    const { events } = run(glued, 120, { ...st, threshold: 0.5 });
    expect(events.map((e) => [e.t, e.label])).toEqual([[50, 'yes']]);
    expect(events[0].spikeCounts).toEqual([0, 10, 9]);
    // The same keyword spikes, but old (most outside the window's last 60 %) when the window turns:
    // another word's leftovers do not open one.
    const stale = (t: number): [number, number, number] => [0, t >= 30 && t < 40 ? 1 : 0, t < 30 || (t >= 40 && t < 48) ? 1 : 0];
    expect(run(stale, 120, { ...st, threshold: 0.5 }).events).toEqual([]);
  });

  it('never fires on background spikes or quiet input', () => {
    expect(run(() => [0, 0, 1], 100).events).toEqual([]);
    expect(run(() => [0, 1, 0], 100, st, 0.1).events).toEqual([]);
  });

  describe('input-contrast gate (minInputContrast)', () => {
    const word = (t: number): [number, number, number] => [0, t >= 40 && t < 50 ? 1 : 0, 0];
    /** Events of `word` with the input level per step from `level(t)`. */
    function runLevels(level: (t: number) => number, s: typeof st & { minInputContrast?: number }) {
      const d = new StreamingDetector(labels, ['_background_'], s, 0.008);
      const events: number[] = [];
      for (let t = 0; t < 150; t++) if (d.update(word(t), level(t))) events.push(t);
      return events;
    }
    const steady = () => 5;
    // A loud word (levels 20 at t = 35..49) over a floor of 2: in a 30-step window, peak 20 against a mean of 2 + 18 x 15/30 at most.
    const loud = (t: number) => (t >= 35 && t < 50 ? 20 : 2);

    it('a window whose peak is under minInputContrast x its mean is not a word', () => {
      expect(runLevels(steady, st)).toEqual([59]);
      expect(runLevels(steady, { ...st, minInputContrast: 0 })).toEqual([59]);
      expect(runLevels(steady, { ...st, minInputContrast: 1.5 })).toEqual([]);
      expect(runLevels(loud, { ...st, minInputContrast: 1.5 })).toEqual([59]);
      // 20 / (2 + 18 x 12/30) = 2.19 once 12 loud steps are in: still a word at 2, not at 2.5.
      expect(runLevels(loud, { ...st, minInputContrast: 2 })).toEqual([59]);
      expect(runLevels(loud, { ...st, minInputContrast: 20 })).toEqual([]);
    });

    it('forgets a loud step once it has left the window', () => {
      // Level 50 at t = 0..5, then steady 5; the word spikes at t = 40..49 (window 30 steps).
      const burstThenSteady = (t: number) => (t < 6 ? 50 : 5);
      expect(runLevels(burstThenSteady, st)).toEqual([59]);
      expect(runLevels(burstThenSteady, { ...st, minInputContrast: 1.5 })).toEqual([]);
      // Bursts that are still in the window when the word is decided keep it a word.
      expect(runLevels((t) => (t % 20 === 0 ? 50 : 5), { ...st, minInputContrast: 1.5 })).toEqual([59]);
    });

    it('measures the contrast over the steps heard so far until the window is full (a stream does not start in silence)', () => {
      const early = (t: number): [number, number, number] => [0, t < 10 ? 1 : 0, 0];
      const run = (s: typeof st & { minInputContrast?: number }) => {
        const d = new StreamingDetector(labels, ['_background_'], s, 0.008);
        const events: number[] = [];
        for (let t = 0; t < 60; t++) if (d.update(early(t), 5)) events.push(t);
        return events;
      };
      // Steady level from the first step: mean 5 x t/30 over the window, but contrast 1 over what was heard.
      expect(run(st)).toEqual([19]);
      expect(run({ ...st, minInputContrast: 1.5 })).toEqual([]);
    });

    it('turns on and off on a running detector (setSettings)', () => {
      const d = new StreamingDetector(labels, ['_background_'], { ...st, minInputContrast: 1.5 }, 0.008);
      const events: number[] = [];
      for (let t = 0; t < 150; t++) {
        if (t === 45) d.setSettings(st);
        if (d.update(word(t), 5)) events.push(t);
      }
      expect(events).toEqual([59]);
    });
  });

  describe('setSettings (a running detector)', () => {
    const yesBursts = (t: number): [number, number, number] => [0, (t >= 5 && t < 15) || (t >= 60 && t < 70) ? 1 : 0, 0];

    it('keeps the window, the step count and an open word; the new decision applies from the next step', () => {
      const d = new StreamingDetector(labels, ['_background_'], st, 0.008);
      const looser = { ...st, threshold: 0.5, minSpikes: 2, settleS: 0.04 };
      const events: number[] = [];
      for (let t = 0; t < 120; t++) {
        if (t === 12) {
          const window = [...d.windowCounts];
          expect(d.candidateOpen).toBe(true);
          d.setSettings(looser);
          expect([...d.windowCounts]).toEqual(window);
          expect(window).toEqual([0, 7, 0]);
          expect(d.steps).toBe(12);
          expect(d.settings).toEqual(looser);
          expect(d.candidateOpen).toBe(true);
        }
        if (d.update(yesBursts(t), 5)) events.push(t);
      }
      // The word opened at t = 7 closes 5 quiet steps after its last spike (t = 14) under the new
      // settleS; the second burst opens on its 2nd spike (t = 61, new minSpikes) and closes at 74.
      expect(events).toEqual([19, 74]);
    });

    it('measures the refractory period after the last event with the new refractoryS', () => {
      const words = (t: number): [number, number, number] => [t >= 40 && t < 45 ? 1 : 0, t >= 3 && t < 8 ? 1 : 0, 0];
      const withRefractory = (refractoryS: number) => {
        const d = new StreamingDetector(labels, ['_background_'], st, 0.008);
        const events = [];
        for (let t = 0; t < 150; t++) {
          if (t === 20) d.setSettings({ ...st, refractoryS });
          const e = d.update(words(t), 5);
          if (e) events.push(t);
        }
        return events;
      };
      // The "yes" event is at t = 17; the change at t = 20 applies to the period after it.
      expect(withRefractory(0.16)).toEqual([17, 54]);
      expect(withRefractory(0.2)).toEqual([17, 54]);
      expect(withRefractory(0.24)).toEqual([17]); // 30 steps: "no" opens at t = 42..44 at best
      expect(withRefractory(0.4)).toEqual([17]);
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
