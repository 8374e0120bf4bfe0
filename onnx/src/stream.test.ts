/**
 * Streaming on the onnx backend chunk by chunk (the `carryState` graph: membranes and recurrent
 * spikes carried from one session run to the next): the same detections, counts and layer
 * spikes as the JS runtime over the whole recording, whatever the chunk sizes, in both
 * arithmetic encodings; and `nwave detect --backend onnx --stream` on a long file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NwaveModel, SessionStreamer, jsBackend, streamFeatures, type Checkpoint, type FeatureClip } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { exportOnnx, onnxBackend, onnxBackendOptions } from './index.js';
import { stateNames } from './snn-graph.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const CLIPS_DIR = path.join(ROOT, 'test', 'fixtures', 'audio', 'speech-commands');
const WAVS = readdirSync(CLIPS_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => path.join(CLIPS_DIR, f));
const fixture = (name: string): Checkpoint => JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/models', name), 'utf8'));

/** Features of 12 real clips back to back (~12 s, 1,500 steps) as one recording. */
function recording(model: NwaveModel): FeatureClip & { data: Float32Array } {
  const parts = WAVS.slice(0, 12).map((f) => {
    const a = readWavFile(f);
    return model.features(a.samples, a.sampleRateHz);
  });
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  parts.reduce((at, p) => (data.set(p.data, at), at + p.data.length), 0);
  return { data, frames: parts.reduce((n, p) => n + p.frames, 0) };
}

async function chunked(model: NwaveModel, rec: FeatureClip & { data: Float32Array }, sizes: number[], backend = onnxBackend) {
  const session = await backend.createSession(model);
  const channels = model.fixedPoint.layers[0].size;
  try {
    const s = await SessionStreamer.open(session, model);
    for (let t = 0, k = 0; t < rec.frames; k++) {
      const n = Math.min(sizes[k % sizes.length], rec.frames - t);
      await s.push({ data: rec.data.subarray(t * channels, (t + n) * channels), frames: n });
      t += n;
    }
    return await s.finish();
  } finally {
    await session.dispose();
  }
}

describe('onnx streaming graph with carried state', () => {
  it('declares the state inputs and outputs, one per layer membrane and per recurrent layer', () => {
    const ck = fixture('recurrent.nwave.json');
    const e = exportOnnx(ck, { carryState: true, allowViolations: true });
    const names = stateNames(e.fixedPoint);
    expect(names.inputs).toEqual(['state_in_v_0', 'state_in_v_1', 'state_in_v_2', 'state_in_r_1']);
    expect(e.metadata.graph.inputs).toEqual(['features', ...names.inputs]);
    expect(e.metadata.graph.outputs.slice(3)).toEqual(names.outputs);
    // The file for other tools is unchanged: no state I/O.
    expect(exportOnnx(ck, { allowViolations: true }).metadata.graph.inputs).toEqual(['features']);
  });

  for (const [name, file] of [
    ['recurrent fixture (13-24r-3)', 'recurrent.nwave.json'],
    ['H1v2 fixture (subtractive reset, recurrent)', 'h1v2.nwave.json'],
  ] as const) {
    it.each(['float64', 'int64'] as const)(
      `${name}, %s: chunks of 1, 37, 250 and 1000 steps equal the JS runtime's one pass`,
      async (mode) => {
        const model = new NwaveModel(fixture(file));
        const rec = recording(model);
        const js = await jsBackend.createSession(model);
        const whole = await streamFeatures(js, model, rec);
        await js.dispose();
        expect(whole.steps).toBeGreaterThan(1000);
        const before = onnxBackendOptions.arithmetic;
        onnxBackendOptions.arithmetic = mode;
        try {
          await onnxBackend.init();
          for (const sizes of [[1000], [37, 250, 1]]) {
            const r = await chunked(model, rec, sizes);
            expect(r).toEqual(whole);
          }
        } finally {
          onnxBackendOptions.arithmetic = before;
        }
        // The js backend's own stream gives the same too.
        expect(await chunked(model, rec, [333], jsBackend)).toEqual(whole);
      },
    );
  }

  it('a session made from given model bytes cannot stream (clear error); the CLI then runs the recording whole', async () => {
    const model = new NwaveModel(fixture('tones.nwave.json'));
    const bytes = exportOnnx(model.checkpoint, { allowViolations: true }).bytes;
    const session = await onnxBackend.createSession(model, { modelBytes: bytes });
    try {
      await expect(SessionStreamer.open(session, model)).rejects.toThrow(/modelBytes cannot stream/);
    } finally {
      await session.dispose();
    }
  });
});
