/**
 * Which part of a chip's mismatch costs a model its yes/no figure: simulated chips that keep the
 * nominal network except one part (the hidden layers' feed-forward synapses, their recurrent
 * synapses, the output synapses, or the neurons' leak), against chips with all of it. Each chip is
 * drawn whole (the runtime's `sampleChips`, chip k of seed S as `nwave eval --chips` draws it)
 * and the part's tables are taken from it, so every row uses the same chips.
 *
 *   node --conditions=source --import tsx scripts/chip-sensitivity.ts [MODEL] [--data DIR] [--chips 40] [--seed 5]
 *
 * DIR (default .cache/default-model-holdout/eval/val, validation speakers) is read as `nwave eval
 * --data` reads it. Prints per part: mean and 5th-percentile yes/no with the right label over the
 * chips, the p5's loss against the nominal network, and the mean rejection.
 */
import { parseArgs } from 'node:util';
import { NwaveModel, chipInstanceModel, sampleChips, type FixedPointModel } from '@nwave/runtime';
import { readCheckpointFile } from '@nwave/runtime/node';
import { mean, percentile, scoreClips } from '@nwave/data/metrics';
import { loadEvalData } from '../cli/src/eval/dataset.js';
import { classifyAll } from '../cli/src/eval/evaluate-mismatch.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: '.cache/default-model-holdout/eval/val' },
    chips: { type: 'string', default: '40' },
    seed: { type: 'string', default: '5' },
  },
});
const file = positionals[0] ?? 'models/default.nwave.json';
const chips = Number(values.chips);
const seed = Number(values.seed);
const model = new NwaveModel(await readCheckpointFile(file), file);
const { clips } = loadEvalData(model, values.data!, {});
const nominal = scoreClips(clips, classifyAll(model, clips));
if (nominal.accuracy === null) throw new Error(`${values.data}: no keyword clip to score`);

type Part = 'everything' | 'synapses' | 'leak' | 'hidden feed-forward' | 'hidden recurrent' | 'output synapses';
const PARTS: Part[] = ['everything', 'synapses', 'leak', 'hidden feed-forward', 'hidden recurrent', 'output synapses'];
const last = model.fixedPoint.layers.length - 1;

/** The nominal tables with `part` taken from `chip`. */
function withPart(chip: FixedPointModel, part: Part): FixedPointModel {
  const base = model.fixedPoint;
  const layers = base.layers.map((nom, li) => {
    const c = chip.layers[li];
    const leak = part === 'everything' || part === 'leak';
    // The Monte Carlo leaves the frontend's weights nominal; its leak varies like every layer's.
    if (nom.type === 'frontend') return leak ? { ...nom, leak: c.leak, beta: c.beta } : nom;
    const hidden = li < last;
    const ff =
      part === 'everything' || part === 'synapses' || (hidden && part === 'hidden feed-forward') || (!hidden && part === 'output synapses');
    const rec = part === 'everything' || part === 'synapses' || part === 'hidden recurrent';
    return {
      ...nom,
      weights: ff ? c.weights : nom.weights,
      ...(nom.recurrentWeights ? { recurrentWeights: rec ? c.recurrentWeights : nom.recurrentWeights } : {}),
      leak: leak ? c.leak : nom.leak,
      beta: leak ? c.beta : nom.beta,
      thresholds: c.thresholds,
    };
  });
  return { ...base, layers };
}

const drawn = sampleChips(model, chips, seed);
const pct = (x: number) => (x * 100).toFixed(1);
console.log(`${file}: ${clips.length} clips of ${values.data}, ${chips} chips (seed ${seed}); nominal yes/no ${pct(nominal.accuracy)} %`);
console.log('| mismatch in | yes/no mean | yes/no p5 | p5 loses | rejection mean |');
console.log('|---|---|---|---|---|');
for (const part of PARTS) {
  const scores = drawn.map((chip) => scoreClips(clips, classifyAll(chipInstanceModel(model, withPart(chip, part)), clips)));
  const acc = scores.map((s) => s.accuracy ?? 0);
  const rej = scores.map((s) => s.rejection ?? 0);
  const p5 = percentile(acc, 0.05);
  console.log(`| ${part} | ${pct(mean(acc))} % | ${pct(p5)} % | ${pct(nominal.accuracy - p5)} | ${pct(mean(rej))} % |`);
}
