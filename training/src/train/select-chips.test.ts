/**
 * Choosing the best epoch by its simulated chips: the worst-quarter score on real Speech Commands
 * clips with the bundled default model, against chips evaluated one by one.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NwaveModel, simulatedChip } from '@nwave/runtime';
import { readCheckpointFile, readWavFile } from '@nwave/runtime/node';
import { evaluateModel, type EvalItem } from '@nwave/data/evaluate';
import { detectorScore, selectionCriterion, worstChipsScore } from './trainer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const clipsDir = path.join(root, 'test/fixtures/audio/speech-commands');
const model = new NwaveModel(await readCheckpointFile(path.join(root, 'models/default.nwave.json')));

/** Every fixture clip as an evaluation item: yes / no by class, every other folder background. */
function fixtureItems(): { items: EvalItem[]; steps: number } {
  const items: EvalItem[] = [];
  let steps = Infinity;
  for (const folder of readdirSync(clipsDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(path.join(clipsDir, folder.name)).filter((n) => n.endsWith('.wav'))) {
      const audio = readWavFile(path.join(clipsDir, folder.name, f));
      const feats = model.features(audio.samples, audio.sampleRateHz);
      steps = Math.min(steps, feats.frames);
      const label = model.labels.indexOf(folder.name);
      items.push({ features: feats.data, label: label >= 0 ? label : model.labels.indexOf('_background_'), file: `${folder.name}/${f}` });
    }
  }
  return { items, steps };
}

describe('selection by simulated chips', () => {
  const { items, steps } = fixtureItems();
  const chipScores = (count: number, seed: number) =>
    Array.from({ length: count }, (_, index) => detectorScore(evaluateModel(simulatedChip(model, { index, seed }), items, steps), 0.9));

  it('scores the worst quarter of the chips, each running the model detector', () => {
    expect(items.filter((it) => it.label > 0).length).toBeGreaterThanOrEqual(6);
    const four = chipScores(4, 97);
    expect(worstChipsScore(model, items, steps, 4, 97, 0.9)).toBe(Math.min(...four));
    const eight = chipScores(8, 3).sort((a, b) => a - b);
    expect(worstChipsScore(model, items, steps, 8, 3, 0.9)).toBeCloseTo((eight[0] + eight[1]) / 2, 12);
    // The chips are not the nominal network: their scores spread (fixture clips, seed 3).
    expect(new Set(eight).size).toBeGreaterThan(1);
  });

  it('scales the keyword accuracy down when rejection misses its floor; names its criterion', () => {
    expect(detectorScore({ keywordAccuracy: 0.8, rejection: 0.95 }, 0.9)).toBe(0.8);
    expect(detectorScore({ keywordAccuracy: 0.8, rejection: 0.5 }, 0.9)).toBeCloseTo(0.4, 12);
    expect(detectorScore({ keywordAccuracy: null, rejection: null }, 0.9)).toBe(0);
    expect(selectionCriterion({ selectChips: 0, selectChipSeed: 97 })).toBe('nominal');
    expect(selectionCriterion({ selectChips: 16, selectChipSeed: 5 })).toBe('chips 16 seed 5');
  });
});
