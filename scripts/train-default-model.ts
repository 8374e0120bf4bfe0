/**
 * Reproduces the bundled default model `models/default.nwave.json` (yes / no + background):
 *   node --conditions=source --import tsx scripts/train-default-model.ts --data ../shared/data/speech-commands-dev [--epochs 60]
 * 1. synthesises espeak-ng speech into .cache/synthetic-default/ (yes, no, other words -> _unknown_,
 *    noise -> _silence_), used for training only;
 * 2. trains on the real Speech Commands clips (speaker-disjoint val/test) + the synthetic clips;
 * 3. writes the checkpoint, its report and history next to it, and copies example clips.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateBackgroundClips } from '../training/src/data/synthetic-background.js';
import { generateSyntheticSpeech } from '../training/src/data/synthetic-speech.js';
import { runTraining } from '../training/src/train/run-training.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/speech-commands-dev' },
    epochs: { type: 'string', default: '60' },
    out: { type: 'string', default: 'models/default.nwave.json' },
    seed: { type: 'string', default: '42' },
    synthetic: { type: 'string', default: '.cache/synthetic-default' },
  },
});
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
const t0 = Date.now();
const r = await runTraining(
  {
    data: values.data!,
    words: ['yes', 'no'],
    background: true,
    backgroundFolders: ['_silence_'],
    extraTrain: [synth],
    epochs: Number(values.epochs),
    out: values.out!,
    seed: Number(values.seed),
    valSplit: 0.2,
    testSplit: 0.1,
    minRejection: 0.95,
    name: 'default-yes-no',
    command: `node --conditions=source --import tsx scripts/train-default-model.ts ${process.argv.slice(2).join(' ')}`.trim(),
    config: { logitScale: 0.2, lrCore: 0.003, hiddenTauRangeS: [0.02, 0.4] },
  },
  {
    log: (m) => console.log(m),
    onEpoch: (e) =>
      console.log(
        `epoch ${e.epoch}: val ${(e.valAccuracy * 100).toFixed(1)}% kw ${(e.valKeywordAccuracy * 100).toFixed(1)}% rej ${(e.valRejection * 100).toFixed(1)}% train ${(e.trainAccuracy * 100).toFixed(1)}%`,
      ),
  },
);
console.log(JSON.stringify(r.checkpoint.provenance.metrics, null, 1));
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; report ${r.reportFile}`);
