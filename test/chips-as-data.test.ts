/**
 * "Chips as data", runtime side: a made-up third chip, defined only here, goes through every
 * runtime reader of chip profiles (constraint checker and core placement, integer simulation
 * against the BigInt transcription and the float reference, mismatch chip instances, power
 * projection, ONNX export and parity in both encodings) without a line of chip-specific code.
 * Its numbers differ from H1v1 and H1v2 on purpose (8 filters, cores 12 + 12 + 24, θ = 2,
 * sign groups of 3, a charge map of 1.5, taus on 8/16/32/64 ms), so a constant left in code
 * would show up here.
 *
 * Trainer half: the same made-up chip is trained for one epoch on the fixture clips (the
 * trainer reads every chip fact from the profile: filters, weight grids, charge, θ, reset, sign
 * groups, cores, taus, mismatch), and the export passes the chip's own checker and runs
 * bit-exact in the runtime and ONNX; the trainer's float forward agrees with the runtime's
 * integer simulation spike for spike (almost).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NwaveModel,
  buildCheckpoint,
  checkConstraints,
  chipSeed,
  formatPowerUw,
  registerChipProfile,
  sampleChipInstance,
  seededRandom,
  standardNormal,
  type ChipProfile,
  type Checkpoint,
  type FloatLayer,
} from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { bigIntReference } from '../runtime/src/snn/bigint-reference.test-helper.js';
import { FixedPointNetwork } from '../runtime/src/snn/fixed-point-network.js';
import { FloatReferenceNetwork } from '../runtime/src/reference/float-reference.js';
import { checkParity, exportOnnx } from '../onnx/src/index.js';
import {
  applyHardConstraints,
  buildNetwork,
  DEFAULT_TRAIN_CONFIG,
  networkToCheckpoint,
  quantStep,
  runTraining,
} from '../training/src/index.js';

const TOY: ChipProfile = {
  id: 'toy-chip-test',
  chip: 'Toy test chip',
  description: 'A made-up chip that exists only in this test.',
  filterCentersHz: [150, 260, 450, 780, 1350, 2300, 4000, 6800],
  coreSizes: [12, 12, 24],
  placement: { recurrence: 'in-core', outputCore: 2 },
  signGroupSize: 3,
  neuron: {
    threshold: 2,
    reset: 'subtractive-clamped',
    membraneCeiling: 16,
    tau: { kind: 'snapped', profilesS: [0.008, 0.016, 0.032, 0.064], warnRelativeMove: 0.01 },
  },
  synapse: { frontend: { wMax: 3, maxBits: 6, chargeScale: 1.5 }, core: { wMax: 3, maxBits: 4, chargeScale: 1.5 } },
  mismatch: { synapticSigma: 0.05, leakSpread: 0.05, thresholdSpread: 0.03 },
  power: { staticPerNeuronW: 1e-10, energyPerSpikeJ: 5e-12, calibrated: false },
};
registerChipProfile(TOY);

const ROOT = path.resolve(import.meta.dirname, '..');
const CLIPS = path.join(ROOT, 'test/fixtures/audio/speech-commands');
const WAVS = readdirSync(CLIPS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => path.join(CLIPS, f));

/** Sign-grouped random weights (groups of the chip's size along each row). */
function grouped(rng: () => number, rows: number, cols: number, mean: number, sd: number, pPositive: number): number[] {
  const w = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let s = 0; s < cols; s += TOY.signGroupSize) {
      const sign = rng() < pPositive ? 1 : -1;
      for (let c = s; c < Math.min(cols, s + TOY.signGroupSize); c++) w[r * cols + c] = sign * Math.abs(mean + sd * standardNormal(rng));
    }
  return w;
}

function toyCheckpoint(outputPerLabel = 10): Checkpoint {
  const rng = seededRandom(31);
  const dt = 0.008;
  const taus = (n: number) => Array.from({ length: n }, (_, i) => [0.016, 0.032, 0.064][i % 3]);
  const { frontend, core } = TOY.synapse;
  const layers: FloatLayer[] = [
    {
      name: 'frontend',
      type: 'frontend',
      size: 8,
      weights: Array.from({ length: 8 }, () => 0.5 + 0.1 * rng()),
      bits: frontend.maxBits,
      wMax: frontend.wMax,
      tausS: 0.016,
      dtS: dt,
    },
    {
      name: 'hidden',
      type: 'dense',
      inputs: 8,
      size: 12,
      weights: grouped(rng, 8, 12, 0.9, 0.4, 0.8),
      recurrentWeights: grouped(rng, 12, 12, 0.4, 0.3, 0.4),
      bits: core.maxBits,
      wMax: core.wMax,
      tausS: taus(12),
      dtS: dt,
    },
    {
      name: 'output',
      type: 'dense',
      inputs: 12,
      size: 2 * outputPerLabel,
      weights: grouped(rng, 12, 2 * outputPerLabel, 0.8, 0.4, 0.6),
      bits: core.maxBits,
      wMax: core.wMax,
      tausS: taus(2 * outputPerLabel),
      dtS: dt,
    },
  ];
  return buildCheckpoint({
    name: 'toy chip model',
    chipProfile: TOY.id,
    labels: ['yes', 'no'],
    outputPopulation: outputPerLabel,
    filterbank: {
      sampleRateHz: 16000,
      centerFrequenciesHz: [...TOY.filterCentersHz],
      q: 4,
      binS: dt,
      gain: 1000,
      recordingDurationS: 1,
    },
    layers,
  });
}

describe('a made-up chip profile runs through every runtime reader', () => {
  const ck = toyCheckpoint();
  const model = new NwaveModel(ck, 'toy');
  const clips = WAVS.map((f) => {
    const a = readWavFile(f);
    return model.features(a.samples, a.sampleRateHz);
  });

  it("checker: the chip's own grid, threshold, taus, sign groups and placement", () => {
    expect(ck.network.threshold).toBe(2); // the builder takes θ from the profile
    const r = model.constraints();
    expect(r.violations).toEqual([]);
    expect(r.checked.find((c) => c.rule === 'core-placement')?.detail).toBe(
      'layers placed on the cores: hidden -> core 0; output -> core 2',
    );
    // 3 x 10 outputs no longer fit the 24-neuron output core; a mixed group of 3 is caught; an H1v1 tau is off the profiles.
    const bad = toyCheckpoint(13);
    const codes = bad.network.layers[1].weights.codes;
    codes[0] = 3;
    codes[1] = -3;
    bad.network.layers[2].neuron.tausS = 0.05;
    const rules = checkConstraints(bad, TOY).violations.map((v) => v.rule);
    expect(rules).toEqual(['sign-groups', 'tau-profiles', 'core-placement']);
  });

  it('integer simulation equals the BigInt transcription on real clips, and the float reference nearly', () => {
    const fp = model.fixedPoint;
    expect(fp.thresholdInt).toBe(2 * 65536);
    expect(fp.membraneCeilingInt).toBe(16 * 2 * 65536);
    // Charge = 1.5 x code x (3 / 7) in membrane units.
    expect(fp.layers[1].weights[0]).toBe(Math.round(1.5 * ck.network.layers[1].weights.codes[0] * (3 / 7) * 65536));
    let total = 0;
    for (const c of clips.slice(0, 4)) {
      const frames = Array.from({ length: c.frames }, (_, t) => c.data.subarray(t * c.channels, (t + 1) * c.channels));
      const ref = bigIntReference(fp, frames);
      const net = new FixedPointNetwork(fp);
      const counts = fp.layers.map(() => 0);
      frames.forEach((x, t) => {
        net.step(x);
        fp.layers.forEach((_, li) => {
          expect(Array.from(net.spikes[li])).toEqual(ref.spikes[t][li]);
          counts[li] += net.spikeCounts[li];
        });
      });
      const float = new FloatReferenceNetwork(ck).runClip(frames).map((l) => l.reduce((a, b) => a + b, 0));
      float.forEach((f, li) => expect(Math.abs(f - counts[li])).toBeLessThanOrEqual(Math.max(3, 0.05 * counts[li])));
      total += counts[2];
    }
    expect(total).toBeGreaterThan(50);
  });

  it("mismatch chips draw the profile's spreads; power carries its constants and the uncalibrated label", () => {
    const chip = sampleChipInstance(model, seededRandom(chipSeed(1, 0)));
    expect(Array.from(chip.layers[1].weights)).not.toEqual(Array.from(model.fixedPoint.layers[1].weights)); // synaptic σ 0.05
    expect(new Set(chip.layers[2].thresholds).size).toBeGreaterThan(5); // threshold spread 0.03
    const r = model.classifyFeatures(clips[1].data, clips[1].frames);
    expect(r.power.staticW).toBeCloseTo(32 * 1e-10, 20);
    expect(r.power.calibrated).toBe(false);
    expect(formatPowerUw(r.power.totalW, 4, model.chip)).toMatch(/uncalibrated profile/);
  });

  it.each(['float64', 'int64'] as const)('ONNX %s graph: identical counts and decisions on real clips', async (arithmetic) => {
    const { bytes, metadata } = exportOnnx(ck, { arithmetic, source: 'toy' });
    expect(metadata.chipProfile).toBe(TOY.id);
    expect(metadata.arithmetic.reset).toBe('subtractive-clamped');
    const report = await checkParity(model, clips, bytes);
    expect(report.mismatches).toEqual([]);
    expect(report.js.reduce((a, o) => a + o.spikeCounts.reduce((x, y) => x + y, 0), 0)).toBeGreaterThan(0);
  });
});

describe('the trainer reads the made-up chip from its profile alone', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nwave-toy-chip-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const filterbank = {
    sampleRateHz: 16000,
    centerFrequenciesHz: [...TOY.filterCentersHz],
    q: 4,
    binS: 0.008,
    gain: 1000,
    recordingDurationS: 1,
  };

  it('builds the network on the chip: grids, charge, threshold, reset, sign groups, snapped taus, cores', () => {
    const warnings: string[] = [];
    const cfg = { ...DEFAULT_TRAIN_CONFIG, chip: TOY.id, hidden: [12], recurrent: true, frontendTauS: 0.01 };
    const net = buildNetwork(8, 2, cfg, 0.008, (m) => warnings.push(m));
    const [fe, hidden] = net.description!.layers;
    expect([fe.bits, fe.wMax, hidden.bits, hidden.wMax]).toEqual([6, 3, 4, 3]);
    expect(fe.tausS).toBe(0.008); // 10 ms is not a profile of this chip: snapped, with a warning
    expect(warnings.some((w) => /snapped/.test(w))).toBe(true);
    expect(net.hwLayers().map((l) => [l.threshold, l.reset.subtractive, l.reset.ceiling])).toEqual(net.hwLayers().map(() => [2, true, 32]));
    expect(net.synapses().every((s) => s.chargeScale === 1.5 && s.signGroupSize === 3)).toBe(true);
    // A recurrent layer larger than this chip's largest core, or more neurons than its 48, is refused before training.
    expect(() => buildNetwork(8, 2, { ...cfg, hidden: [25] }, 0.008)).toThrow(/does not fit Toy test chip.*one core/);
    expect(() => buildNetwork(8, 2, { ...cfg, recurrent: false, hidden: [12, 12, 24] }, 0.008)).toThrow(/does not fit Toy test chip/);
    net.dispose();
  });

  it('float forward of the trainer = integer simulation of the runtime on real clips', async () => {
    await tf.setBackend('cpu');
    const cfg = { ...DEFAULT_TRAIN_CONFIG, chip: TOY.id, hidden: [12], recurrent: true, seed: 3 };
    const net = buildNetwork(8, 2, cfg, 0.008);
    applyHardConstraints(net, { signGroups: true });
    // The frontend trains in float: put it on its export grid so both sides see the same weights.
    const fe = net.frontend()!;
    const step = quantStep(TOY.synapse.frontend.maxBits, TOY.synapse.frontend.wMax);
    tf.tidy(() => fe.weight.assign(tf.mul(tf.round(tf.div(fe.weight, step)), step)));
    const ck = networkToCheckpoint(net, { name: 'toy-parity', labels: ['yes', 'no'], backgroundLabels: [], filterbank });
    expect(checkConstraints(ck, TOY).violations).toEqual([]);
    const model = new NwaveModel(ck, 'toy-parity');
    let agree = 0;
    let total = 0;
    for (const f of WAVS) {
      const a = readWavFile(f);
      const feats = model.features(a.samples, a.sampleRateHz);
      const rt = model.classifyFeatures(feats.data, feats.frames);
      const fl = tf.tidy(() => net.forward(tf.tensor3d(feats.data, [1, feats.frames, 8])).spikes.map((s) => tf.sum(s).dataSync()[0]));
      rt.layerSpikes.forEach((l, i) => {
        total += Math.max(l.spikes, fl[i]);
        agree += Math.min(l.spikes, fl[i]);
      });
    }
    expect(total).toBeGreaterThan(200);
    expect(agree / total).toBeGreaterThan(0.97);
    net.dispose();
  });

  it('trains one epoch, exports, passes its own checker and runs bit-exact in the runtime and ONNX', async () => {
    cpSync(CLIPS, path.join(tmp, 'data'), { recursive: true });
    const out = path.join(tmp, 'toy.nwave.json');
    const r = await runTraining(
      {
        data: path.join(tmp, 'data'),
        words: ['yes', 'no'],
        background: true,
        epochs: 1,
        out,
        seed: 4,
        valSplit: 0.3,
        testSplit: 0,
        augment: 2,
        augmentPreset: 'speaker',
        config: { chip: 'toy-chip-test', hidden: [12], recurrent: true, batchSize: 4, ileakMismatch: true, stddev: 0.05 },
      },
      { log: () => {} },
    );
    const ck = r.checkpoint;
    expect(ck.chipProfile).toBe(TOY.id);
    expect(ck.filterbank.centerFrequenciesHz).toEqual([...TOY.filterCentersHz]);
    expect(ck.network.threshold).toBe(2);
    expect(ck.violations).toBeUndefined();
    expect(ck.provenance?.notes).toContain('augment: 2 variants, speaker');
    expect(checkConstraints(ck, TOY).violations).toEqual([]);
    const model = new NwaveModel(ck, out);
    const clips = WAVS.map((f) => {
      const a = readWavFile(f);
      return model.features(a.samples, a.sampleRateHz);
    });
    // Integer simulation = its BigInt transcription.
    const fp = model.fixedPoint;
    for (const c of clips.slice(0, 3)) {
      const frames = Array.from({ length: c.frames }, (_, t) => c.data.subarray(t * c.channels, (t + 1) * c.channels));
      const ref = bigIntReference(fp, frames);
      const net = new FixedPointNetwork(fp);
      frames.forEach((x, t) => {
        net.step(x);
        fp.layers.forEach((_, li) => expect(Array.from(net.spikes[li])).toEqual(ref.spikes[t][li]));
      });
    }
    for (const arithmetic of ['float64', 'int64'] as const) {
      const { bytes } = exportOnnx(ck, { arithmetic, source: 'toy-trained' });
      const report = await checkParity(model, clips, bytes);
      expect(report.mismatches).toEqual([]);
      expect(report.js.reduce((a, o) => a + o.spikeCounts.reduce((x, y) => x + y, 0), 0)).toBeGreaterThan(0);
    }
  });
});
