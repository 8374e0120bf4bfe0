/**
 * How much can ANY classifier get out of the chip's features on a data set? Trains small float
 * MLPs (tfjs) on the same filterbank features and the same speaker-disjoint split as `nwave train`,
 * with two input encodings and two amounts of time information, and prints validation recall per
 * folder. It bounds what the SNN can reach (the SNN sees the frontend spikes, counts them over a
 * sliding window and so is close to time-invariant):
 *
 *   node --conditions=source --import tsx scripts/feature-ceiling.ts --data ../shared/data/speech-commands-dev \
 *     --words yes,no --background-folders _silence_,_unknown_
 *
 * Encodings: `log` = log(1 + feature), standardised per channel (what a DSP front end would give a
 * float network); `spikes` = the tutorial's frontend LIF (w 0.1, tau 10 ms, threshold 1, zero reset)
 * on each channel, i.e. what the hidden layer actually receives. Time: the clip is cut into S equal
 * segments and each channel averaged per segment (S = 1: bag of rates, no order; S = 10: position).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { NWaveDataGen } from '../data/src/data-gen.js';
import { listClassFolders } from '../data/src/dataset-folder.js';
import type { LoaderItem } from '../data/src/data-loader.js';
import { mulberry32, shuffleInPlace } from '../data/src/mulberry32.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/speech-commands-dev' },
    words: { type: 'string', default: 'yes,no' },
    'background-folders': { type: 'string', default: '_silence_,_unknown_' },
    segments: { type: 'string', default: '1,3,10' },
    epochs: { type: 'string', default: '60' },
    seed: { type: 'string', default: '42' },
    repeats: { type: 'string', default: '3' },
    'extra-train': { type: 'string' },
  },
});
await tf.setBackend('cpu');
tf.enableProdMode();
const words = values.words!.split(',');
const bgFolders = values['background-folders']!.split(',');
const seed = Number(values.seed);
const exclude = listClassFolders(values.data!).filter((f) => !words.includes(f) && !bgFolders.includes(f));
/** The trainer's clip and feature settings (runTraining's). */
const clipFormat = { sample_rate: 16000, recording_duration_s: 1, sim_time_s: 0.008, return_filename: true, log: () => {} };
const gen = new NWaveDataGen({
  data_parent: values.data!,
  ...clipFormat,
  classes: { words, background: true, exclude: ['_background_noise_', ...exclude] },
  dataloader_config: { batch_size: 16, val_split: 0.2, test_split: 0.1, shuffle_train: true, random_state: seed },
});
const d = await gen.dataloaders();
// Optional extra training clips (e.g. the espeak-ng set of scripts/train-default-model.ts), by folder name.
let extraItems: LoaderItem[] = [];
if (values['extra-train']) {
  const root = values['extra-train'];
  const have = listClassFolders(root);
  const g = new NWaveDataGen({
    data_parent: root,
    ...clipFormat,
    classes: {
      words: words.filter((w) => have.includes(w)),
      background: true,
      exclude: ['_background_noise_', ...have.filter((f) => !words.includes(f) && !bgFolders.includes(f))],
    },
    dataloader_config: { batch_size: 16, val_split: 0, test_split: 0, shuffle_train: true, random_state: seed },
  });
  const e = await g.dataloaders();
  extraItems = e.train.items.map((it) => ({ ...it, label: d.labels.indexOf(e.labels[it.label]) }));
}
const { T, C } = d.shape;
const K = d.labels.length;

/** The tutorial's frontend neuron per channel: v = max(0, beta v + w x), spike at v >= 1, zero reset. */
function frontendSpikes(f: Float32Array): Float32Array {
  const beta = Math.exp(-0.008 / 0.01);
  const out = new Float32Array(f.length);
  for (let c = 0; c < C; c++) {
    let v = 0;
    for (let t = 0; t < T; t++) {
      v = Math.max(0, beta * v + 0.1 * f[t * C + c]);
      if (v >= 1) {
        out[t * C + c] = 1;
        v = 0;
      }
    }
  }
  return out;
}

function encode(it: LoaderItem, enc: 'log' | 'spikes', S: number): Float32Array {
  const raw = it.features(0);
  const f = enc === 'spikes' ? frontendSpikes(raw) : raw.map((v) => Math.log1p(v));
  const out = new Float32Array(S * C);
  for (let t = 0; t < T; t++) {
    const s = Math.min(S - 1, Math.floor((t * S) / T));
    for (let c = 0; c < C; c++) out[s * C + c] += f[t * C + c] / (T / S);
  }
  return out;
}

/** Validation recall per source folder (`yes`, `_unknown_`...) of one MLP. */
async function run(enc: 'log' | 'spikes', S: number, runSeed: number): Promise<Record<string, number>> {
  const x = (items: readonly LoaderItem[]) =>
    tf.tensor2d(
      items.flatMap((it) => Array.from(encode(it, enc, S))),
      [items.length, S * C],
    );
  const y = (items: readonly LoaderItem[]) =>
    tf
      .oneHot(
        items.map((it) => it.label),
        K,
      )
      .toFloat();
  // Seeded order and no shuffling inside fit (tfjs shuffles with Math.random): reproducible runs.
  const train = shuffleInPlace([...d.train.items, ...extraItems], mulberry32(runSeed));
  const [xt, xv] = [x(train), x(d.val.items)];
  const mean = xt.mean(0);
  const std = xt.sub(mean).square().mean(0).sqrt().add(1e-6);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [S * C],
        units: 128,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: runSeed }),
      }),
      tf.layers.dropout({ rate: 0.3, seed: runSeed }),
      tf.layers.dense({ units: K, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: runSeed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  // Keyword classes weighted like the background class as a whole (it holds several folders).
  const counts = new Array<number>(K).fill(0);
  for (const it of train) counts[it.label]++;
  const classWeight = Object.fromEntries(counts.map((n, k) => [k, Math.max(...counts) / n]));
  await model.fit(xt.sub(mean).div(std), y(train), {
    epochs: Number(values.epochs),
    batchSize: 32,
    verbose: 0,
    classWeight,
    shuffle: false,
  });
  const pred = (model.predict(xv.sub(mean).div(std)) as tf.Tensor).argMax(1).arraySync() as number[];
  const by: Record<string, [number, number]> = {};
  d.val.items.forEach((it, i) => {
    const folder = it.file!.split('/')[0];
    by[folder] ??= [0, 0];
    by[folder][1]++;
    if (pred[i] === it.label) by[folder][0]++;
  });
  tf.dispose([xt, xv, mean, std]);
  model.dispose();
  return Object.fromEntries(Object.entries(by).map(([k, [ok, n]]) => [k, ok / n]));
}

console.log(
  `labels ${d.labels.join(', ')}; train ${d.train.size} (+${extraItems.length} extra), val ${d.val.items.length} clips (${d.split.mode} split, seed ${seed})`,
);
console.log(
  `validation recall per folder, mean of ${values.repeats} seeds (a background folder counts as correct when classed as background)`,
);
const folders = [...words, ...bgFolders];
console.log(['encoding', 'segments', ...folders].map((s) => s.padEnd(10)).join(' '));
for (const enc of ['log', 'spikes'] as const) {
  for (const S of values.segments!.split(',').map(Number)) {
    // Mean over a few seeds (init and order; the split stays fixed): one run moves by several points.
    const repeats = Number(values.repeats);
    const runs: Record<string, number>[] = [];
    for (let i = 0; i < repeats; i++) runs.push(await run(enc, S, seed + 100 * i));
    const mean = (f: string) => runs.reduce((a, r) => a + (r[f] ?? 0), 0) / repeats;
    console.log([enc, String(S), ...folders.map((f) => `${(mean(f) * 100).toFixed(0)}%`)].map((s) => s.padEnd(10)).join(' '));
  }
}
