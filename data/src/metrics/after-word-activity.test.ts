/**
 * After-word activity on real models and real speech: the bundled default model goes quiet after
 * the committed yes/no example clips; the same model with its hidden recurrence turned all the way
 * up (still a valid checkpoint) keeps firing in the silence, which is what the figure must catch.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NwaveModel } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { afterWordActivity, describeAfterWordActivity } from './index.js';

const root = new URL('../../../', import.meta.url);
const text = readFileSync(new URL('models/default.nwave.json', root), 'utf8');
const model = NwaveModel.fromJSON(text, 'default');
const examples = new URL('models/examples/', root);
const clips = readdirSync(examples)
  .filter((f) => /^(yes|no)-.*\.wav$/.test(f))
  .map((f) => {
    const w = readWavFile(new URL(f, examples).pathname);
    const x = model.features(w.samples, w.sampleRateHz);
    return { features: x.data, frames: x.frames };
  });

/** The default model with every hidden recurrent weight at the largest positive code. */
function sustaining(): NwaveModel {
  const ck = JSON.parse(text) as { network: { layers: { recurrentWeights?: { bits: number; codes: number[] } }[] } };
  const rec = ck.network.layers[1].recurrentWeights!;
  const max = 2 ** (rec.bits - 1) - 1;
  rec.codes = rec.codes.map(() => max);
  return NwaveModel.fromJSON(ck, 'sustaining');
}

describe('afterWordActivity', () => {
  it('finds the default model quiet after real yes/no words', () => {
    expect(clips.length).toBe(4);
    const a = afterWordActivity(model, clips);
    expect(a.clips).toBe(4);
    expect(a.noPauseShare).toBe(0);
    expect(a.outputSpikesPerStep).toBeLessThan(1);
    // Steps of the model's 8 ms frontend: 0.5 s -> 63 steps, settle 0.1 s -> 13 steps.
    expect(a.tailS).toBeCloseTo(63 * model.dtS, 9);
    expect(a.settleS).toBeCloseTo(13 * model.dtS, 9);
    expect(describeAfterWordActivity(a)).toMatch(/never pause for 0\.1 s in 0 % of 4 keyword clips/);
  });

  it('catches a model whose activity sustains itself in silence, however long the tail', () => {
    const hot = sustaining();
    expect(hot.constraints().ok).toBe(true);
    for (const tailS of [0.5, 2]) {
      const a = afterWordActivity(hot, clips, { tailS });
      expect(a.noPauseShare).toBe(1);
      expect(a.outputSpikesPerStep).toBeGreaterThan(1);
      expect(a.hiddenSpikesPerStep).toBeGreaterThan(afterWordActivity(model, clips).hiddenSpikesPerStep * 10);
    }
  });

  it('treats zero features as silence: a model at rest stays at rest', () => {
    const a = afterWordActivity(model, [{ features: new Float32Array(0), frames: 0 }]);
    expect(a).toMatchObject({ clips: 1, noPauseShare: 0, outputSpikesPerStep: 0, hiddenSpikesPerStep: 0 });
    expect(afterWordActivity(model, []).noPauseShare).toBe(0);
  });

  it('honours the detector settleS (a pause longer than the tail never comes)', () => {
    // The detector with a settle longer than the tail: no clip can pause in time.
    const ck = JSON.parse(text) as { detector: Record<string, unknown> };
    ck.detector.settleS = 0.6;
    expect(afterWordActivity(NwaveModel.fromJSON(ck, 'slow-settle'), clips).noPauseShare).toBe(1);
  });
});
