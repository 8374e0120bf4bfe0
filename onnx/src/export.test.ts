import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointFormatError, ConstraintError, describeLayers, serializeCheckpoint, type Checkpoint } from '@nwave/runtime';
// Relative: the benchmark helpers (bench/) are repo-level tooling, not a workspace package.
import { tutorialSizeCheckpoint } from '../../bench/bench-utils.js';
import { exportOnnx, readOnnxMetadata } from './index.js';
import { exportOnnxFile, readOnnxFile } from './node.js';
import { decodeModel, encodeModel, ModelProtoType } from './onnx-proto.js';

let dir = '';
const file = (name: string) => path.join(dir, name);
const good = tutorialSizeCheckpoint(5);

/** Mixed-sign group in the hidden layer and 6-bit synapses: two chip rules broken. */
function nonCompliant(): Checkpoint {
  const ck = structuredClone(good);
  const hidden = ck.network.layers[1];
  hidden.weights.codes[0] = 3; // input 0 -> neurons 0 and 1: same group of 5, opposite signs
  hidden.weights.codes[1] = -3;
  hidden.weights.bits = 6;
  return ck;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-onnx-'));
  writeFileSync(file('good.nwave.json'), serializeCheckpoint(good));
  writeFileSync(file('truncated.nwave.json'), serializeCheckpoint(good).slice(0, 300));
  const wrongShape = structuredClone(good) as { network: { layers: { weights: { codes: number[] } }[] } };
  wrongShape.network.layers[1].weights.codes.pop();
  writeFileSync(file('wrong-shape.nwave.json'), JSON.stringify(wrongShape));
  writeFileSync(file('bad-chip.nwave.json'), JSON.stringify({ ...good, chipProfile: 'h9-unknown' }));
  writeFileSync(
    file('overflow.nwave.json'),
    JSON.stringify({ ...good, network: { ...good.network, arithmetic: { membraneFracBits: 24, inputFracBits: 8, leakFracBits: 16 } } }),
  );
  writeFileSync(file('non-compliant.nwave.json'), serializeCheckpoint(nonCompliant()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportOnnx errors', () => {
  it.each([
    ['missing.nwave.json', /missing\.nwave\.json: file not found/],
    ['truncated.nwave.json', /truncated\.nwave\.json: not valid JSON/],
    ['wrong-shape.nwave.json', /wrong-shape\.nwave\.json: expected 832 codes .*network\.layers\[1\]\.weights\.codes/],
    ['bad-chip.nwave.json', /bad-chip\.nwave\.json: unknown chip profile "h9-unknown"/],
    ['overflow.nwave.json', /overflow\.nwave\.json: .*membraneFracBits 24 too large/],
  ])('%s: CheckpointFormatError naming the file, nothing written', async (name, message) => {
    const err = await exportOnnxFile(file(name), file(`${name}.onnx`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointFormatError);
    expect((err as Error).message).toMatch(message);
    expect((err as CheckpointFormatError).context.file).toBe(file(name));
    expect(readdirSync(dir).filter((f) => f.includes('.onnx'))).toEqual([]);
  });

  it('non-compliant: ConstraintError listing every violation, unless allowViolations', async () => {
    const err = await exportOnnxFile(file('non-compliant.nwave.json'), file('nc.onnx')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConstraintError);
    const rules = (err as ConstraintError).violations.map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['quantization-grid', 'sign-groups']));
    expect((err as Error).message).toMatch(/non-compliant\.nwave\.json: not compliant with chip profile h1v1-estimate/);
    expect((err as Error).message).toMatch(/\[sign-groups\] hidden: 1 mixed-sign groups/);
    expect((err as Error).message).toMatch(/--allow-violations/);
    expect(readdirSync(dir).filter((f) => f.includes('.onnx'))).toEqual([]);

    const ok = await exportOnnxFile(file('non-compliant.nwave.json'), file('nc.onnx'), { allowViolations: true });
    expect(ok.metadata.violations.map((v) => v.rule).sort()).toEqual([...rules].sort());
    expect((await readOnnxFile(file('nc.onnx'))).metadata.violations).toEqual(ok.metadata.violations);
    rmSync(file('nc.onnx'));
  });

  it('accepts JSON text and objects alike, and names the source for in-memory input', () => {
    expect(exportOnnx(serializeCheckpoint(good)).bytes).toEqual(exportOnnx(good).bytes);
    expect(() => exportOnnx('{"format": "nwave-checkpoint"', { source: 'upload.json' })).toThrow(/^upload\.json: not valid JSON/);
    expect(() => exportOnnx({ format: 'other' })).toThrow(CheckpointFormatError);
  });
});

describe('metadata and file round trip', () => {
  it('reads back every metadata field and the embedded checkpoint', async () => {
    const out = file('good.onnx');
    const exported = await exportOnnxFile(file('good.nwave.json'), out);
    const back = await readOnnxFile(out);
    expect(back.bytes).toEqual(exported.bytes);
    expect(back.metadata).toEqual(exported.metadata);
    expect(back.checkpoint).toEqual(good);
    expect(back.metadata).toMatchObject({
      format: 'nwave-onnx',
      formatVersion: 1,
      name: 'bench-13-64-2',
      labels: good.labels,
      backgroundLabels: good.backgroundLabels,
      filterbank: good.filterbank,
      detector: good.detector,
      checkpointVersion: 2,
      arithmetic: {
        membraneFracBits: 16,
        inputFracBits: 8,
        leakFracBits: 16,
        thresholdInt: 65536,
        encoding: 'float64',
      },
      graph: { form: 'scan', inputs: ['features'], outputs: ['output_counts', 'layer_spikes', 'output_spikes'] },
      violations: [],
    });
    expect(back.metadata.arithmetic).not.toHaveProperty('float64LeakLayers');
    expect(back.metadata.layers.map((l) => l.size)).toEqual([13, 64, 2]);
    expect(back.metadata.layers).toEqual(
      describeLayers(good).map(({ name, type, inputs, size, bits, wMax }) => ({ name, type, inputs, size, bits, wMax, recurrent: false })),
    );
    const model = decodeModel(back.bytes);
    expect(model).toMatchObject({ irVersion: 8, opsetImport: [{ version: 17 }], producerName: 'nwave-ts' });
  });

  it('reads files from earlier exporters that list float64LeakLayers in the arithmetic', () => {
    const current = exportOnnx(good, { arithmetic: 'int64' });
    const model = decodeModel(current.bytes);
    const old = encodeModel({
      ...model,
      metadataProps: model.metadataProps!.map((p) =>
        p.key === 'nwave.arithmetic' ? { ...p, value: JSON.stringify({ ...current.metadata.arithmetic, float64LeakLayers: [] }) } : p,
      ),
    });
    const back = readOnnxMetadata(old, 'old.onnx');
    expect(back.metadata).toEqual({ ...current.metadata, arithmetic: { ...current.metadata.arithmetic, float64LeakLayers: [] } });
    expect(back.checkpoint).toEqual(good);
  });

  it('marks recurrent layers in the metadata and carries their last spikes as Scan state', () => {
    const rec = readFileSync(new URL('../../test/fixtures/models/recurrent-deep.nwave.json', import.meta.url), 'utf8');
    const { metadata, bytes } = exportOnnx(rec, { source: 'recurrent-deep.nwave.json' });
    expect(metadata.checkpointVersion).toBe(2);
    expect(metadata.layers.map((l) => [l.name, l.recurrent])).toEqual([
      ['frontend', false],
      ['hidden1', true],
      ['hidden2', true],
      ['hidden3', true],
      ['output', false],
    ]);
    const scan = decodeModel(bytes).graph!.node!.find((n) => n.opType === 'Scan')!;
    // v and c per layer (5 + 5), r per recurrent layer (3), then the features.
    expect(scan.input).toHaveLength(14);
    expect(scan.output).toHaveLength(14);
  });

  it('exports deterministically (same checkpoint, same bytes)', () => {
    expect(exportOnnx(good).bytes).toEqual(exportOnnx(structuredClone(good)).bytes);
  });

  it('writes atomically: replaces an existing file whole, leaves no temporary files', async () => {
    const out = file('replace.onnx');
    writeFileSync(out, 'old content');
    await exportOnnxFile(file('good.nwave.json'), out);
    expect(readOnnxMetadata(readFileSync(out), out).metadata.name).toBe('bench-13-64-2');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses bytes that are not an nwave ONNX export', async () => {
    expect(() => readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff]), 'junk.onnx')).toThrow(/^junk\.onnx: not an ONNX model/);
    const foreign = encodeModel({ ...decodeModel(exportOnnx(good).bytes), metadataProps: [{ key: 'author', value: 'someone' }] });
    expect(() => readOnnxMetadata(foreign, 'foreign.onnx')).toThrow(/^foreign\.onnx: not an nwave ONNX export/);
    await expect(readOnnxFile(file('absent.onnx'))).rejects.toThrow(/absent\.onnx: cannot read \(ENOENT\)/);
  });
});

describe('encodeModel', () => {
  it('writes, without eval (strict CSP), the same bytes as protobufjs generated encoder', () => {
    for (const arithmetic of ['float64', 'int64'] as const) {
      const bytes = exportOnnx(good, { arithmetic }).bytes;
      const model = decodeModel(bytes);
      const reference = new Uint8Array(ModelProtoType.encode(ModelProtoType.fromObject(model)).finish());
      expect(Buffer.from(encodeModel(model)).equals(Buffer.from(reference))).toBe(true);
      expect(Buffer.from(bytes).equals(Buffer.from(reference))).toBe(true);
    }
    expect(() => encodeModel({ ...decodeModel(exportOnnx(good).bytes), producerName: 3 as unknown as string })).toThrow(
      /producerName: string expected/,
    );
  });
});
