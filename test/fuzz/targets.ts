/**
 * Fuzz targets (issue 14): property-based tests with fast-check over the inputs a user controls.
 * Each target is an arbitrary plus a property that holds for EVERY input: the code under test
 * either succeeds with a result that is consistent and within limits, or throws the project's
 * own error naming the problem; never another exception (RangeError, TypeError...), never a
 * silently wrong result. The suite runs a few hundred cases per target (test/fuzz/fuzz.test.ts);
 * `npm run fuzz` runs a long campaign (scripts/fuzz.ts) and saves every failing input to
 * test/fuzz/failures/ for test/fuzz/regressions.test.ts to replay.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  AudioFormatError,
  CheckpointFormatError,
  InvalidArgumentError,
  MAX_CHANNELS,
  MAX_SAMPLE_RATE_HZ,
  MIN_SAMPLE_RATE_HZ,
  NwaveModel,
  makeDecisionContext,
  parseCheckpoint,
  withDetectorSettings,
  type Checkpoint,
} from '@nwave/runtime';
import { openWavStream } from '@nwave/runtime/node';
import { parseDetectorOptions } from '../../cli/src/detector-options.js';
import { parseEvalOptions } from '../../cli/src/commands/eval.js';
import { trainOptionsFromFlags } from '../../cli/src/commands/train-options.js';
import { checkNumber } from '../../cli/src/number-text.js';
import { decodeWav } from '@nwave/runtime/wav';
import { cleanupCompressedFuzzFiles, compressedTarget } from './compressed-target.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TONES = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/models/tones.nwave.json'), 'utf8')) as Checkpoint;

export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws (an assertion) when the property is broken for `input`. */
  property(input: T): void;
  /** Turns an input into JSON for the failures folder, and back. */
  toJSON(input: T): unknown;
  fromJSON(json: unknown): T;
}

/** Keys that reach Object.prototype when used as plain-object keys. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
] as const;

function fail(message: string): never {
  throw new Error(`property broken: ${message}`);
}

/** Runs `fn`; an error of one of `allowed` is fine, anything else breaks the property. */
function onlyThrows(allowed: (new (...a: never[]) => Error)[], fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (allowed.some((C) => e instanceof C)) return false;
    fail(`unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

// ---------------------------------------------------------------- WAV reader

/** A WAV file from fields (any values, including absurd ones), optionally mutated. */
export interface WavSpec {
  riff: 'RIFF' | 'RIFX';
  format: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign: number;
  fmtSize: number;
  extraChunk: number;
  dataSize: number | null;
  payload: number[];
  flips: [number, number][];
  truncate: number | null;
}

export function buildWav(s: WavSpec): Uint8Array {
  const le = s.riff === 'RIFF';
  const fmtBody = Math.max(0, s.fmtSize);
  const extra = s.extraChunk;
  const bytes = new Uint8Array(12 + (extra ? 8 + extra + (extra & 1) : 0) + 8 + fmtBody + 8 + s.payload.length);
  const v = new DataView(bytes.buffer);
  const put = (at: number, t: string) => [...t].forEach((c, i) => (bytes[at + i] = c.charCodeAt(0)));
  put(0, s.riff);
  v.setUint32(4, bytes.length - 8, le);
  put(8, 'WAVE');
  let at = 12;
  if (extra) {
    put(at, 'LIST');
    v.setUint32(at + 4, extra, le);
    at += 8 + extra + (extra & 1);
  }
  put(at, 'fmt ');
  v.setUint32(at + 4, fmtBody, le);
  const f = at + 8;
  if (fmtBody >= 2) v.setUint16(f, s.format, le);
  if (fmtBody >= 4) v.setUint16(f + 2, s.channels, le);
  if (fmtBody >= 8) v.setUint32(f + 4, s.rate >>> 0, le);
  if (fmtBody >= 12) v.setUint32(f + 8, ((s.rate * s.blockAlign) >>> 0) & 0xffffffff, le);
  if (fmtBody >= 14) v.setUint16(f + 12, s.blockAlign, le);
  if (fmtBody >= 16) v.setUint16(f + 14, s.bits, le);
  if (fmtBody >= 28) v.setUint32(f + 24, s.format === 0xfffe ? (s.bits === 32 && s.channels % 2 ? 3 : 1) : 0, le);
  at = f + fmtBody;
  put(at, 'data');
  v.setUint32(at + 4, s.dataSize ?? s.payload.length, le);
  bytes.set(s.payload, at + 8);
  for (const [i, b] of s.flips) bytes[i % bytes.length] = b;
  return s.truncate === null ? bytes : bytes.subarray(0, Math.min(bytes.length, s.truncate));
}

const wildWavSpec: fc.Arbitrary<WavSpec> = fc.record({
  riff: fc.constantFrom('RIFF' as const, 'RIFX' as const),
  format: fc.oneof(fc.constantFrom(1, 3, 0xfffe), fc.integer({ min: 0, max: 0xffff })),
  channels: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 0xffff })),
  rate: fc.oneof(
    fc.constantFrom(8000, 16000, 44100, 48000),
    fc.constantFrom(0, 1, 2, 3999, 4000, 384000, 384001, 2 ** 31, 2 ** 32 - 1),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  ),
  bits: fc.oneof(fc.constantFrom(8, 16, 24, 32, 64), fc.integer({ min: 0, max: 0xffff })),
  blockAlign: fc.oneof(fc.constantFrom(1, 2, 3, 4, 6, 8), fc.integer({ min: 0, max: 0xffff })),
  fmtSize: fc.oneof(fc.constantFrom(16, 18, 40), fc.integer({ min: 0, max: 64 })),
  extraChunk: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 33 })),
  dataSize: fc.oneof(fc.constant(null), fc.constant(0xffffffff), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  payload: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 600 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
  truncate: fc.oneof(fc.constant(null), fc.constant(null), fc.nat({ max: 800 })),
});

/** Well-formed headers (consistent block align, PCM/float pairs), sometimes damaged a little. */
const validWavSpec: fc.Arbitrary<WavSpec> = fc
  .record({
    kind: fc.constantFrom<[number, number]>([1, 8], [1, 16], [1, 24], [1, 32], [3, 32], [3, 64], [0xfffe, 16], [0xfffe, 32]),
    channels: fc.integer({ min: 1, max: 4 }),
    rate: fc.oneof(fc.constantFrom(4000, 8000, 16000, 22050, 44100, 48000, 384000), fc.integer({ min: 4000, max: 384000 })),
    riff: fc.constantFrom('RIFF' as const, 'RIFX' as const),
    extraChunk: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })),
    payload: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 600 }),
    damage: fc.oneof(
      fc.constant({ flips: [] as [number, number][], truncate: null as number | null, dataSize: null as number | null }),
      fc.record({
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
        truncate: fc.oneof(fc.constant(null), fc.nat({ max: 800 })),
        dataSize: fc.oneof(fc.constant(null), fc.constant(0xffffffff), fc.nat({ max: 1000 })),
      }),
    ),
  })
  .map(({ kind: [format, bits], channels, rate, riff, extraChunk, payload, damage }) => ({
    riff,
    format,
    channels: format === 0xfffe && bits === 32 ? 2 * Math.ceil(channels / 2) - 1 : channels, // odd: float subformat in buildWav
    rate,
    bits,
    blockAlign: 0,
    fmtSize: format === 0xfffe ? 40 : 16,
    extraChunk,
    payload,
    ...damage,
  }))
  .map((s) => ({ ...s, blockAlign: (s.bits / 8) * s.channels }));

const wavSpec: fc.Arbitrary<WavSpec> = fc.oneof(validWavSpec, wildWavSpec);

/** Consistency of a decoded result (rate and channels within limits, one sample per frame, no NaN from PCM). */
function checkDecoded(a: { sampleRateHz: number; channels: number; samples: Float32Array; durationS: number; bitDepth: string }): void {
  if (!(a.sampleRateHz >= MIN_SAMPLE_RATE_HZ && a.sampleRateHz <= MAX_SAMPLE_RATE_HZ)) fail(`rate ${a.sampleRateHz} accepted`);
  if (!(a.channels >= 1 && a.channels <= MAX_CHANNELS)) fail(`${a.channels} channels accepted`);
  if (Math.abs(a.durationS - a.samples.length / a.sampleRateHz) > 1e-9) fail('duration does not match the samples');
  if (!a.bitDepth.endsWith('f') && a.bitDepth !== '64')
    for (const x of a.samples) if (!(x >= -1 && x < 1)) fail(`PCM sample ${x} outside [-1, 1)`);
}

let tmpDir: string | null = null;
function tmpFile(bytes: Uint8Array): string {
  tmpDir ??= mkdtempSync(path.join(os.tmpdir(), 'nwave-fuzz-'));
  const f = path.join(tmpDir, 'f.wav');
  writeFileSync(f, bytes);
  return f;
}
export function cleanupFuzzFiles(): void {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = null;
  cleanupCompressedFuzzFiles();
}

/** Whole-file decoder and streaming reader: both accept or both refuse, and give the same samples. */
export const wavTarget: FuzzTarget<WavSpec> = {
  name: 'wav-reader',
  arbitrary: wavSpec,
  property(spec) {
    const bytes = buildWav(spec);
    let whole: ReturnType<typeof decodeWav> | null = null;
    let wholeError: Error | null = null;
    try {
      whole = decodeWav(bytes, 'fuzz.wav');
      checkDecoded(whole);
    } catch (e) {
      if (!(e instanceof AudioFormatError))
        throw e instanceof Error && e.message.startsWith('property') ? e : fail(`decodeWav threw ${String(e)}`);
      wholeError = e;
    }
    const file = tmpFile(bytes);
    let streamed: Float32Array | null = null;
    try {
      const s = openWavStream(file);
      try {
        const out = new Float32Array(s.frames);
        for (let at = 0, b = s.read(97); b.length > 0; at += b.length, b = s.read(97)) out.set(b, at);
        streamed = out;
        checkDecoded({ ...s, samples: out });
      } finally {
        s.close();
      }
    } catch (e) {
      if (!(e instanceof AudioFormatError))
        throw e instanceof Error && e.message.startsWith('property') ? e : fail(`openWavStream threw ${String(e)}`);
      if (!e.message.startsWith(`${file}: `)) fail(`stream error does not name the file: ${e.message}`);
    }
    // Both readers agree whenever the whole-file decoder accepts (the streaming reader is the
    // stricter one on odd chunk layouts, which is fine: it then refuses with a clear message).
    if (whole && streamed) {
      if (whole.samples.length !== streamed.length) fail(`${whole.samples.length} vs ${streamed.length} samples`);
      for (let i = 0; i < streamed.length; i++)
        if (!Object.is(whole.samples[i], streamed[i])) fail(`sample ${i}: ${whole.samples[i]} vs ${streamed[i]}`);
    }
    if (wholeError && streamed && streamed.length > 0 && !/truncated|corrupt|no "(fmt |data)" chunk/.test(wholeError.message))
      fail(`stream accepted what decodeWav refused: ${wholeError.message}`);
  },
  toJSON: (s) => s,
  fromJSON: (j) => j as WavSpec,
};

// ---------------------------------------------------------------- checkpoint loader

/** A JSON path and a replacement value (or deletion), applied to the tones checkpoint. */
export interface CheckpointMutation {
  edits: { path: (string | number)[]; value: unknown; remove: boolean }[];
}

const leafPaths: (string | number)[][] = [];
(function walk(v: unknown, p: (string | number)[]) {
  if (Array.isArray(v)) {
    leafPaths.push(p);
    v.slice(0, 3).forEach((x, i) => walk(x, [...p, i]));
  } else if (v && typeof v === 'object') {
    leafPaths.push(p);
    for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...p, k]);
  } else leafPaths.push(p);
})(TONES, []);

const interesting = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1e308, -1e-308, 3600, 1e-9, 2 ** 31, '', '__proto__', 'constructor', null, [], {}),
  fc.constantFrom(...PROTOTYPE_KEYS).map((k) => ({ [k]: 0.5 })),
  fc.constantFrom(...PROTOTYPE_KEYS).map((k) => JSON.parse(`{"${k}": 0.5}`) as unknown),
);

const mutation: fc.Arbitrary<CheckpointMutation> = fc.record({
  edits: fc.array(
    fc.record({
      path: fc.oneof(
        fc.constantFrom(...leafPaths),
        fc.constantFrom(...leafPaths).chain((p) => fc.constantFrom(...PROTOTYPE_KEYS, 'extra').map((k) => [...p, k])),
      ),
      value: interesting,
      remove: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

export function applyMutation(m: CheckpointMutation): unknown {
  const root = JSON.parse(JSON.stringify(TONES)) as Record<string, unknown>;
  for (const e of m.edits) {
    if (e.path.length === 0) continue;
    let node: unknown = root;
    for (const k of e.path.slice(0, -1))
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k as string] : undefined;
    if (!node || typeof node !== 'object') continue;
    const key = e.path.at(-1)!;
    // defineProperty: "__proto__" becomes an own key, as JSON.parse makes it.
    if (e.remove && !Array.isArray(node)) delete (node as Record<string, unknown>)[key as string];
    else Object.defineProperty(node, key, { value: e.value, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

export const checkpointTarget: FuzzTarget<CheckpointMutation> = {
  name: 'checkpoint-loader',
  arbitrary: mutation,
  property(m) {
    const text = JSON.stringify(applyMutation(m));
    let ck: Checkpoint | undefined;
    onlyThrows([CheckpointFormatError], () => void (ck = parseCheckpoint(text, 'fuzz.nwave.json')));
    if (!ck) return;
    // Accepted: the model compiles and classifies a short clip; only the project's errors may
    // stop it (an unknown chip profile, constraint reports are not exceptions).
    let model: NwaveModel | undefined;
    onlyThrows([CheckpointFormatError, InvalidArgumentError], () => void (model = new NwaveModel(ck!, 'fuzz.nwave.json')));
    if (!model) return;
    const r = model.classify(new Float32Array(1600), ck.filterbank.sampleRateHz);
    if (!(r.confidence >= 0 && r.confidence <= 1)) fail(`confidence ${r.confidence}`);
    const labels = ck.labels;
    const per = ck.detector.labelThresholds ?? {};
    const ctx = makeDecisionContext(labels, ck.backgroundLabels, ck.detector);
    labels.forEach((l, i) => {
      const want = Object.hasOwn(per, l) ? per[l] : ck!.detector.threshold;
      if (ctx.thresholds[i] !== want) fail(`threshold of "${l}" is ${ctx.thresholds[i]}, expected ${want}`);
    });
  },
  toJSON: (m) => m,
  fromJSON: (j) => j as CheckpointMutation,
};

// ---------------------------------------------------------------- CLI flag parsers

export interface FlagInput {
  which: 'detector' | 'train' | 'eval' | 'number';
  values: Record<string, string>;
}

const flagText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('0', '1', '-1', '1e9', '1e308', 'NaN', 'Infinity', '0x10', ' 5 ', '', '.5', '5.', '1e-400', '4O', '2.5'),
  fc.double().map(String),
  fc.integer().map(String),
);
const labelPair = fc
  .tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'yes', 'no'), fc.string({ maxLength: 6 })), flagText)
  .map(([l, x]) => `${l}=${x}`);

const flagInput: fc.Arbitrary<FlagInput> = fc.oneof(
  fc.record({
    which: fc.constant('detector' as const),
    values: fc.record(
      {
        threshold: flagText,
        labelThreshold: fc.array(labelPair, { minLength: 1, maxLength: 3 }).map((a) => a.join(',')),
        minSpikes: flagText,
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    which: fc.constant('train' as const),
    values: fc.record(
      {
        epochs: flagText,
        hidden: fc.oneof(
          flagText,
          fc.array(flagText, { maxLength: 10 }).map((a) => a.join(',')),
        ),
        batchSize: flagText,
        lr: flagText,
        seed: flagText,
        augment: flagText,
        valSplit: flagText,
        population: flagText,
        patience: flagText,
        tauRange: fc.tuple(flagText, flagText).map(([a, b]) => `${a},${b}`),
        out: fc.oneof(fc.constantFrom('', '/', '.', 'm.nwave.json', 'sub/', '/proc/x.json'), fc.string({ maxLength: 8 })),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    which: fc.constant('eval' as const),
    values: fc.record(
      { chips: flagText, mismatchClips: flagText, mismatchLevels: flagText, streamHours: flagText, seed: flagText, maxClips: flagText },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ which: fc.constant('number' as const), values: fc.record({ text: flagText }) }),
);

export const flagTarget: FuzzTarget<FlagInput> = {
  name: 'cli-flags',
  arbitrary: flagInput,
  property({ which, values }) {
    const v = values as Record<string, string>;
    if (which === 'number') {
      const x = checkNumber(v.text);
      if (x !== undefined && !Number.isFinite(x)) fail(`checkNumber("${v.text}") = ${x}`);
      return;
    }
    if (which === 'detector') {
      let r: ReturnType<typeof parseDetectorOptions> | undefined;
      onlyThrows([InvalidArgumentError], () => void (r = parseDetectorOptions(v)));
      if (!r) return;
      if (r.threshold !== undefined && !(r.threshold >= 0 && r.threshold <= 1)) fail(`threshold ${r.threshold}`);
      if (v.labelThreshold !== undefined) {
        // Every pair given is kept as an own key (none dropped into the prototype).
        const given = v.labelThreshold.split(',').map((p) => p.split('=')[0].trim());
        for (const l of given) if (!Object.hasOwn(r.labelThresholds!, l)) fail(`label "${l}" dropped`);
      }
      // Applied to a model: a label it does not have is an error, never ignored.
      onlyThrows([InvalidArgumentError], () => {
        const ck = withDetectorSettings(TONES, r!);
        for (const l of Object.keys(ck.detector.labelThresholds ?? {})) if (!ck.labels.includes(l)) fail(`unknown label "${l}" kept`);
      });
      return;
    }
    if (which === 'train') {
      let r: ReturnType<typeof trainOptionsFromFlags> | undefined;
      onlyThrows(
        [InvalidArgumentError],
        () => void (r = trainOptionsFromFlags({ data: 'd', words: 'yes', out: 'm.nwave.json', ...v }, 'nwave train', () => ({}))),
      );
      if (!r) return;
      for (const h of r.config?.hidden ?? []) if (!(Number.isInteger(h) && h >= 1 && h <= 4096)) fail(`hidden ${h}`);
      if (!(Number.isInteger(r.epochs) && r.epochs >= 1 && r.epochs <= 100_000)) fail(`epochs ${r.epochs}`);
      if (r.config?.batchSize !== undefined && !(r.config.batchSize <= 4096)) fail(`batch ${r.config.batchSize}`);
      if (r.out.trim() === '') fail('empty --out accepted');
      return;
    }
    let r: ReturnType<typeof parseEvalOptions> | undefined;
    onlyThrows([InvalidArgumentError], () => void (r = parseEvalOptions({ data: 'd', ...v })));
    if (!r) return;
    if (r.chips !== undefined && !(r.chips <= 10_000)) fail(`chips ${r.chips}`);
    for (const x of [r.chips, r.mismatchClips, r.streamHours, r.seed, r.maxClips]) if (x !== undefined && !Number.isFinite(x)) fail(`${x}`);
  },
  toJSON: (i) => i,
  fromJSON: (j) => j as FlagInput,
};

// ---------------------------------------------------------------- detector settings

export interface DetectorInput {
  labels: string[];
  overrides: Record<string, unknown>;
  counts: number[];
}

const label = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ minLength: 1, maxLength: 8 }));
const detectorInput: fc.Arbitrary<DetectorInput> = fc.uniqueArray(label, { minLength: 2, maxLength: 4 }).chain((labels) =>
  fc.record({
    labels: fc.constant(labels),
    overrides: fc.record(
      {
        threshold: fc.oneof(fc.double({ min: -1, max: 2, noNaN: false }), fc.constantFrom(0, 0.5, 0.99, 1)),
        labelThresholds: fc
          .array(fc.tuple(fc.oneof(fc.constantFrom(...labels), label), fc.double({ min: -0.5, max: 1.5 })), { maxLength: 3 })
          .map((pairs) => Object.fromEntries(pairs)),
        minSpikes: fc.oneof(fc.integer({ min: -2, max: 50 }), fc.double()),
        countScale: fc.oneof(fc.double({ min: -1, max: 200 }), fc.constant(1)),
      },
      { requiredKeys: [] },
    ),
    counts: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: labels.length, maxLength: labels.length }),
  }),
);

/** Checkpoint shaped for `labels` (tones network with its output layer relabelled by population). */
function withLabels(labels: string[]): Checkpoint {
  const ck = JSON.parse(JSON.stringify(TONES)) as Checkpoint;
  return {
    ...ck,
    labels: labels.slice(0, ck.labels.length).concat(labels.length < ck.labels.length ? ck.labels.slice(labels.length) : []),
    backgroundLabels: [],
    detector: { ...ck.detector, labelThresholds: undefined },
  };
}

export const detectorTarget: FuzzTarget<DetectorInput> = {
  name: 'detector-settings',
  arbitrary: detectorInput,
  property({ labels, overrides, counts }) {
    const base = withLabels(labels);
    if (new Set(base.labels).size !== base.labels.length) return;
    let ck: Checkpoint | undefined;
    onlyThrows([InvalidArgumentError], () => void (ck = withDetectorSettings(base, overrides)));
    if (!ck) return;
    const d = ck.detector;
    if (!(d.threshold >= 0 && d.threshold <= 1)) fail(`threshold ${d.threshold} accepted`);
    for (const [l, x] of Object.entries(d.labelThresholds ?? {})) {
      if (!ck.labels.includes(l)) fail(`threshold for unknown label "${l}"`);
      if (!(x >= 0 && x <= 1)) fail(`threshold ${x} for "${l}"`);
    }
    // The decision: every label gets exactly its own threshold, or the global one.
    const ctx = makeDecisionContext(ck.labels, ck.backgroundLabels, d);
    ck.labels.forEach((l, i) => {
      const own = d.labelThresholds && Object.hasOwn(d.labelThresholds, l) ? d.labelThresholds[l] : d.threshold;
      if (ctx.thresholds[i] !== own) fail(`label "${l}": threshold ${ctx.thresholds[i]}, expected ${own}`);
    });
    // Round trip through the file format keeps the settings (no key lost on the way).
    if (ck.labels.includes('__proto__')) {
      // Such a label cannot survive as a JSON key: the file format refuses it, with a message.
      if (onlyThrows([CheckpointFormatError], () => parseCheckpoint(JSON.stringify(ck), 'fuzz'))) fail('label "__proto__" saved');
      return;
    }
    const again = parseCheckpoint(JSON.stringify(ck), 'fuzz');
    if (JSON.stringify(again.detector) !== JSON.stringify(d)) fail('detector settings changed by save + load');
    void counts;
  },
  toJSON: (i) => i,
  fromJSON: (j) => j as DetectorInput,
};

export const TARGETS = [wavTarget, compressedTarget, checkpointTarget, flagTarget, detectorTarget] as FuzzTarget<unknown>[];
