/**
 * `nwave detect` on recordings much longer than a clip, every format read as a stream and the
 * onnx backend streaming chunk by chunk: a 3-minute recording (36 repeats of a 5 s low/high tone
 * pattern) as WAV, FLAC (lossless: the same samples) and MP3.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '@nwave/runtime/wav';
import { REPO_ROOT } from './paths.js';
import { runNwave } from './run-cli.test-helper.js';

const MODEL = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');
const RATE = 16000;
const REPEATS = 36;
let dir = '';

const tone = (freq: number, seconds: number) =>
  Float64Array.from({ length: Math.round(seconds * RATE) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * freq * i) / RATE));

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-detect-long-'));
  // Per 5 s: 1 s silence, 1 s low tone, 1.5 s silence, 1 s high tone, 0.5 s silence.
  const parts = [new Float64Array(RATE), tone(400, 1), new Float64Array(RATE * 1.5), tone(4000, 1), new Float64Array(RATE / 2)];
  const period = parts.reduce((a, p) => a + p.length, 0);
  const x = new Float64Array(period * REPEATS);
  let o = 0;
  for (let r = 0; r < REPEATS; r++)
    for (const p of parts) {
      x.set(p, o);
      o += p.length;
    }
  writeFileSync(path.join(dir, 'long.wav'), encodeWav16(x, RATE));
  execFileSync('sox', [path.join(dir, 'long.wav'), path.join(dir, 'long.flac')]);
  execFileSync('sox', [path.join(dir, 'long.wav'), path.join(dir, 'long.mp3')]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const detect = async (...args: string[]) => {
  const r = await runNwave(['detect', MODEL, ...args, '--json']);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout.trim()) as {
    mode: string;
    backend: string;
    durationS: number;
    detections: { label: string; startTime: number }[];
  };
};

describe('detect streams long recordings in every format and on both backends', () => {
  it("onnx --stream (chunk by chunk, state carried) gives the js runtime's detections on a 3-minute WAV", async () => {
    const file = path.join(dir, 'long.wav');
    const [js, onnx] = await Promise.all([detect(file, '--stream'), detect(file, '--stream', '--backend', 'onnx')]);
    expect([js.mode, onnx.mode, onnx.backend]).toEqual(['stream', 'stream', 'onnx']);
    expect(js.durationS).toBeCloseTo(5 * REPEATS, 6);
    // Every tone found: one low and one high per period.
    expect(js.detections.map((d) => d.label)).toEqual(Array.from({ length: REPEATS }, () => ['low', 'high']).flat());
    expect(onnx).toEqual({ ...js, backend: 'onnx' });
  }, 120_000);

  it("the same recording as FLAC gives the WAV's result exactly; as MP3 the same words", async () => {
    const [wav, flac, mp3] = await Promise.all([
      detect(path.join(dir, 'long.wav')),
      detect(path.join(dir, 'long.flac')),
      detect(path.join(dir, 'long.mp3'), '--backend', 'onnx'),
    ]);
    expect(flac).toEqual({ ...wav, file: path.join(dir, 'long.flac') });
    expect(mp3.mode).toBe('stream');
    expect(mp3.detections.map((d) => d.label)).toEqual(wav.detections.map((d) => d.label));
  }, 120_000);
});
