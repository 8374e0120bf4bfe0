/**
 * Trains the bundled default models (yes / no + background). `models/default.nwave.json` (H1v1,
 * session 12) is two stages of one seed-6 run, the recipe with the after-word quiet term and then
 * 80 epochs at a constant learning rate (README, "Measured numbers"):
 *   ... --config scripts/default-model/stage1-quiet-tail.json --epochs 500 --seed 6 --out M
 *   ... --config scripts/default-model/stage2-constant-lr.json --epochs 580 --resume --seed 6 --out M
 * Runs are bit-exact on one machine, not across machines. Usage:
 *   node --conditions=source --import tsx scripts/train-default-model.ts [--data ../shared/data/speech-commands-dev]
 *     [--extra ../shared/data/extra-speech] [--epochs N] [--seed N] [--config FILE.json]
 *     [--augment N [--augment-preset basic|speaker]]
 *     [--chip h1v1|h1v2] [--out FILE]   (default out: models/default.nwave.json for h1v1,
 *     models/default-<chip>.nwave.json for another chip) [--print-config]
 *   --print-config prints the training settings the run would use (JSON) and exits.
 * 1. prepares the data once into .cache/default-model-holdout (scripts/default-model-data.ts): the
 *    dev folder with a fixed speaker-disjoint train / validation / test rule, 1-s windows of the
 *    train half of extra-speech at many alignments (negatives), evaluation folders;
 * 2. synthesises espeak-ng speech into .cache/synthetic-default/ (yes, no, other words, noise),
 *    used for training only;
 * 3. trains with the detector objective (losses/detector-loss.ts) and the `keyword-spotter`
 *    recipe (training/src/train/recipes.ts; overridable field by field with --config), keeps the
 *    best validation epoch, calibrates the detector on validation speakers, writes the checkpoint
 *    with its report and history next to it.
 * Every clip non-keyword (every folder but yes/no) is a negative: the background class.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveAugmentPreset } from '../data/src/augment.js';
import { generateBackgroundClips } from '../data/src/synthetic-background.js';
import { generateSyntheticSpeech } from '../data/src/synthetic-speech.js';
import { chipShortName } from '@nwave/runtime';
import { resolveTrainChip } from '../training/src/chip.js';
import { runTraining, runTrainConfig } from '../training/src/train/run-training.js';
import { withRecipe } from '../training/src/train/recipes.js';
import { parseTrainConfig } from '../training/src/train/train-config.js';
import { prepareDefaultModelData } from './default-model-data.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/speech-commands-dev' },
    extra: { type: 'string', default: '../shared/data/extra-speech' },
    epochs: { type: 'string' },
    out: { type: 'string' },
    chip: { type: 'string', default: 'h1v1' },
    seed: { type: 'string', default: '42' },
    synthetic: { type: 'string', default: '.cache/synthetic-default' },
    prepared: { type: 'string', default: '.cache/default-model-holdout' },
    config: { type: 'string' },
    'min-rejection': { type: 'string', default: '0.9' },
    resume: { type: 'boolean', default: false },
    // Augmented variants per training clip (time shift, gain, noise); 0 = off.
    augment: { type: 'string', default: '0' },
    // What the variants vary: basic, or speaker (also speed, reverberation, band limits).
    'augment-preset': { type: 'string', default: 'basic' },
    // Stream data (negatives at every alignment, fragments, keywords in context) from this folder.
    negatives: { type: 'string' },
    'stream-variants': { type: 'string', default: '4' },
    // Rounds of hard-negative mining after training (needs --negatives), and epochs per round.
    'hard-negative-rounds': { type: 'string', default: '0' },
    'hard-negative-epochs': { type: 'string' },
    // Rounds fine-tune at a constant learning rate, this fraction of the recipe's.
    'hard-negative-lr-scale': { type: 'string' },
    'print-config': { type: 'boolean', default: false },
  },
});

const chip = resolveTrainChip(values.chip!);
const chipName = chipShortName(chip);
const out = values.out ?? (chipName === 'h1v1' ? 'models/default.nwave.json' : `models/default-${chipName}.nwave.json`);
const RECIPE = 'keyword-spotter';
// --chip picks the chip; a --config file overrides the recipe's settings field by field.
const fileConfig = values.config ? parseTrainConfig(readFileSync(values.config, 'utf8'), values.config) : {};
const config = { chip: chipName, ...fileConfig };
// The recipe's epochs for the chip (a --config file's `epochs` does not count here: --epochs does).
const epochs = Number(values.epochs ?? withRecipe(RECIPE, { chip: chipName }).epochs);
if (values['print-config']) {
  console.log(JSON.stringify({ recipe: RECIPE, config: runTrainConfig({ recipe: RECIPE, config, epochs, seed: Number(values.seed) }) }));
  process.exit(0);
}

const synth = values.synthetic!;
const OTHER_WORDS = [
  'house',
  'bed',
  'bird',
  'cat',
  'dog',
  'happy',
  'tree',
  'wow',
  'left',
  'right',
  'up',
  'down',
  'on',
  'off',
  'stop',
  'go',
  'four',
  'nine',
];
if (!existsSync(path.join(synth, '.complete'))) {
  rmSync(synth, { recursive: true, force: true });
  console.log('synthesising speech with espeak-ng ...');
  await generateSyntheticSpeech({ outDir: synth, words: ['yes', 'no'], clipsPerWord: 300, seed: 11 });
  const other = path.join(synth, '.other');
  await generateSyntheticSpeech({ outDir: other, words: OTHER_WORDS, clipsPerWord: 20, seed: 12 });
  mkdirSync(path.join(synth, '_unknown_'), { recursive: true });
  // Flat: class folders are read one level deep, so the words' clips go straight into _unknown_.
  for (const w of OTHER_WORDS)
    for (const f of readdirSync(path.join(other, w))) renameSync(path.join(other, w, f), path.join(synth, '_unknown_', `${w}-${f}`));
  rmSync(other, { recursive: true, force: true });
  await generateBackgroundClips({ outDir: synth, label: '_silence_', count: 150 });
  mkdirSync(path.join(synth, '.complete'));
}
console.log('preparing data ...');
const prepared = await prepareDefaultModelData(values.data!, values.extra!, values.prepared!);
console.log(`data: ${JSON.stringify(prepared.counts)}`);
const t0 = Date.now();
/** Percent, or a dash when the validation set has no clip of that kind. */
const pc = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
// Ctrl-C (SIGINT) or SIGTERM: stop after the current batch and export the best epoch so far.
const abort = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    console.log(`${sig}: stopping after this batch, exporting the best epoch so far`);
    abort.abort();
  });
const r = await runTraining(
  {
    data: prepared.sc,
    words: ['yes', 'no'],
    background: true,
    extraTrain: [prepared.extra, synth],
    epochs,
    out,
    seed: Number(values.seed),
    minRejection: Number(values['min-rejection']),
    resume: values.resume,
    ...(Number(values.augment) > 0
      ? { augment: Number(values.augment), augmentPreset: resolveAugmentPreset(values['augment-preset']!, '--augment-preset') }
      : {}),
    ...(values.negatives ? { negatives: [values.negatives], streamVariants: Number(values['stream-variants']) } : {}),
    ...(Number(values['hard-negative-rounds']) > 0 ? { hardNegativeRounds: Number(values['hard-negative-rounds']) } : {}),
    ...(values['hard-negative-epochs'] ? { hardNegativeEpochs: Number(values['hard-negative-epochs']) } : {}),
    ...(values['hard-negative-lr-scale'] ? { hardNegativeLrScale: Number(values['hard-negative-lr-scale']) } : {}),
    cacheDir: '.cache/features',
    name: chipName === 'h1v1' ? 'default-yes-no' : `default-yes-no-${chipName}`,
    command: `node --conditions=source --import tsx scripts/train-default-model.ts ${process.argv.slice(2).join(' ')}`.trim(),
    dataDescription: `${values.data} (speaker rule of scripts/default-model-data.ts) + ${values.extra} train half + espeak-ng synthetic`,
    recipe: RECIPE,
    config,
  },
  {
    signal: abort.signal,
    log: (m) => console.log(m),
    onEpoch: (e) =>
      console.log(
        `epoch ${e.epoch}: val ${(e.valAccuracy * 100).toFixed(1)}% kw ${pc(e.valKeywordAccuracy)} rej ${pc(e.valRejection)}${e.valChipScore !== undefined ? ` chips ${pc(e.valChipScore)}` : ''} float ${(e.valFloatAccuracy * 100).toFixed(1)}% train ${(e.trainAccuracy * 100).toFixed(1)}% ce ${e.components.ce.toFixed(3)}${e.components.mismatchKl !== undefined ? ` kl ${e.components.mismatchKl.toFixed(3)}` : ''} sil ${e.components.silence.toFixed(3)} scale ${e.countScale.toFixed(3)} rates ${e.firingRates.map((x) => x.toFixed(3)).join('/')} ${e.seconds.toFixed(0)}s`,
      ),
  },
);
console.log(JSON.stringify(r.checkpoint.provenance.metrics, null, 1));
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; report ${r.reportFile}`);
