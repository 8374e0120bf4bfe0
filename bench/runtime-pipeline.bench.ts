/**
 * Runtime throughput and memory: RTF per stage (filterbank, network, detector, whole streaming
 * pipeline) on one core, the ratio against the straightforward float64 reference measured in the
 * same run, and heap figures over one hour of streamed audio.
 */
import { FeatureExtractor, FixedPointNetwork, KeywordSpotter, NwaveModel, StreamingDetector, resample } from '../runtime/src/index.js';
import { FloatReferenceNetwork, referenceFeatures } from '../runtime/src/reference/float-reference.js';
import { bestOf, fmt, speechMaterial, tutorialSizeCheckpoint } from './bench-utils.js';

export async function benchRuntimePipeline(opts: { hourS?: number } = {}): Promise<void> {
  const seconds = 30;
  const audio = speechMaterial(seconds);
  const ck = tutorialSizeCheckpoint();
  const model = new NwaveModel(ck);
  const runs = 15;

  // Stage: filterbank (streaming, 512-sample chunks as from a microphone)
  let frames: Float64Array[] = [];
  const fe = new FeatureExtractor({ filterbank: model.filterbank, inputSampleRateHz: 16000 });
  const tFb = bestOf(runs, () => {
    fe.reset();
    frames = [];
    for (let i = 0; i < audio.length; i += 512) fe.push(audio.subarray(i, i + 512), (f) => frames.push(f.slice()));
  });
  // Stage: network
  const net = new FixedPointNetwork(model.fixedPoint);
  let outSpikes: Uint8Array[] = [];
  const tNet = bestOf(runs, () => {
    net.reset();
    outSpikes = frames.map((f) => net.step(f).slice());
  });
  // Stage: network with in-core recurrence in the hidden layer (same feed-forward weights)
  const recNet = new FixedPointNetwork(new NwaveModel(tutorialSizeCheckpoint(42, { recurrent: true })).fixedPoint);
  let recHiddenSpikes = 0;
  const tRec = bestOf(runs, () => {
    recNet.reset();
    recHiddenSpikes = 0;
    for (const f of frames) {
      recNet.step(f);
      recHiddenSpikes += recNet.spikeCounts[1];
    }
  });
  // Stage: detector
  const det = new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, model.dtS);
  const tDet = bestOf(runs, () => {
    det.reset();
    for (const s of outSpikes) det.update(s, 2);
  });
  // Stage: detector with a setting changed (`change`, default the input-contrast gate on) vs without, real per-step
  // levels, interleaved in one loop so the shared machine's load hits both alike. "Worst case":
  // no other gate rejects any step, so the window peak is scanned on every step.
  const levels = frames.map((f) => f.reduce((a, b) => a + b, 0) / f.length);
  const gateOf = (extra: Partial<typeof ck.detector>) =>
    new StreamingDetector(ck.labels, ck.backgroundLabels, { ...ck.detector, ...extra }, model.dtS);
  const pairedRatio = (extra: Partial<typeof ck.detector>, change: Partial<typeof ck.detector> = { minInputContrast: 2 }) => {
    const [off, on] = [gateOf(extra), gateOf({ ...extra, ...change })];
    let tOff = Infinity;
    let tOn = Infinity;
    for (let r = 0; r < runs; r++) {
      for (const [det, gate] of [
        [off, false],
        [on, true],
      ] as const) {
        det.reset();
        const t0 = performance.now();
        for (let i = 0; i < outSpikes.length; i++) det.update(outSpikes[i], levels[i]);
        const dt = performance.now() - t0;
        if (gate) tOn = Math.min(tOn, dt);
        else tOff = Math.min(tOff, dt);
      }
    }
    return tOn / tOff;
  };
  const gateRatio = pairedRatio({});
  const gateWorst = pairedRatio({ minSpikes: 0, minInputLevel: 0, threshold: 0 });
  // A calibrated chip's detector (count gains on every label) vs the plain one: the per-step arg-max multiplies.
  const gains = Object.fromEntries(ck.labels.map((l, i) => [l, i % 2 ? 1.1 : 0.9]));
  const gainRatio = pairedRatio({}, { countGains: gains });
  // Whole pipeline, 16 kHz and 48 kHz input
  const spot16 = new KeywordSpotter(model, { inputSampleRateHz: 16000 });
  const tAll = bestOf(runs, () => {
    spot16.reset();
    for (let i = 0; i < audio.length; i += 512) spot16.process(audio.subarray(i, i + 512));
  });
  const audio48 = Float32Array.from(resample(audio, 16000, 48000));
  const spot48 = new KeywordSpotter(model, { inputSampleRateHz: 48000 });
  const tAll48 = bestOf(runs, () => {
    spot48.reset();
    for (let i = 0; i < audio48.length; i += 1536) spot48.process(audio48.subarray(i, i + 1536));
  });
  // Reference: straightforward float64 filterbank + network + the same detector
  const ref = new FloatReferenceNetwork(ck);
  const tRef = bestOf(2, () => {
    const feats = referenceFeatures(audio, ck);
    ref.reset();
    det.reset();
    for (const f of feats) det.update(ref.step(f), 2);
  });

  const rtf = (ms: number) => ms / 1000 / seconds;
  console.log(`\n## Runtime pipeline (13-64-2 network, ${seconds} s of speech, best of ${runs}, one core)`);
  console.log('stage                        ms/30s     RTF        x real time');
  for (const [name, ms] of [
    ['filterbank 16 kHz (13 ch)', tFb],
    ['network (fixed point)', tNet],
    ['network, 64 recurrent', tRec],
    ['detector', tDet],
    ['whole pipeline, 16 kHz in', tAll],
    ['whole pipeline, 48 kHz in', tAll48],
    ['float64 reference, 16 kHz', tRef],
  ] as const) {
    console.log(`${name.padEnd(28)} ${fmt(ms).padStart(8)}   ${rtf(ms).toExponential(2).padStart(9)}   ${fmt(1 / rtf(ms)).padStart(8)}x`);
  }
  console.log(`target: whole pipeline >= 2000x real time (RTF <= 0.0005): ${1 / rtf(tAll) >= 2000 ? 'MET' : 'NOT MET'}`);
  console.log(`ratio vs float64 reference (same run): ${fmt(tRef / tAll, 3)}x faster`);
  console.log(
    `detector with the input-contrast gate on vs off (same run, real levels): ${fmt(gateRatio, 3)}x the time; worst case (peak scanned every step): ${fmt(gateWorst, 3)}x`,
  );
  console.log(`detector with count gains (a calibrated chip) vs without (same run): ${fmt(gainRatio, 3)}x the time`);
  console.log(
    `recurrent vs feed-forward network (same run): ${fmt(tRec / tNet, 3)}x the time (hidden layer fires ${fmt((100 * recHiddenSpikes) / (frames.length * 64), 3)} % of steps)`,
  );

  // One hour streamed: heap after warm-up vs at the end.
  const hourS = opts.hourS ?? 3600;
  const gc = (globalThis as { gc?: () => void }).gc;
  const spot = new KeywordSpotter(model, { inputSampleRateHz: 16000, onStep: () => {} });
  const chunk = 512;
  const heap: { atS: number; heapMB: number }[] = [];
  let streamed = 0;
  const t0 = performance.now();
  while (streamed < hourS) {
    for (let i = 0; i < audio.length; i += chunk) spot.process(audio.subarray(i, i + chunk));
    streamed += seconds;
    if (streamed === 60 || streamed % 600 === 0 || streamed >= hourS) {
      gc?.();
      heap.push({ atS: streamed, heapMB: process.memoryUsage().heapUsed / 2 ** 20 });
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const warm = heap[0];
  const last = heap[heap.length - 1];
  console.log(
    `\n## ${hourS / 3600} h of streamed audio (${wall.toFixed(1)} s wall, ${fmt(hourS / wall)}x real time${gc ? ', gc before each sample' : ', run with --expose-gc for exact figures'})`,
  );
  console.log(heap.map((h) => `  t=${String(h.atS).padStart(5)} s  heapUsed ${h.heapMB.toFixed(2)} MB`).join('\n'));
  console.log(`heap growth after warm-up: ${(last.heapMB - warm.heapMB).toFixed(3)} MB`);
}
