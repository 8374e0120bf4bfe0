/**
 * The streaming path allocates nothing per step (V8 new-space growth), on real speech with
 * detections firing and the detector settings changed on the way. Kept in a file of its own:
 * what V8 has compiled before (e.g. a whole clip pushed in one call) changes what it allocates,
 * so the file streams only the way an audio callback does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { DetectorSettings } from '../model/checkpoint-schema.js';
import { readWavFile } from '../node/wav-file.js';
import { KeywordSpotter } from './keyword-spotter.js';
import { NwaveModel } from './nwave-model.js';

const root = path.resolve(import.meta.dirname, '../../..');
const model = NwaveModel.fromJSON(readFileSync(path.join(root, 'models/default.nwave.json'), 'utf8'), 'default');
const RATE = 16000;

/** The committed Speech Commands examples, twice (12 s at 16 kHz). */
function examplesTwice(): Float32Array {
  const dir = path.join(root, 'models/examples');
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => readWavFile(path.join(dir, f)).samples);
  const out = new Float32Array(2 * parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of [...parts, ...parts]) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('KeywordSpotter per-step allocations', () => {
  it('allocates nothing per step, with detections firing and the settings changed mid-stream', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const newSpace = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
    const speech = examplesTwice();
    const stepSamples = Math.round(model.dtS * RATE); // one chunk = one step (no resampling at 16 kHz)
    const chunks: Float32Array[] = [];
    for (let i = 0; i + stepSamples <= speech.length; i += stepSamples) chunks.push(speech.subarray(i, i + stepSamples));
    /** Settings changes, before the chunk of that index. */
    const changes = new Map<number, Partial<DetectorSettings>>([
      [300, { threshold: 0.6 }],
      [700, { refractoryS: 0.3, minSpikes: 5, labelThresholds: { no: 0.7 } }],
      [1100, {}],
    ]);
    const spotter = new KeywordSpotter(model, { inputSampleRateHz: RATE });
    // Measured spans: runs of chunks with no detection and no settings change (a detection
    // allocates its KeywordEvent; a change allocates the new settings), from the previous run.
    let fired: number[] = [];
    let excess = 0;
    let measuredSteps = 0;
    let baseline = 0;
    const run = (measure: boolean): number[] => {
      const firedNow: number[] = [];
      const boundary = new Set([...fired, ...fired.map((i) => i + 1), ...changes.keys()]);
      spotter.reset();
      let start = newSpace();
      let from = 0;
      for (let i = 0; i < chunks.length; i++) {
        if (measure && boundary.has(i)) {
          const grew = newSpace() - start - baseline;
          if (!fired.includes(i - 1)) {
            excess += Math.max(0, grew);
            measuredSteps += i - from;
          }
        }
        const change = changes.get(i);
        if (change) spotter.setDetectorSettings(change);
        if (measure && boundary.has(i)) {
          from = i;
          start = newSpace();
        }
        if (spotter.process(chunks[i]).length) firedNow.push(i);
      }
      if (measure && !fired.includes(chunks.length - 1)) {
        excess += Math.max(0, newSpace() - start - baseline);
        measuredSteps += chunks.length - from;
      }
      return firedNow;
    };
    fired = run(false);
    // Warm up the JIT on exactly the measured run: code still being tiered up allocates (boxed
    // floats in the interpreter), which is V8's and not the runtime's.
    for (let r = 0; r < 30; r++) expect(run(true)).toEqual(fired);
    gc();
    const base: number[] = [];
    for (let r = 0; r < 20; r++) {
      const a = newSpace();
      base.push(newSpace() - a);
    }
    baseline = Math.min(...base);
    excess = measuredSteps = 0;
    expect(run(true)).toEqual(fired);
    expect(fired.length).toBeGreaterThanOrEqual(4);
    expect(measuredSteps).toBeGreaterThan(1300);
    expect(excess).toBeLessThan(1024); // measurement noise only: one heap number per step would be ~20 kB
  });
});
