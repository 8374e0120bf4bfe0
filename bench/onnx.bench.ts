/**
 * Throughput of the two backends on the same 1,000 clips (13-64-2 network, 1 s clips = 125
 * steps): the hand-written fixed-point runtime (`js`) against the exported graph in
 * onnxruntime-web (`onnx`, WASM, one thread), as clips/s and as a ratio measured in the same run.
 * Features are computed and quantized once, outside the timings: both backends get the same
 * Int32Array. The outputs are compared too, so a fast but wrong backend cannot pass unnoticed.
 * Shared, loaded machines: rounds interleave the backends and CPU time is reported beside wall time.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { NwaveModel } from '../runtime/src/index.js';
import { readWavFile } from '../runtime/src/node/index.js';
import {
  jsBackend,
  packClips,
  type ClipBatch,
  type ClipBatchResult,
  type FeatureClip,
  type SnnSession,
} from '../runtime/src/backend/index.js';
import { exportOnnx, onnxBackend, onnxBackendOptions } from '../onnx/src/index.js';
import { fmt, ROOT, tutorialSizeCheckpoint } from './bench-utils.js';

/** `n` clips of the model length: the committed real clips cycled, each with its own faint noise. */
function benchClips(model: NwaveModel, n: number): FeatureClip[] {
  const dir = path.join(ROOT, 'test', 'fixtures', 'audio', 'speech-commands');
  const wavs = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .sort();
  const base = wavs.map((f) => {
    const a = readWavFile(path.join(dir, f));
    return model.prepareClip(a.samples, a.sampleRateHz);
  });
  let seed = 1;
  return Array.from({ length: n }, (_, k) => {
    const clip = Float64Array.from(base[k % base.length], (x) => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return x + (seed / 2 ** 32 - 0.5) * 1e-3;
    });
    return model.features(clip, model.filterbank.sampleRateHz);
  });
}

interface Timing {
  /** Best wall time, ms. */
  wall: number;
  /** Best process CPU time (user + system), ms: what contention on a shared machine distorts least. */
  cpu: number;
}

async function timeOnce(fn: () => Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Runs `batch` in slices of `size` clips (sequentially, as a caller with small batches would). */
async function runInSlices(session: SnnSession, batch: ClipBatch, size: number): Promise<ClipBatchResult[]> {
  const per = batch.steps * batch.channels;
  const out: ClipBatchResult[] = [];
  for (let b = 0; b < batch.batch; b += size) {
    const n = Math.min(size, batch.batch - b);
    out.push(await session.runClips({ ...batch, batch: n, features: batch.features.subarray(b * per, (b + n) * per) }));
  }
  return out;
}

const concatCounts = (rs: ClipBatchResult[]) => rs.flatMap((r) => Array.from(r.outputCounts)).join(',');

interface Variant {
  name: string;
  /** Runs the whole batch; resolves to the output counts joined (for the identity check). */
  run: () => Promise<string>;
  /** Slow variants run in the first round only. */
  once?: boolean;
}

export async function benchOnnx(opts: { clips?: number; rounds?: number } = {}): Promise<void> {
  const nClips = opts.clips ?? 1000;
  const rounds = opts.rounds ?? 5;
  const model = new NwaveModel(tutorialSizeCheckpoint());
  const t0 = performance.now();
  const { batch } = packClips(model, benchClips(model, nClips));
  const tFeatures = performance.now() - t0;

  onnxBackendOptions.numThreads = 1;
  await onnxBackend.init();
  const js = await jsBackend.createSession(model);
  const t1 = performance.now();
  const f64 = await onnxBackend.createSession(model, { modelBytes: exportOnnx(model.checkpoint, { arithmetic: 'float64' }).bytes });
  const tSession = performance.now() - t1;
  const i64 = await onnxBackend.createSession(model, { modelBytes: exportOnnx(model.checkpoint, { arithmetic: 'int64' }).bytes });
  const variants: Variant[] = [
    { name: 'js runtime (clip by clip)', run: async () => concatCounts([await js.runClips(batch)]) },
    ...[nClips, 100, 10].map((size) => ({
      name: `onnx float64, batch ${size}`,
      run: async () => concatCounts(await runInSlices(f64, batch, size)),
    })),
    { name: 'onnx float64, batch 1', run: async () => concatCounts(await runInSlices(f64, batch, 1)), once: true },
    { name: `onnx int64, batch ${nClips}`, run: async () => concatCounts(await runInSlices(i64, batch, nClips)) },
  ];
  const reference = await variants[0].run();
  // Rounds interleave the backends so that load from other users of the machine hits them alike.
  const best = variants.map(() => ({ wall: Infinity, cpu: Infinity, same: true }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of variants.entries()) {
      if (v.once && r > 0) continue;
      let out = '';
      const t = await timeOnce(async () => (out = await v.run()));
      best[i] = { wall: Math.min(best[i].wall, t.wall), cpu: Math.min(best[i].cpu, t.cpu), same: best[i].same && out === reference };
    }
  }
  await Promise.all([js.dispose(), f64.dispose(), i64.dispose()]);

  const ref = best[0];
  console.log(
    `\n## Backends: ${nClips} clips of ${batch.steps} steps, 13-64-2 network, best of ${rounds} interleaved rounds, one thread each`,
  );
  console.log(`(features + quantization computed once: ${fmt(tFeatures)} ms; onnx export + session: ${fmt(tSession)} ms)`);
  console.log('backend                       wall ms   clips/s   vs js (wall)   vs js (cpu)   identical counts');
  variants.forEach((v, i) => {
    const b = best[i];
    console.log(
      `${v.name.padEnd(28)} ${fmt(b.wall).padStart(7)}  ${fmt((nClips / b.wall) * 1000).padStart(8)}   ${`${fmt(ref.wall / b.wall, 3)}x`.padStart(12)}   ${`${fmt(ref.cpu / b.cpu, 3)}x`.padStart(11)}   ${b.same ? 'yes' : 'NO'}`,
    );
  });
  const main = best[1];
  console.log(
    `throughput ratio onnx (float64, one batch of ${nClips}) / js runtime, same run: ${fmt(ref.wall / main.wall, 3)}x wall, ${fmt(ref.cpu / main.cpu, 3)}x cpu`,
  );
  if (best.some((b) => !b.same)) console.log('WARNING: backends disagree on some clips (see onnx/src/parity.test.ts)');
}
