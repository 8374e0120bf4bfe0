/**
 * The agreed evaluation behaviour the trainer and `nwave eval` share: the percentile method of
 * the power spread, and null (never 1 or 0) for a score with no clip to compute it on. Real
 * runtime on the hand-built tones model (`high` > 2.5 kHz, `low` < 800 Hz, `_background_`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NwaveModel, withDetectorSettings } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import {
  NON_KEYWORD,
  bootstrapInterval,
  calibrateDetector,
  calibrateInputContrast,
  clipMetrics,
  evaluateClips,
  evaluateModel,
  percentile,
  powerStats,
} from './index.js';

const model = NwaveModel.fromJSON(
  readFileSync(new URL('../../../test/fixtures/models/tones.nwave.json', import.meta.url), 'utf8'),
  'tones',
);
const tone = (f: number, a = 0.3) =>
  model.features(
    Float32Array.from({ length: 16000 }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / 16000)),
    16000,
  ).data;

describe('percentile', () => {
  it('interpolates linearly between order statistics (NumPy default), not nearest rank', () => {
    const xs = [50, 10, 40, 20, 30];
    // Position p * (n - 1): 0.2 for p5 (10 + 0.2 * 10), 3.8 for p95 (40 + 0.8 * 10).
    expect(percentile(xs, 0.05)).toBeCloseTo(12, 12);
    expect(percentile(xs, 0.95)).toBeCloseTo(48, 12);
    expect(percentile(xs, 0.5)).toBe(30);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('bootstraps an interval of a statistic: seeded, around the estimate, narrower with more values', () => {
    const p5 = (xs: readonly number[]) => percentile(xs, 0.05);
    const spread = (n: number) => Array.from({ length: n }, (_, i) => 0.6 + (0.3 * ((i * 37) % n)) / n); // 0.6-0.9, evenly
    const few = bootstrapInterval(spread(20), p5)!;
    const many = bootstrapInterval(spread(400), p5)!;
    expect(bootstrapInterval(spread(20), p5)).toEqual(few); // seeded
    for (const [iv, xs] of [
      [few, spread(20)],
      [many, spread(400)],
    ] as const) {
      expect(iv[0]).toBeLessThanOrEqual(p5(xs));
      expect(iv[1]).toBeGreaterThanOrEqual(p5(xs));
      expect(iv[0]).toBeGreaterThanOrEqual(0.6);
    }
    expect(many[1] - many[0]).toBeLessThan((few[1] - few[0]) / 2);
    expect(bootstrapInterval([0.8, 0.8, 0.8], p5)).toEqual([0.8, 0.8]);
    expect(bootstrapInterval([0.8], p5)).toBeNull();
  });

  it('gives the power spread of a set of clips, and zeros without clips', () => {
    const p = powerStats([10, 20, 30, 40, 50].map((w) => ({ powerW: w * 1e-6, energyJ: w * 1e-9 })));
    expect(p.meanW).toBeCloseTo(30e-6, 15);
    expect(p.p5W).toBeCloseTo(12e-6, 15);
    expect(p.p95W).toBeCloseTo(48e-6, 15);
    expect(p.energyPerInferenceJ).toBeCloseTo(30e-9, 18);
    expect(powerStats([])).toEqual({ meanW: 0, p5W: 0, p95W: 0, energyPerInferenceJ: 0 });
  });
});

describe('scores without clips of a kind', () => {
  it('reports rejection null when there is no non-keyword clip, accuracy null when there is no keyword clip', () => {
    const kw = [
      { label: 0, keyword: true },
      { label: 1, keyword: true },
    ];
    const m = clipMetrics(model.labels, kw, [
      { index: 0, accepted: true },
      { index: 0, accepted: true },
    ]);
    expect([m.accuracy, m.argmaxAccuracy, m.rejection]).toEqual([0.5, 0.5, null]);
    const bg = clipMetrics(model.labels, [{ label: NON_KEYWORD, keyword: false }], [{ index: 1, accepted: false }]);
    expect([bg.accuracy, bg.argmaxAccuracy, bg.rejection]).toEqual([null, null, 1]);
    expect(bg.confusionRows).toEqual([...model.labels, '(non-keyword)']);
  });

  it('evaluateModel on keyword clips only: rejection null, the detector still calibrates', () => {
    const items = [
      { features: tone(4000), label: 0 },
      { features: tone(400), label: 1 },
    ];
    const r = evaluateModel(model, items, 125);
    expect(r.keywordAccuracy).toBe(1);
    expect(r.rejection).toBeNull();
    expect(r.rowLabels).toEqual(model.labels);
    // The power spread of the same clips through evaluateClips (what `nwave eval` reports), interpolated.
    const { outcomes } = evaluateClips(
      model,
      items.map((it) => ({ ...it, frames: 125, keyword: true })),
    );
    const [lo, hi] = outcomes.map((o) => o.powerW).sort((a, b) => a - b);
    expect(hi).toBeGreaterThan(lo);
    expect(r.power.p5W).toBeCloseTo(lo + 0.05 * (hi - lo), 15);
    expect(r.power.p95W).toBeCloseTo(lo + 0.95 * (hi - lo), 15);
    const d = calibrateDetector(model, items, 125);
    expect(d.threshold).toBeGreaterThan(0);
    // Background clips present: rejection counted from the background label's clips.
    const withBg = evaluateModel(model, [...items, { features: tone(400, 1e-5), label: 2 }], 125);
    expect(withBg.rejection).toBe(1);
  });
});

describe('calibrateInputContrast', () => {
  // Real spoken words (committed Speech Commands clips): the tones model hears their voiced,
  // low-frequency energy as "low" (index 1), so they are its keyword clips here.
  const clipsDir = new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url).pathname;
  const spoken = ['yes', 'no'].flatMap((w) =>
    readdirSync(clipsDir + w)
      .filter((f) => f.endsWith('.wav'))
      .map((f) => {
        const a = readWavFile(`${clipsDir}${w}/${f}`);
        return { features: model.features(a.samples, a.sampleRateHz).data, label: 1 };
      }),
  );
  const steadyTones = [0.1, 0.3, 0.6].flatMap((a) => [
    { features: tone(4000, a), label: 0 },
    { features: tone(400, a), label: 1 },
  ]);

  it('is off (0) when the keywords are steady sounds: any gate would reject them', () => {
    // Accepted without the gate, so the gate would cost every one of them.
    expect(evaluateModel(model, steadyTones, 125).keywordAccuracy).toBe(1);
    expect(calibrateInputContrast(model, steadyTones, 125)).toBe(0);
    const gated = new NwaveModel(withDetectorSettings(model.checkpoint, { minInputContrast: 1.5 }));
    expect(evaluateModel(gated, steadyTones, 125).keywordAccuracy).toBe(0);
  });

  it('picks the strictest candidate spoken words pass, and no stricter than maxKeywordLoss allows', () => {
    expect(evaluateModel(model, spoken, 125).keywordAccuracy).toBe(1);
    const c = calibrateInputContrast(model, spoken, 125);
    expect(c).toBe(3);
    // ...and it keeps every word, while rejecting the steady tones.
    const gated = new NwaveModel(withDetectorSettings(model.checkpoint, { minInputContrast: c }));
    expect(evaluateModel(gated, spoken, 125).keywordAccuracy).toBe(1);
    // One steady keyword among 7 (14 %) is more than 1 % of the keywords: off; allowed at 20 %.
    const mixed = [...spoken, steadyTones[1]];
    expect(calibrateInputContrast(model, mixed, 125)).toBe(0);
    expect(calibrateInputContrast(model, mixed, 125, 0.2)).toBe(3);
    // Non-keyword clips (noise, silence) do not constrain it; no keyword clip at all: off.
    expect(calibrateInputContrast(model, [...spoken, { features: tone(400, 0.3), label: NON_KEYWORD }], 125)).toBe(3);
    expect(calibrateInputContrast(model, [{ features: tone(400, 0.3), label: 2 }], 125)).toBe(0);
  });
});
