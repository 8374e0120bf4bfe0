/**
 * End-to-end training on a small synthetic data set (espeak-ng "yes"/"no" + background noise):
 * real data generation, real tfjs, the real exporter, and the runtime as the judge.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_VERSION, ConstraintError, NwaveModel, parseCheckpoint } from '@nwave/runtime';
import { generateBackgroundClips, generateSyntheticSpeech, toolsAvailable } from '@nwave/data';
import { buildNetwork } from './build-network.js';
import { evaluateModel } from '@nwave/data/evaluate';
import { describeAfterWordActivity, type AfterWordActivity } from '@nwave/data/metrics';
import { networkToCheckpoint } from './export-checkpoint.js';
import { quantStep } from '../quantize/quantize.js';
import { runTraining } from './run-training.js';
import { detectorScore, type EpochRow, type TrainState } from './trainer.js';
import { DEFAULT_TRAIN_CONFIG } from './train-config.js';
import { TEST_FILTERBANK, syntheticClips } from './trainer-fixtures.test-helper.js';

const haveTools = await toolsAvailable(['espeak-ng', 'sox']);
let dir = '';

beforeAll(async () => {
  if (!haveTools) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-train-'));
  await generateSyntheticSpeech({ outDir: path.join(dir, 'data'), words: ['yes', 'no'], clipsPerWord: 100, seed: 3 });
  await generateBackgroundClips({ outDir: path.join(dir, 'data'), label: '_silence_', count: 60 });
}, 300_000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!haveTools)('runTraining (synthetic yes/no + background)', () => {
  it('trains, exports a compliant checkpoint atomically, and reports the runtime accuracy of that file', async () => {
    const out = path.join(dir, 'model.nwave.json');
    const rows: number[] = [];
    const r = await runTraining(
      {
        data: path.join(dir, 'data'),
        words: ['yes', 'no'],
        background: true,
        epochs: 12,
        out,
        seed: 7,
        valSplit: 0.25,
        testSplit: 0.15,
        config: { hidden: [32], batchSize: 8, lrCore: 3e-3, logitScale: 0.2, hiddenTauRangeS: [0.02, 0.4] },
      },
      { onEpoch: (row) => rows.push(row.epoch), log: () => {} },
    );
    expect(rows).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const ck = parseCheckpoint(readFileSync(out, 'utf8'), out);
    expect(ck.labels).toEqual(['_background_', 'yes', 'no']);
    expect(ck.backgroundLabels).toEqual(['_background_']);
    expect(ck.violations).toBeUndefined();
    const model = new NwaveModel(ck);
    expect(model.constraints().ok).toBe(true);
    // Single source of truth: the reported figure is the runtime's, on the written file.
    expect(ck.provenance.metrics?.valAccuracy).toBe(r.val.accuracy);
    expect(r.val.n).toBeGreaterThan(10);
    // The synthetic task is easy: the trained network must beat chance clearly.
    expect(r.val.accuracy).toBeGreaterThan(0.6);
    expect(Math.abs(r.floatVal - r.val.accuracy)).toBeLessThan(0.15);
    expect(existsSync(r.reportFile)).toBe(true);
    expect(readFileSync(r.reportFile, 'utf8')).toContain('<svg');
    expect(existsSync(out.replace('.nwave.json', '.history.json'))).toBe(true);
    expect(readdirNoTemp(dir)).toBe(true);
  });

  it('resumes from the saved state and stops cleanly on abort, keeping the best epoch', async () => {
    const out = path.join(dir, 'resume.nwave.json');
    const base = {
      data: path.join(dir, 'data'),
      words: ['yes', 'no'],
      background: true,
      out,
      seed: 7,
      config: { hidden: [16], batchSize: 8 },
    };
    await runTraining({ ...base, epochs: 2 }, { log: () => {} });
    const epochs: number[] = [];
    await runTraining({ ...base, epochs: 4, resume: true }, { log: () => {}, onEpoch: (r) => epochs.push(r.epoch) });
    expect(epochs).toEqual([3, 4]);
    const ctl = new AbortController();
    const seen: number[] = [];
    const r = await runTraining(
      { ...base, epochs: 10, out: path.join(dir, 'abort.nwave.json') },
      { log: () => {}, signal: ctl.signal, onEpoch: (row) => (seen.push(row.epoch), row.epoch === 2 && ctl.abort()) },
    );
    expect(r.aborted).toBe(true);
    expect(seen.length).toBeLessThanOrEqual(3);
    expect(existsSync(path.join(dir, 'abort.nwave.json'))).toBe(true);
  });

  it('selectChips: a resumed run scores its kept epoch again by the new rule and keeps the best by nominal and worst-chip scores', async () => {
    const out = path.join(dir, 'select-chips.nwave.json');
    const base = { data: path.join(dir, 'data'), words: ['yes', 'no'], background: true, out, seed: 7, minRejection: 0.9 };
    const config = { hidden: [16], batchSize: 8, stddev: 0.036 };
    await runTraining({ ...base, epochs: 2, config }, { log: () => {} });
    const logs: string[] = [];
    const rows: EpochRow[] = [];
    await runTraining(
      { ...base, epochs: 4, resume: true, config: { ...config, selectChips: 4 } },
      { log: (m) => logs.push(m), onEpoch: (row) => rows.push(row) },
    );
    expect(logs.filter((m) => /^best epoch [12] scored again by chips 4 seed 97: /.test(m))).toHaveLength(1);
    const state = JSON.parse(readFileSync(`${out}.train-state.json`, 'utf8')) as TrainState;
    expect(state.best?.criterion).toBe('chips 4 seed 97');
    expect(rows.map((r) => r.epoch)).toEqual([3, 4]);
    const selection = rows.map((r) => {
      expect(r.valChipScore).toBeGreaterThanOrEqual(0);
      expect(r.valChipScore).toBeLessThanOrEqual(1);
      return (detectorScore({ keywordAccuracy: r.valKeywordAccuracy, rejection: r.valRejection }, 0.9) + r.valChipScore!) / 2;
    });
    // The kept epoch is the best by the new rule: an earlier one (scored again) or a new one.
    expect(state.best!.score).toBeGreaterThanOrEqual(Math.max(...selection));
    if (state.best!.epoch > 2) expect(state.best!.score).toBe(selection[state.best!.epoch - 3]);
  });

  it('adds extra training folders that hold only some of the classes, mapped by name', async () => {
    const extra = path.join(dir, 'extra');
    mkdirSync(path.join(extra, 'no'), { recursive: true });
    mkdirSync(path.join(extra, 'ignored-word'), { recursive: true });
    const noClips = readdirSync(path.join(dir, 'data', 'no')).slice(0, 12);
    for (const f of noClips) copyFileSync(path.join(dir, 'data', 'no', f), path.join(extra, 'no', f));
    copyFileSync(path.join(dir, 'data', 'no', noClips[0]), path.join(extra, 'ignored-word', 'x.wav'));
    const logs: string[] = [];
    const base = { data: path.join(dir, 'data'), words: ['yes', 'no'], background: true, epochs: 1, seed: 7, config: { hidden: [8] } };
    const without = await runTraining({ ...base, out: path.join(dir, 'no-extra.nwave.json') }, { log: () => {} });
    const r = await runTraining(
      { ...base, backgroundFolders: ['_silence_'], extraTrain: [extra], out: path.join(dir, 'extra.nwave.json') },
      { log: (m) => logs.push(m) },
    );
    // Only the 12 "no" clips are added: "ignored-word" is not a chosen background folder.
    expect(logs).toContain(`extra training data ${extra}: 12 clips`);
    // The input-contrast gate is calibrated on validation, logged, and exported as logged.
    const gate = logs.find((l) => l.startsWith('input-contrast gate: '));
    expect(gate).toMatch(/^input-contrast gate: (off \(would cost validation keywords\)|minInputContrast (1\.5|2|2\.5|3))$/);
    expect(r.checkpoint.detector.minInputContrast ?? 0).toBe(Number(/minInputContrast ([\d.]+)/.exec(gate!)?.[1] ?? 0));
    expect(r.checkpoint.labels).toEqual(['_background_', 'yes', 'no']);
    // After-word activity on the validation keyword clips: logged, warned about when high, stored as logged.
    const after = r.checkpoint.provenance.metrics?.afterWordActivity as AfterWordActivity;
    expect(after.clips).toBe(r.val.predictions.filter((p) => p.label > 0).length);
    expect(after.clips).toBeGreaterThan(0);
    expect(logs).toContain(`after-word activity: ${describeAfterWordActivity(after)} (validation)`);
    expect(logs.some((l) => l.startsWith('warning: the model keeps firing after words end'))).toBe(after.noPauseShare > 0.2);
    expect(r.checkpoint.provenance.metrics?.trainClips).toBe((without.checkpoint.provenance.metrics?.trainClips as number) + 12);
  });

  it('detector objective: learns the softmax temperature and exports it with the trained window', async () => {
    const out = path.join(dir, 'detector.nwave.json');
    const scales: number[] = [];
    const r = await runTraining(
      {
        data: path.join(dir, 'data'),
        words: ['yes', 'no'],
        background: true,
        epochs: 6,
        out,
        seed: 5,
        valSplit: 0.25,
        testSplit: 0.15,
        config: {
          hidden: [16],
          batchSize: 8,
          lrCore: 3e-3,
          logitScale: 0.2,
          learnCountScale: true,
          detectorWindowS: 0.6,
          detectorStrideS: 0.1,
          lamSilence: 1,
          streamContext: true,
        },
      },
      { onEpoch: (row) => scales.push(row.countScale), log: () => {} },
    );
    const ck = parseCheckpoint(readFileSync(out, 'utf8'), out);
    // The temperature moved away from its initial value, and the export carries the best epoch's.
    expect(scales.some((s) => Math.abs(s - 0.2) > 1e-3)).toBe(true);
    expect(ck.detector.countScale).toBeCloseTo(scales[r.bestEpoch - 1], 6);
    expect(ck.detector.windowS).toBe(0.6);
    expect(r.history.every((row) => Number.isFinite(row.components.silence) && row.components.silence >= 0)).toBe(true);
    // It learns: the window cross-entropy falls below its first epoch's (the task's accuracy is the
    // first test's), and the reported figure is the runtime's on the written file.
    const ce = r.history.map((row) => row.components.ce);
    expect(Math.min(...ce.slice(1))).toBeLessThan(ce[0]);
    expect(ck.provenance.metrics?.valAccuracy).toBe(r.val.accuracy);
  });

  it('trailing silence: the after-word quiet term is trained and reported; lamTail without a tail is refused', async () => {
    const base = { data: path.join(dir, 'data'), words: ['yes', 'no'], background: true, seed: 5, valSplit: 0.25, testSplit: 0.15 };
    const config = {
      hidden: [16],
      recurrent: true,
      batchSize: 8,
      lrCore: 3e-3,
      detectorWindowS: 0.6,
      detectorStrideS: 0.1,
      lamSilence: 0.3,
    };
    await expect(
      runTraining({ ...base, epochs: 1, out: path.join(dir, 'no-tail.nwave.json'), config: { ...config, lamTail: 1 } }, { log: () => {} }),
    ).rejects.toThrow(/lamTail 1 needs a trailing silence/);
    expect(existsSync(path.join(dir, 'no-tail.nwave.json'))).toBe(false);
    const out = path.join(dir, 'tail.nwave.json');
    const r = await runTraining({ ...base, epochs: 3, out, config: { ...config, tailSilenceS: 0.3, lamTail: 1 } }, { log: () => {} });
    expect(r.history.length).toBe(3);
    for (const row of r.history) expect(row.components.tail, `epoch ${row.epoch}`).toBeGreaterThanOrEqual(0);
    // The exported model (clips without a tail) is scored as usual.
    expect(parseCheckpoint(readFileSync(out, 'utf8'), out).provenance.metrics?.valAccuracy).toBe(r.val.accuracy);
  });

  it('trains on stream data from --negatives folders (FLAC) and mines hard negatives with the runtime spotter', async () => {
    const extra = fileURLToPath(new URL('../../../test/fixtures/audio/extra-speech/', import.meta.url));
    const logs: string[] = [];
    const base = { data: path.join(dir, 'data'), words: ['yes', 'no'], background: true, epochs: 1, seed: 7, config: { hidden: [8] } };
    // An extra training folder with a keyword: its clips go in context too, read from that folder.
    const extraKw = path.join(dir, 'extra-kw');
    mkdirSync(path.join(extraKw, 'yes'), { recursive: true });
    const yesClip = readdirSync(path.join(dir, 'data', 'yes'))[0];
    copyFileSync(path.join(dir, 'data', 'yes', yesClip), path.join(extraKw, 'yes', 'extra-yes.wav'));
    const r = await runTraining(
      {
        ...base,
        extraTrain: [extraKw],
        negatives: [extra],
        streamVariants: 2,
        hardNegativeRounds: 1,
        hardNegativeEpochs: 1,
        out: path.join(dir, 'stream.nwave.json'),
      },
      { log: (m) => logs.push(m) },
    );
    const trained = Number(/; train (\d+), val/.exec(logs.find((l) => l.startsWith('data: '))!)![1]);
    const line = logs.find((l) => l.startsWith('stream data '));
    // 3 train-half negatives of the fixture folder; every keyword clip (main split + 2 folder ones) in context and as a fragment.
    expect(line).toMatch(
      /: 3 negative recordings, (\d+) keyword fragments, \1 keywords in context \(2 from the folders\), 1 noise recordings; 2 held-out files left out/,
    );
    const inContext = Number(/(\d+) keywords in context/.exec(line!)![1]);
    expect(logs.filter((l) => l.includes('file not found'))).toEqual([]);
    const mined = r.checkpoint.provenance.metrics?.hardNegativeRounds as { round: number; added: number; streamS: number }[];
    expect(mined).toHaveLength(1);
    expect(mined[0].streamS).toBeGreaterThan(5); // two sentences and a word, played back to back
    expect(logs.some((l) => l.startsWith('hard negatives round 1: '))).toBe(true);
    // Mined windows come on top of the stream data; the main split's keyword clips are in context too.
    expect(r.checkpoint.provenance.metrics?.trainClips).toBe(trained + mined[0].added);
    expect(inContext).toBeGreaterThan(2);
    expect(r.history.length).toBe(2); // one epoch, then one hard-negative epoch
    expect(new NwaveModel(r.checkpoint).constraints().ok).toBe(true);
  }, 400_000);

  it('mines hard negatives from --negatives without stream windows (--stream-variants 0), fine-tuning at a scaled constant learning rate', async () => {
    const extra = fileURLToPath(new URL('../../../test/fixtures/audio/extra-speech/', import.meta.url));
    const base = { data: path.join(dir, 'data'), words: ['yes', 'no'], background: true, seed: 7, negatives: [extra] };
    const config = { hidden: [8], lrCore: 0.01, lrFrontend: 0.004, lrSchedule: 'cosine' as const, lrMinFraction: 0.05 };
    // Settings checked before any work: no output, no training.
    const early = path.join(dir, 'early.nwave.json');
    await expect(
      runTraining({ ...base, negatives: undefined, epochs: 1, hardNegativeRounds: 1, out: early, config }, { log: () => {} }),
    ).rejects.toThrow(/--hard-negative-rounds needs --negatives/);
    for (const bad of [0, 1.5, Number.NaN])
      await expect(
        runTraining({ ...base, epochs: 1, hardNegativeRounds: 1, hardNegativeLrScale: bad, out: early, config }, { log: () => {} }),
      ).rejects.toThrow(/--hard-negative-lr-scale: expected a number > 0 and ≤ 1, got/);
    expect(existsSync(early)).toBe(false);

    const logs: string[] = [];
    const r = await runTraining(
      {
        ...base,
        epochs: 2,
        streamVariants: 0,
        hardNegativeRounds: 1,
        hardNegativeEpochs: 2,
        hardNegativeLrScale: 0.2,
        out: path.join(dir, 'mine-only.nwave.json'),
        config,
      },
      { log: (m) => logs.push(m) },
    );
    const trained = Number(/; train (\d+), val/.exec(logs.find((l) => l.startsWith('data: '))!)![1]);
    // The folders' 3 train-half recordings are scanned for mining only: no windows, fragments or keywords in context.
    expect(logs.find((l) => l.startsWith('stream data '))).toMatch(/: 3 negative recordings for hard-negative mining only$/);
    const mined = r.checkpoint.provenance.metrics?.hardNegativeRounds as { added: number }[];
    expect(mined).toHaveLength(1);
    expect(r.checkpoint.provenance.metrics?.trainClips).toBe(trained + mined[0].added);
    // Two epochs on the run's cosine schedule, then the round at a constant 0.2 x the initial rate.
    expect(r.history.map((row) => row.lrCore)).toEqual([0.01, 0.01 * 0.05, 0.002, 0.002].map((x) => expect.closeTo(x, 9)));
    expect(r.checkpoint.provenance.notes).toContain(
      'hard-negative mining: 1 rounds of 2 epochs at a constant 0.2 x the learning rates, no stream windows',
    );
    expect(new NwaveModel(r.checkpoint).constraints().ok).toBe(true);
  }, 400_000);
});

function readdirNoTemp(d: string): boolean {
  return !readdirSync(d).some((f: string) => f.includes('.tmp-'));
}

describe('export refuses non-compliant networks', () => {
  it('throws ConstraintError on mixed-sign groups unless allowViolations, which records them', async () => {
    await tf.setBackend('cpu');
    const cfg = { ...DEFAULT_TRAIN_CONFIG, hidden: [10] };
    const net = buildNetwork(13, 3, cfg, 0.008);
    const fb = TEST_FILTERBANK;
    const opts = { name: 'x', labels: ['a', 'b', 'c'], backgroundLabels: [], filterbank: fb };
    // normal(0.1, 0.3) init mixes signs inside groups of 5.
    expect(() => networkToCheckpoint(net, opts)).toThrow(ConstraintError);
    try {
      networkToCheckpoint(net, opts);
    } catch (e) {
      expect((e as ConstraintError).message).toMatch(/\[sign-groups\] hidden: \d+ mixed-sign groups of 5/);
    }
    const ck = networkToCheckpoint(net, { ...opts, allowViolations: true });
    expect(ck.violations?.some((v) => v.rule === 'sign-groups')).toBe(true);
    net.dispose();
  });

  // Checkpoint version 2 is the runtime that simulates in-core recurrence (contract 1).
  const runtimeSimulatesRecurrence = CHECKPOINT_VERSION >= 2;
  it.for([
    ['feed-forward', { hidden: [20] }, true],
    ['recurrent, two hidden layers, learnt taus', { hidden: [20, 12], recurrent: true, learnTaus: true }, runtimeSimulatesRecurrence],
    // H1v2: subtractive reset, charge 0.9/1.66 per unit weight, learnt taus run (and export) snapped
    // to the chip's profiles.
    ['H1v2, recurrent, learnt taus', { chip: 'h1v2', hidden: [20, 12], recurrent: true, learnTaus: true }, runtimeSimulatesRecurrence],
  ] as const)(
    'trainer and runtime agree (%s): fake-quantized tfjs forward vs fixed-point counts on real clips',
    async ([, arch, runtimeReady], { skip }) => {
      if (!runtimeReady) skip('the runtime on this branch does not simulate recurrence yet (checkpoint v1)');
      await tf.setBackend('cpu');
      const cfg = { ...DEFAULT_TRAIN_CONFIG, ...arch, hidden: [...arch.hidden] };
      const net = buildNetwork(13, 2, cfg, 0.008);
      const chip = net.chip;
      // Learnt taus: spread them per neuron, as training would.
      for (const l of net.hwLayers()) if (l.logTau) tf.tidy(() => l.logTau!.assign(tf.add(l.logTau!, tf.linspace(-0.4, 0.4, l.n_neurons))));
      const { applyHardConstraints } = await import('./sign-projection.js');
      applyHardConstraints(net, { signGroups: true });
      const centers = [97.6, 137.06, 192.48, 270.3, 379.58, 533.05, 748.56, 1051.22, 1476.23, 2073.09, 2911.26, 4088.32, 5741.27];
      const fb = { sampleRateHz: 16000, centerFrequenciesHz: centers, q: 4, binS: 0.008, gain: 1000, recordingDurationS: 1 };
      // Frontend at 8 bits at export: make the float frontend sit on that grid so both sides see the same weights.
      const fe = net.frontend()!;
      const step = quantStep(chip.synapse.frontend.maxBits, chip.synapse.frontend.wMax);
      tf.tidy(() => fe.weight.assign(tf.mul(tf.round(tf.div(fe.weight, step)), step)));
      const ck = networkToCheckpoint(net, { name: 'parity', labels: ['a', 'b'], backgroundLabels: [], filterbank: fb });
      expect(ck.chipProfile).toBe(chip.id);
      const model = new NwaveModel(ck);
      const { readWavFile } = await import('@nwave/runtime/node');
      const root = new URL('../../../test/fixtures/audio/speech-commands/', import.meta.url).pathname;
      const files = ['yes', 'no', '_unknown_'].flatMap((c) => readdirSync(root + c).map((f: string) => `${root}${c}/${f}`));
      let agree = 0;
      let total = 0;
      for (const f of files) {
        const a = readWavFile(f);
        const feats = model.features(a.samples, a.sampleRateHz);
        const rt = model.classifyFeatures(feats.data, feats.frames);
        const fl = tf.tidy(() => net.forward(tf.tensor3d(feats.data, [1, feats.frames, 13])).spikes.map((s) => tf.sum(s).dataSync()[0]));
        rt.layerSpikes.forEach((l, i) => {
          total += Math.max(l.spikes, fl[i]);
          agree += Math.min(l.spikes, fl[i]);
        });
      }
      expect(total).toBeGreaterThan(200);
      expect(agree / total).toBeGreaterThan(0.97);
      net.dispose();
    },
  );
});

describe('evaluation metrics', () => {
  it('counts keyword accuracy and background rejection from runtime decisions', () => {
    const ck = parseCheckpoint(readFileSync(new URL('../../../test/fixtures/models/tones.nwave.json', import.meta.url), 'utf8'));
    const model = new NwaveModel(ck);
    const tone = (f: number, a = 0.3) =>
      model.features(
        Float32Array.from({ length: 16000 }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / 16000)),
        16000,
      ).data;
    const items = [
      { features: tone(4000), label: 0 },
      { features: tone(400), label: 1 },
      { features: tone(400, 1e-5), label: 2 },
      { features: tone(4000), label: 1 },
    ];
    const r = evaluateModel(model, items, 125);
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(r.keywordAccuracy).toBeCloseTo(2 / 3, 12);
    expect(r.rejection).toBe(1);
    expect(r.power.meanW).toBeGreaterThan(0);
  });
});

describe('memory', () => {
  it('leaks no tensors across epochs (tf.memory before/after)', async () => {
    await tf.setBackend('cpu');
    const { trainNetwork } = await import('./trainer.js');
    const { NWaveDataLoader } = await import('@nwave/data');
    const T = 40;
    const C = 13;
    const { items, val } = syntheticClips(T, C);
    const loader = new NWaveDataLoader(items, { batchSize: 8, shuffle: true, seed: 1, returnFilename: false, frames: T, channels: C });
    const cfg = { ...DEFAULT_TRAIN_CONFIG, hidden: [10], epochs: 1 };
    const fb = TEST_FILTERBANK;
    const opts = { name: 'mem', labels: ['_background_', 'a', 'b'], backgroundLabels: ['_background_'], filterbank: fb };
    const net = buildNetwork(C, 3, cfg, 0.008);
    await trainNetwork(net, { train: loader, val, T, C }, { ...cfg, epochs: 1 }, opts);
    const after1 = tf.memory().numTensors;
    await trainNetwork(net, { train: loader, val, T, C }, { ...cfg, epochs: 4 }, opts);
    expect(tf.memory().numTensors).toBe(after1);
    net.dispose();
  });
});
