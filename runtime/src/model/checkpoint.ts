/**
 * Parsing, semantic validation and serialisation of `*.nwave.json` checkpoints. Every failure is
 * a CheckpointFormatError whose message starts with the file name and names the field.
 */
import { CheckpointFormatError } from '../errors.js';
import { maxCode } from './quantization.js';
import { clipWorkProblem } from './work-limits.js';
import {
  CHECKPOINT_FORMAT,
  READABLE_CHECKPOINT_VERSIONS,
  checkpointSchema,
  SCHEMA_PARSE_OPTIONS,
  type Checkpoint,
} from './checkpoint-schema.js';

/** Refuse files above this size before parsing (a checkpoint of 4 x 64 neurons is ~100 kB). */
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

function fail(source: string, field: string, problem: string, extra: Record<string, unknown> = {}): never {
  const where = field ? ` (at ${field})` : '';
  throw new CheckpointFormatError(`${source}: ${problem}${where}`, { file: source, field, ...extra });
}

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Path of the first own `__proto__` key in parsed JSON (JSON.parse keeps it; zod would drop it). */
function findProtoKey(v: unknown, at: string): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) {
    // Number arrays (weight codes) are long: only arrays holding objects need the walk.
    for (let i = 0; i < v.length; i++)
      if (typeof v[i] === 'object') {
        const r = findProtoKey(v[i], `${at}[${i}]`);
        if (r !== undefined) return r;
      }
    return undefined;
  }
  for (const k of Object.keys(v)) {
    const path = at ? `${at}.${k}` : k;
    if (k === '__proto__') return path;
    const r = findProtoKey((v as Record<string, unknown>)[k], path);
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * Parses checkpoint JSON text (or an already-parsed value) into a validated Checkpoint.
 * @param source name shown in errors, usually the file path.
 * @throws CheckpointFormatError naming the source and the problem.
 */
export function parseCheckpoint(input: string | unknown, source = '<checkpoint>'): Checkpoint {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_CHECKPOINT_BYTES) fail(source, '', `file too large (${input.length} bytes, limit ${MAX_CHECKPOINT_BYTES})`);
    if (input.trim() === '') fail(source, '', 'file is empty');
    try {
      value = JSON.parse(input);
    } catch (e) {
      fail(source, '', `not valid JSON (${(e as Error).message}); the file may be truncated`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, '', 'expected a JSON object');
  const obj = value as Record<string, unknown>;
  if (obj.format !== CHECKPOINT_FORMAT)
    fail(source, 'format', `not an nwave checkpoint (format is ${JSON.stringify(obj.format)}, expected "${CHECKPOINT_FORMAT}")`);
  if (typeof obj.version !== 'number' || !READABLE_CHECKPOINT_VERSIONS.includes(obj.version)) {
    fail(
      source,
      'version',
      `unsupported checkpoint version ${JSON.stringify(obj.version)}; this runtime reads versions ${READABLE_CHECKPOINT_VERSIONS.join(' and ')}`,
    );
  }
  const protoKey = findProtoKey(value, '');
  if (protoKey !== undefined) fail(source, protoKey, 'the key "__proto__" is not allowed (it would be silently dropped)');
  const parsed = checkpointSchema.safeParse(value, SCHEMA_PARSE_OPTIONS);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const more = parsed.error.issues.length > 1 ? ` (+${parsed.error.issues.length - 1} more problems)` : '';
    fail(source, pathOf(issue.path), `${issue.message}${more}`);
  }
  checkSemantics(parsed.data, source);
  const work = clipWorkProblem(parsed.data);
  if (work) fail(source, work.field, work.problem);
  return parsed.data;
}

/** Cross-field checks: layer chaining, array lengths, code ranges, label consistency. */
function checkSemantics(ck: Checkpoint, source: string): void {
  const labels = new Set(ck.labels);
  if (labels.size !== ck.labels.length) fail(source, 'labels', 'labels must be unique');
  for (const b of ck.backgroundLabels) if (!labels.has(b)) fail(source, 'backgroundLabels', `"${b}" is not one of the labels`);
  for (const k of Object.keys(ck.detector.labelThresholds ?? {})) {
    if (!labels.has(k)) fail(source, 'detector.labelThresholds', `"${k}" is not one of the labels`);
  }
  for (const k of Object.keys(ck.detector.countGains ?? {})) {
    if (!labels.has(k)) fail(source, 'detector.countGains', `"${k}" is not one of the labels`);
  }
  const fb = ck.filterbank;
  const binSamples = fb.binS * fb.sampleRateHz;
  if (Math.abs(binSamples - Math.round(binSamples)) > 1e-6) {
    fail(source, 'filterbank.binS', `binS x sampleRateHz must be a whole number of samples (got ${binSamples})`);
  }
  fb.centerFrequenciesHz.forEach((f, i) => {
    if (f >= fb.sampleRateHz / 2)
      fail(source, `filterbank.centerFrequenciesHz[${i}]`, `${f} Hz is at or above Nyquist (${fb.sampleRateHz / 2} Hz)`);
  });
  const layers = ck.network.layers;
  let prevSize = fb.centerFrequenciesHz.length;
  layers.forEach((layer, i) => {
    const at = `network.layers[${i}]`;
    if (i === 0 && layer.type !== 'frontend') fail(source, `${at}.type`, 'the first layer must be the frontend');
    if (i > 0 && layer.type !== 'dense') fail(source, `${at}.type`, 'only the first layer may be a frontend');
    const expectedInputs = prevSize;
    const inputs = layer.type === 'dense' ? layer.inputs : layer.size;
    if (inputs !== expectedInputs) {
      const what = i === 0 ? 'filterbank channels' : `size of ${layers[i - 1].name}`;
      fail(source, layer.type === 'dense' ? `${at}.inputs` : `${at}.size`, `expected ${expectedInputs} (${what}), got ${inputs}`);
    }
    const nCodes = layer.type === 'dense' ? layer.inputs * layer.size : layer.size;
    if (layer.weights.codes.length !== nCodes) {
      fail(
        source,
        `${at}.weights.codes`,
        `expected ${nCodes} codes (${layer.type === 'dense' ? `${layer.inputs} x ${layer.size}` : layer.size}), got ${layer.weights.codes.length}`,
      );
    }
    checkCodeRange(source, `${at}.weights`, layer.weights);
    if (layer.type === 'dense' && layer.recurrentWeights) {
      const rec = layer.recurrentWeights;
      if (ck.version < 2)
        fail(source, `${at}.recurrentWeights`, `recurrent weights need checkpoint version 2 (the file says version ${ck.version})`);
      const n = layer.size * layer.size;
      if (rec.codes.length !== n)
        fail(source, `${at}.recurrentWeights.codes`, `expected ${n} codes (${layer.size} x ${layer.size}), got ${rec.codes.length}`);
      checkCodeRange(source, `${at}.recurrentWeights`, rec);
    }
    const taus = layer.neuron.tausS;
    if (Array.isArray(taus) && taus.length !== layer.size)
      fail(source, `${at}.neuron.tausS`, `expected 1 or ${layer.size} time constants, got ${taus.length}`);
    if (Math.abs(layer.neuron.dtS - fb.binS) > 1e-9)
      fail(source, `${at}.neuron.dtS`, `dtS ${layer.neuron.dtS} must equal the filterbank bin ${fb.binS}`);
    prevSize = layer.size;
  });
  const pop = ck.network.outputPopulation ?? 1;
  if (prevSize !== ck.labels.length * pop) {
    fail(source, 'labels', `${ck.labels.length} labels${pop > 1 ? ` x population ${pop}` : ''} for ${prevSize} output neurons`);
  }
}

function checkCodeRange(source: string, at: string, w: { bits: number; codes: number[] }): void {
  const lim = maxCode(w.bits);
  const bad = w.codes.findIndex((c) => c > lim || c < -lim);
  if (bad >= 0) fail(source, `${at}.codes[${bad}]`, `code ${w.codes[bad]} outside ±${lim} for ${w.bits} bits`);
}

/**
 * Serialises a checkpoint as readable JSON: two-space indentation, but number arrays (weight
 * codes, taus, frequencies) kept on one line so that the file stays small and diffable.
 */
export function serializeCheckpoint(ck: Checkpoint): string {
  const text = JSON.stringify(ck, null, 2);
  return text.replace(/\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]/g, (_m, body: string) => `[${body.split(/,\s*/).join(', ')}]`) + '\n';
}
