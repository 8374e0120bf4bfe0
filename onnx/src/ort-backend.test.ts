import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyClips,
  computeFeatures,
  detectStream,
  InvalidArgumentError,
  jsBackend,
  listBackends,
  NwaveModel,
  packClips,
  resolveBackend,
  StateError,
  withDetectorSettings,
  type FeatureClip,
} from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
// Relative: the benchmark helpers (bench/) are repo-level tooling, not a workspace package.
import { tutorialSizeCheckpoint } from '../../bench/bench-utils.js';
import { exportOnnx, onnxBackend } from './index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tones = NwaveModel.fromJSON(readFileSync(path.join(ROOT, 'test/fixtures/models/tones.nwave.json'), 'utf8'), 'tones');

/** The real clips back to back as one ~10 s stream, features at the model rate. */
function speechStream(model: NwaveModel): FeatureClip {
  const dir = path.join(ROOT, 'test/fixtures/audio/speech-commands');
  const wavs = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .sort();
  const parts = wavs.map((f) => {
    const a = readWavFile(path.join(dir, f));
    return model.prepareClip(a.samples, a.sampleRateHz);
  });
  const audio = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (audio.set(p, o), o + p.length), 0);
  const f = computeFeatures(audio, model.filterbank);
  return { data: f.data, frames: f.frames };
}

describe('onnx backend registration', () => {
  it('registers on import under "onnx", below js in the default order', async () => {
    expect(listBackends().map((b) => b.name)).toEqual(expect.arrayContaining(['js', 'onnx']));
    expect((await resolveBackend(['onnx', 'js'])).backend).toBe(onnxBackend);
    expect((await resolveBackend()).name).toBe('js');
  });
});

describe('onnx sessions', () => {
  it('streaming detection over a 10 s stream: same raster, same events as the js backend', async () => {
    const model = tones;
    const stream = speechStream(model);
    expect(stream.frames).toBeGreaterThan(1000);
    const [js, onnx] = [await jsBackend.createSession(model), await onnxBackend.createSession(model)];
    const batch = { features: new Int32Array(0), batch: 0, steps: 0, channels: 13 };
    expect((await onnx.runClips(batch)).outputCounts.length).toBe(0);
    const whole = packClips(model, [stream]).batch;
    const [ra, rb] = [await js.runClips(whole, { outputSpikes: true }), await onnx.runClips(whole, { outputSpikes: true })];
    expect(rb.outputSpikes).toEqual(ra.outputSpikes);
    expect(rb.layerSpikes).toEqual(ra.layerSpikes);
    const a = await detectStream(js, model, stream);
    const b = await detectStream(onnx, model, stream);
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(3); // the stream does trigger the detector
    await Promise.all([js.dispose(), onnx.dispose()]);
  });

  it('classifyClips with the input-contrast gate on: the same peakInputLevel and decisions as classifyFeatures', async () => {
    const model = new NwaveModel(withDetectorSettings(tones.checkpoint, { minInputContrast: 2 }));
    const rate = model.filterbank.sampleRateHz;
    // A steady tone (rejected as steady-input) and the real spoken clips (transients, accepted).
    const steady = Float32Array.from({ length: rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 400 * i) / rate));
    const dir = path.join(ROOT, 'test/fixtures/audio/speech-commands');
    const spoken = ['yes', 'no'].flatMap((w) =>
      readdirSync(path.join(dir, w))
        .filter((f) => f.endsWith('.wav'))
        .map((f) => readWavFile(path.join(dir, w, f))),
    );
    const clips: FeatureClip[] = [model.features(steady, rate), ...spoken.map((a) => model.features(a.samples, a.sampleRateHz))];
    const session = await onnxBackend.createSession(model);
    const got = await classifyClips(session, model, clips);
    clips.forEach((c, i) => expect(got[i]).toEqual(model.classifyFeatures(c.data, c.frames)));
    expect(got.map((r) => r.rejectedBy)).toEqual(['steady-input', ...spoken.map(() => undefined)]);
    await session.dispose();
  });

  it('queues concurrent runs on one session and returns transferable, independent buffers', async () => {
    const model = new NwaveModel(tutorialSizeCheckpoint(1));
    const session = await onnxBackend.createSession(model);
    const clip = (k: number): FeatureClip => ({
      data: Float32Array.from({ length: 125 * 13 }, (_, i) => ((i * (k + 3)) % 17) / 4),
      frames: 125,
    });
    const clips = [0, 1, 2, 3].map(clip);
    const together = await Promise.all(clips.map((c) => classifyClips(session, model, [c])));
    const batched = await classifyClips(session, model, clips);
    expect(together.map((r) => r[0])).toEqual(batched);
    const res = await session.runClips(
      { features: new Int32Array(2 * 5 * 13).fill(300), batch: 2, steps: 5, channels: 13 },
      { outputSpikes: true },
    );
    for (const a of [res.outputCounts, res.layerSpikes, res.outputSpikes!]) expect(a.byteLength).toBe(a.buffer.byteLength);
    expect(res.outputSpikes!.length).toBe(2 * 5 * 2);
    await session.dispose();
    await expect(session.runClips({ features: new Int32Array(13), batch: 1, steps: 1, channels: 13 })).rejects.toThrow(StateError);
  });

  it('runs a given .onnx file, and refuses one made from another model', async () => {
    const other = new NwaveModel(tutorialSizeCheckpoint(2));
    const bytes = exportOnnx(other.checkpoint).bytes;
    const s = await onnxBackend.createSession(other, { modelBytes: bytes });
    expect(s.layers).toEqual(['frontend', 'hidden', 'output']);
    await s.dispose();
    await expect(onnxBackend.createSession(tones, { modelBytes: bytes })).rejects.toThrow(InvalidArgumentError);
    await expect(onnxBackend.createSession(tones, { modelBytes: new Uint8Array([1, 2, 3]) })).rejects.toThrow(
      /modelBytes: not an ONNX model/,
    );
  });

  it('rejects malformed batches like the js backend', async () => {
    const s = await onnxBackend.createSession(tones);
    await expect(s.runClips({ features: new Int32Array(12), batch: 1, steps: 1, channels: 13 })).rejects.toThrow(InvalidArgumentError);
    await expect(s.runClips({ features: new Float32Array(13) as unknown as Int32Array, batch: 1, steps: 1, channels: 13 })).rejects.toThrow(
      /Int32Array/,
    );
    await s.dispose();
  });
});
