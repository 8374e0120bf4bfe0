/**
 * Parity of the onnx backend (real onnxruntime-web, WASM, in Node) with the hand-written runtime:
 * identical per-clip output spike counts, per-layer totals and decisions on real Speech Commands
 * clips, then on adversarial integer input under every arithmetic corner the format allows.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import {
  NwaveModel,
  buildCheckpoint,
  chipInstanceModel,
  chipSeed,
  jsBackend,
  sampleChipInstance,
  seededRandom,
  type ArithmeticSpec,
  type Checkpoint,
  type ClipBatch,
} from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
// Relative: the benchmark helpers (bench/) are repo-level tooling, not a workspace package.
import { tutorialSizeCheckpoint } from '../../bench/bench-utils.js';
import { IR_VERSION, OPSET_VERSION, buildSnnGraph, checkParity, exportOnnx, onnxBackend, type ArithmeticMode } from './index.js';
import { encodeModel } from './onnx-proto.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const CLIPS_DIR = path.join(ROOT, 'test', 'fixtures', 'audio', 'speech-commands');
const WAVS = readdirSync(CLIPS_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => path.join(CLIPS_DIR, f));
const DEFAULT_MODEL = path.join(ROOT, 'models', 'default.nwave.json');

/** The tutorial network with a population readout: 2 labels x 2 output neurons. */
function populationCheckpoint(): Checkpoint {
  const ck = structuredClone(tutorialSizeCheckpoint(8));
  const out = ck.network.layers[2];
  out.size = 4;
  out.weights.codes = out.weights.codes.flatMap((c, i) => [c, i % 2 ? c - 1 : c + 1].map((x) => Math.max(-15, Math.min(15, x))));
  (ck.network as { outputPopulation?: number }).outputPopulation = 2;
  return ck;
}

const fixture = (name: string): Checkpoint => JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/models', name), 'utf8'));

const MODELS: [string, () => Checkpoint][] = [
  ['tones fixture (13-10-3)', () => fixture('tones.nwave.json')],
  ['recurrent fixture (13-24r-3, per-neuron taus)', () => fixture('recurrent.nwave.json')],
  ['recurrent 4 x 64 fixture (13-64r-64r-64r-64)', () => fixture('recurrent-deep.nwave.json')],
  ['H1v2 fixture (13-50r-40-60: subtractive reset, charge map, 50 + 50 + 100 cores)', () => fixture('h1v2.nwave.json')],
  ['random tutorial-size (13-64-2)', () => tutorialSizeCheckpoint(42)],
  ['tutorial-size, population readout (13-64-4, 2 labels)', populationCheckpoint],
  ...(existsSync(DEFAULT_MODEL)
    ? [['models/default.nwave.json', () => JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8'))] as [string, () => Checkpoint]]
    : []),
];

const MODES = ['float64', 'int64'] as const;

describe('onnx backend = js runtime on real clips', () => {
  it.each(MODELS.flatMap(([name, make]) => MODES.map((mode) => [name, mode, make] as const)))(
    '%s, %s graph: identical counts, layer totals and decisions',
    async (_name, mode, make) => {
      const ck = make();
      const model = new NwaveModel(ck);
      const clips = WAVS.map((f) => {
        const a = readWavFile(f);
        return model.features(a.samples, a.sampleRateHz);
      });
      expect(clips.length).toBeGreaterThanOrEqual(10);
      const bytes = exportOnnx(ck, { allowViolations: true, arithmetic: mode }).bytes;
      const report = await checkParity(model, clips, bytes);
      expect(report.mismatches).toEqual([]);
      expect(report.onnx).toEqual(report.js);
      // And against the runtime's own whole-clip path, not only the js backend adapter.
      clips.forEach((c, i) => {
        const r = model.classifyFeatures(c.data, c.frames);
        expect(report.onnx[i]).toMatchObject({
          spikeCounts: r.spikeCounts,
          label: r.label,
          accepted: r.accepted,
          layerSpikes: r.layerSpikes.map((l) => l.spikes),
        });
      });
      // Parity on silent networks would prove nothing: the clips must make the output fire.
      expect(report.js.reduce((a, o) => a + o.spikeCounts.reduce((x, y) => x + y, 0), 0)).toBeGreaterThan(0);
    },
  );
});

/** Integer features: zeros, small, huge (beyond the 2^30 clamp), negative (mapped to 0). */
function adversarialBatch(channels: number, batch: number, steps: number, seed: number, scale: number): ClipBatch {
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const features = Int32Array.from({ length: batch * steps * channels }, () => {
    const r = rnd();
    if (r < 0.01) return 2 ** 31 - 1;
    if (r < 0.02) return -(rnd() * 1000) | 0;
    if (r < 0.3) return 0;
    return Math.floor(rnd() ** 3 * scale);
  });
  return { features, batch, steps, channels };
}

async function compareOnBatch(ck: Checkpoint, batch: ClipBatch, arithmetic: ArithmeticMode): Promise<number> {
  const model = new NwaveModel(ck);
  await onnxBackend.init();
  const modelBytes = exportOnnx(ck, { allowViolations: true, arithmetic }).bytes;
  const [js, onnx] = [await jsBackend.createSession(model), await onnxBackend.createSession(model, { modelBytes })];
  const a = await js.runClips(batch, { outputSpikes: true });
  const b = await onnx.runClips(batch, { outputSpikes: true });
  expect(b.outputCounts).toEqual(a.outputCounts);
  expect(b.layerSpikes).toEqual(a.layerSpikes);
  expect(b.outputSpikes).toEqual(a.outputSpikes);
  await Promise.all([js.dispose(), onnx.dispose()]);
  return a.layerSpikes.reduce((x, y) => x + y, 0);
}

/** The tutorial network with other arithmetic; `wMax` lowered where the compiler needs it. */
function withArithmetic(
  arithmetic: ArithmeticSpec,
  extra: { threshold?: number; wMax?: number; negativeFrontend?: boolean } = {},
): Checkpoint {
  const ck = structuredClone(tutorialSizeCheckpoint(7));
  ck.network.arithmetic = arithmetic;
  if (extra.threshold) ck.network.threshold = extra.threshold;
  for (const l of ck.network.layers) if (extra.wMax) l.weights.wMax = extra.wMax;
  if (extra.negativeFrontend) ck.network.layers[0].weights.codes = ck.network.layers[0].weights.codes.map((c, i) => (i % 3 === 0 ? -c : c));
  return ck;
}

describe('onnx backend = js runtime on adversarial integer input', () => {
  const cases: [string, Checkpoint, number][] = [
    ['default arithmetic', withArithmetic({ membraneFracBits: 16, inputFracBits: 8, leakFracBits: 16 }), 2 ** 12],
    [
      'negative frontend weights (floor of negative currents)',
      withArithmetic({ membraneFracBits: 16, inputFracBits: 8, leakFracBits: 16 }, { negativeFrontend: true }),
      2 ** 12,
    ],
    [
      'inputFracBits 0 (no rounding term)',
      withArithmetic({ membraneFracBits: 12, inputFracBits: 0, leakFracBits: 8 }, { negativeFrontend: true }),
      16,
    ],
    ['inputFracBits 1', withArithmetic({ membraneFracBits: 16, inputFracBits: 1, leakFracBits: 16 }, { negativeFrontend: true }), 64],
    [
      'inputFracBits 16, leakFracBits 4',
      withArithmetic({ membraneFracBits: 4, inputFracBits: 16, leakFracBits: 4 }, { negativeFrontend: true }),
      2 ** 22,
    ],
    [
      'membraneFracBits 22, leakFracBits 24',
      withArithmetic({ membraneFracBits: 22, inputFracBits: 8, leakFracBits: 24 }, { negativeFrontend: true }),
      2 ** 14,
    ],
    ['recurrent 4 x 64, default arithmetic', fixture('recurrent-deep.nwave.json'), 2 ** 13],
    // Huge features drive H1v2 membranes to the ceiling of the subtractive reset.
    ['H1v2 13-50r-40-60, default arithmetic', fixture('h1v2.nwave.json'), 2 ** 16],
    [
      'H1v2 13-50r-40-60, membraneFracBits 20, leakFracBits 22',
      {
        ...fixture('h1v2.nwave.json'),
        network: { ...fixture('h1v2.nwave.json').network, arithmetic: { membraneFracBits: 20, inputFracBits: 8, leakFracBits: 22 } },
      },
      2 ** 16,
    ],
    [
      'recurrent 13-24r-3, membraneFracBits 22, leakFracBits 24',
      {
        ...fixture('recurrent.nwave.json'),
        network: { ...fixture('recurrent.nwave.json').network, arithmetic: { membraneFracBits: 22, inputFracBits: 8, leakFracBits: 24 } },
      },
      2 ** 13,
    ],
  ];
  it.each(cases.flatMap(([name, ck, scale]) => MODES.map((mode) => [name, mode, ck, scale] as const)))(
    '%s, %s graph',
    async (_name, mode, ck, scale) => {
      const total = await compareOnBatch(ck, adversarialBatch(13, 48, 150, 3, scale), mode);
      expect(total).toBeGreaterThan(0);
    },
  );

  it('results do not depend on the batch size (one batch of 12 = 12 batches of 1)', async () => {
    // Batch rows are independent in every op (elementwise or row-wise MatMul); this checks ORT agrees.
    const model = new NwaveModel(tutorialSizeCheckpoint(3));
    const session = await onnxBackend.createSession(model);
    const big = adversarialBatch(13, 12, 100, 11, 2 ** 12);
    const all = await session.runClips(big);
    const size = 100 * 13;
    const one = await Promise.all(
      Array.from({ length: 12 }, (_, b) => session.runClips({ ...big, batch: 1, features: big.features.slice(b * size, (b + 1) * size) })),
    );
    expect(Array.from(all.outputCounts)).toEqual(one.flatMap((r) => Array.from(r.outputCounts)));
    await session.dispose();
  });
});

/** The runtime refuses arithmetic whose leak products could pass 2^53, so every graph op is exact. */
describe('leak products beyond 2^53', () => {
  it('are refused by the runtime before any graph is built', () => {
    const ck = buildCheckpoint({
      name: 'leak-corner',
      labels: ['n'],
      filterbank: { sampleRateHz: 16000, centerFrequenciesHz: [1000], q: 4, binS: 0.008, gain: 1, recordingDurationS: 1 },
      threshold: 39,
      arithmetic: { membraneFracBits: 24, inputFracBits: 0, leakFracBits: 24 },
      layers: [{ name: 'frontend', type: 'frontend', size: 1, weights: [3 / 2 ** 24], bits: 2, wMax: 3 / 2 ** 24, tausS: 0.5, dtS: 0.008 }],
    });
    expect(() => new NwaveModel(ck)).toThrow(/leak products beyond 2\^53/);
  });
});

/** A simulated chip's own tables (per-neuron θ_i from the threshold spread) as a graph, against the runtime on that chip. */
describe('onnx graph of an H1v2 mismatch chip (per-neuron thresholds)', () => {
  it.each(MODES)('%s graph: identical counts and spikes', async (mode) => {
    const model = new NwaveModel(fixture('h1v2.nwave.json'));
    const instance = sampleChipInstance(model, seededRandom(chipSeed(4, 0)));
    expect(new Set(instance.layers[3].thresholds).size).toBeGreaterThan(10);
    const graph = buildSnnGraph(instance, 'h1v2_chip', { arithmetic: mode });
    const bytes = encodeModel({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      producerName: 'test',
      producerVersion: '0',
      domain: '',
      modelVersion: 1,
      docString: '',
      graph,
      metadataProps: [],
    });
    await onnxBackend.init();
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const batch = adversarialBatch(13, 16, 150, 5, 2 ** 12);
    const out = await session.run({ features: new ort.Tensor('int32', batch.features, [batch.batch, batch.steps, batch.channels]) });
    const js = await jsBackend.createSession(chipInstanceModel(model, instance));
    const ref = await js.runClips(batch, { outputSpikes: true });
    expect(Array.from(out.output_counts.data as Int32Array)).toEqual(Array.from(ref.outputCounts));
    expect(Array.from(out.layer_spikes.data as Int32Array)).toEqual(Array.from(ref.layerSpikes));
    expect(Array.from(out.output_spikes.data as Uint8Array)).toEqual(Array.from(ref.outputSpikes!));
    // The spread matters: the nominal chip answers differently on the same input.
    const nominal = await (await jsBackend.createSession(model)).runClips(batch);
    expect(Array.from(nominal.outputCounts)).not.toEqual(Array.from(ref.outputCounts));
    expect(ref.layerSpikes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await Promise.all([js.dispose(), session.release()]);
  });
});
