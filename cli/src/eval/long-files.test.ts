/**
 * `nwave eval` on data files longer than a whole-clip buffer (~17 min at 16 kHz): read as
 * streams (the clip is the file's start, the length counted; the stream test reads blocks), not
 * refused. The tones model and tone clips of eval.test.ts; the long files are made by sox.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NwaveModel } from '@nwave/runtime';
import { audioBlocksAtRateSync } from '@nwave/runtime/node';
import { encodeWav16 } from '@nwave/runtime/wav';
import { loadAudio } from '@nwave/data/dataset-folder';
import { REPO_ROOT } from '../paths.js';
import { runNwave } from '../run-cli.test-helper.js';
import { loadEvalData } from './dataset.js';
import { evaluateStreaming } from './evaluate-streaming.js';
import { planStream } from './stream-builder.js';
import { recordStream } from './stream-eval.js';
import { loadStreamSources } from './stream-sources.js';

const MODEL_FILE = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');
const model = NwaveModel.fromJSON(readFileSync(MODEL_FILE, 'utf8'), 'tones');
const RATE = 16000;
/** 20 minutes of padding: the file is 20 min + 1 s, more than the 2^24-sample whole-clip buffer. */
const PAD_S = 1200;
let dir = '';

/** 1 s: a tone from 0.2 to 0.8 s over faint noise (as eval.test.ts). */
function clip(freq: number, seed: number): Float64Array {
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
  return Float64Array.from({ length: RATE }, (_, i) => {
    const t = i / RATE;
    return (t >= 0.2 && t < 0.8 ? 0.3 * Math.sin(2 * Math.PI * freq * t) : 0) + 0.002 * rnd();
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-eval-long-'));
  const write = (folder: string, name: string, x: Float64Array) => {
    mkdirSync(path.join(dir, 'data', folder), { recursive: true });
    writeFileSync(path.join(dir, 'data', folder, name), encodeWav16(x, RATE));
  };
  for (let n = 0; n < 3; n++) {
    write('high', `spk${n}_nohash_0.wav`, clip(3200 + 400 * n, n + 1));
    write('low', `spk${n}_nohash_0.wav`, clip(250 + 50 * n, n + 11));
  }
  // The long ones: a high-tone clip, then 20 minutes of silence (sox pads without holding it).
  const src = path.join(dir, 'data', 'high', 'spk0_nohash_0.wav');
  execFileSync('sox', [src, path.join(dir, 'data', 'high', 'long-wav_nohash_0.wav'), 'pad', '0', String(PAD_S)]);
  execFileSync('sox', [src, path.join(dir, 'data', 'high', 'long-flac_nohash_0.flac'), 'pad', '0', String(PAD_S)]);
  mkdirSync(path.join(dir, 'negatives'));
  execFileSync('sox', [src, '-r', '44100', path.join(dir, 'negatives', 'talk.flac'), 'pad', '0', String(PAD_S)]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval reads long data files as streams', () => {
  it('a 20-minute WAV and FLAC clip: evaluated from their first second (same features as the clip), lengths counted', () => {
    // Before: "20.0 min of audio is too long to load whole" for both, and the clips were skipped.
    expect(() => loadAudio(path.join(dir, 'data', 'high', 'long-wav_nohash_0.wav'), RATE)).toThrow(/too long to load whole/);
    const d = loadEvalData(model, path.join(dir, 'data'));
    expect(d.failures).toEqual([]);
    const byFile = new Map(d.clips.map((c) => [c.file, c]));
    const short = byFile.get('high/spk0_nohash_0.wav')!;
    for (const name of ['high/long-wav_nohash_0.wav', 'high/long-flac_nohash_0.flac']) {
      const long = byFile.get(name)!;
      expect(long.durationS).toBeCloseTo(1 + PAD_S, 6);
      expect(long.frames).toBe(short.frames);
      expect(long.features).toEqual(short.features);
      expect(long.keyword).toBe(true);
    }
  });

  it('--stream-negatives: a 20-minute 44.1 kHz FLAC gets its exact length at the model rate, decoded as a stream', () => {
    const set = loadStreamSources(model, { negatives: [path.join(dir, 'negatives')], split: 'all' });
    expect(set.failures).toEqual([]);
    expect(set.negatives).toBe(1);
    expect(set.negativeS).toBe(Math.round(((1 + PAD_S) * 44100 * RATE) / 44100) / RATE);
  });

  it('the stream test reads its files in blocks: the same recording as with whole files, and a long file is cut where the plan ends it', () => {
    const d = loadEvalData(model, path.join(dir, 'data'));
    const whole = (f: string) => loadAudio(path.join(dir, 'data', f), RATE);
    const blocks = (f: string) => audioBlocksAtRateSync(path.join(dir, 'data', f), RATE);
    const short = d.clips.filter((c) => c.durationS < 2);
    const a = evaluateStreaming(model, short, whole, { hours: 0.01, seed: 3 });
    const b = evaluateStreaming(model, short, blocks, { hours: 0.01, seed: 3 });
    expect(b.recording.events).toEqual(a.recording.events);
    expect(b.recording.outputSpikes).toEqual(a.recording.outputSpikes);
    expect(b.summary.keywords).toBeGreaterThan(0);
    // A plan that takes the first 30 s of the 20-minute FLAC (its clip, then silence) only.
    const long = d.clips.find((c) => c.file.endsWith('.flac'))!;
    const plan = planStream([{ ...long, durationS: 30 }], RATE, { hours: 45 / 3600, seed: 1 });
    expect(plan.keywords).toHaveLength(1);
    const rec = recordStream(model, plan, blocks);
    expect(rec.steps).toBeGreaterThan(5000);
    expect(rec.events.map((e) => e.label)).toContain('high');
  });

  it('nwave eval on the folder: exit 0, every clip evaluated, none skipped', async () => {
    const r = await runNwave(['eval', MODEL_FILE, '--data', path.join(dir, 'data'), '--json', '--chips', '0', '--stream-hours', '0']);
    expect(r.stderr).not.toMatch(/too long|unreadable/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([s.data.clips, s.data.skipped]).toEqual([8, 0]);
  }, 120_000);
});
