/**
 * `nwave eval` on the hand-built tones model (`high` > 2.5 kHz, `low` < 800 Hz, `_background_`)
 * and a small tone / silence data folder written here, so every number is checkable.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NwaveModel, type Checkpoint } from '@nwave/runtime';
import { encodeWav16 } from '@nwave/runtime/wav';
import { evaluateModel } from '@nwave/data/evaluate';
import { loadAudio } from '@nwave/data/dataset-folder';
import { REPO_ROOT } from '../paths.js';
import { clipMetrics } from '@nwave/data/metrics';
import { NON_KEYWORD, loadEvalData, type EvalData } from './dataset.js';
import { classifyAll, evaluateMismatch, mismatchSubset } from './evaluate-mismatch.js';
import { evaluateStreaming, missRateAt } from './evaluate-streaming.js';
import { renderEvalReport } from './report-html.js';
import { runEvaluation } from './run-eval.js';
import { planStream } from './stream-builder.js';
import { replayDetector, scoreDetections } from './stream-eval.js';

const MODEL_FILE = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');
const model = NwaveModel.fromJSON(readFileSync(MODEL_FILE, 'utf8'), 'tones');
const RATE = 16000;
let dir = '';
let data: EvalData;

/** 1 s clip: a tone from 0.2 to 0.8 s (amplitude `amp`) over faint noise. */
function clip(freq: number, amp: number, seed: number): Float64Array {
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
  return Float64Array.from({ length: RATE }, (_, i) => {
    const t = i / RATE;
    return (t >= 0.2 && t < 0.8 ? amp * Math.sin(2 * Math.PI * freq * t) : 0) + 0.002 * rnd();
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-eval-'));
  const write = (folder: string, name: string, x: Float64Array) => {
    mkdirSync(path.join(dir, folder), { recursive: true });
    writeFileSync(path.join(dir, folder, name), encodeWav16(x, RATE));
  };
  for (let spk = 1; spk <= 3; spk++) {
    for (let n = 0; n < 2; n++) {
      write('high', `spk${spk}_nohash_${n}.wav`, clip(3000 + 500 * (spk + n), 0.3, spk * 10 + n));
      write('low', `spk${spk}_nohash_${n}.wav`, clip(200 + 100 * (spk + n), 0.3, spk * 20 + n));
      write('_silence_', `spk${spk}_nohash_${n}.wav`, clip(0, 0, spk * 30 + n));
    }
  }
  write('_silence_', 'digital-zero.wav', new Float64Array(RATE)); // no speaker in the name
  data = loadEvalData(model, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval data and clip scores', () => {
  it('maps label folders to labels and every other folder to the background label', () => {
    expect(data.folders.map((f) => [f.folder, f.label, f.keyword, f.clips])).toEqual([
      ['_silence_', '_background_', false, 7],
      ['high', 'high', true, 6],
      ['low', 'low', true, 6],
    ]);
    expect(data.failures).toEqual([]);
    expect(data.clips[0].frames).toBe(125);
  });

  it('scores clean tones perfectly', () => {
    const m = clipMetrics(model.labels, data.clips, classifyAll(model, data.clips));
    expect([m.accuracy, m.argmaxAccuracy, m.rejection]).toEqual([1, 1, 1]);
    expect(m.confusionRows).toEqual(['high', 'low', '_background_']);
    // Silence: no output spike, arg-max ties to index 0 (high), rejected by the spike gate.
    expect(m.confusion).toEqual([
      [6, 0, 0],
      [0, 6, 0],
      [7, 0, 0],
    ]);
    expect(m.perSpeaker.map((s) => [s.speaker, s.n, s.keywordClips, s.accuracy, s.rejection])).toEqual([
      ['spk1', 6, 4, 1, 1],
      ['spk2', 6, 4, 1, 1],
      ['spk3', 6, 4, 1, 1],
    ]);
  });

  it('reports the figures the trainer reports on the same checkpoint and clips (power spread, null rejection)', () => {
    const same = (root: string) => {
      const cli = runEvaluation(model, MODEL_FILE, { data: root, chips: 0, streamHours: 0 }).summary;
      const clips = loadEvalData(model, root).clips;
      const trainer = evaluateModel(
        model,
        clips.map((c) => ({ features: c.features, label: c.label })),
        125,
      );
      expect([cli.accuracy, cli.argmaxAccuracy, cli.rejection]).toEqual([
        trainer.keywordAccuracy,
        trainer.keywordArgmaxAccuracy,
        trainer.rejection,
      ]);
      expect(cli.confusion).toEqual(trainer.confusion);
      expect(cli.confusionRows).toEqual(trainer.rowLabels);
      expect({ ...cli.power, estimate: undefined, profile: undefined }).toEqual({
        ...trainer.power,
        estimate: undefined,
        profile: undefined,
      });
      return cli;
    };
    const withBackground = same(dir);
    expect(withBackground.rejection).toBe(1);
    expect(withBackground.power.p95W).toBeGreaterThan(withBackground.power.p5W);
    // Keyword folders only: nothing to reject, so no rejection figure (neither 1 nor 0).
    const kwOnly = mkdtempSync(path.join(os.tmpdir(), 'nwave-eval-kw-'));
    try {
      for (const f of ['high', 'low']) cpSync(path.join(dir, f), path.join(kwOnly, f), { recursive: true });
      expect(same(kwOnly).rejection).toBeNull();
    } finally {
      rmSync(kwOnly, { recursive: true, force: true });
    }
  });

  it('reads a flat folder, the class from each file-name prefix, and names a file without one', () => {
    const flat = mkdtempSync(path.join(os.tmpdir(), 'nwave-eval-flat-'));
    try {
      writeFileSync(path.join(flat, 'high-spk1_nohash_0.wav'), encodeWav16(clip(3500, 0.3, 1), RATE));
      writeFileSync(path.join(flat, 'low-spk2_nohash_0.wav'), encodeWav16(clip(300, 0.3, 2), RATE));
      writeFileSync(path.join(flat, '_silence_-0001.wav'), encodeWav16(clip(0, 0, 3), RATE));
      const d = loadEvalData(model, flat);
      expect(d.folders.map((f) => [f.folder, f.label, f.clips])).toEqual([
        ['_silence_', '_background_', 1],
        ['high', 'high', 1],
        ['low', 'low', 1],
      ]);
      expect(d.clips.map((c) => [c.file, c.speaker])).toEqual([
        ['_silence_-0001.wav', undefined],
        ['high-spk1_nohash_0.wav', 'spk1'],
        ['low-spk2_nohash_0.wav', 'spk2'],
      ]);
      expect(classifyAll(model, d.clips).map((r) => (r.accepted ? model.labels[r.index] : null))).toEqual([null, 'high', 'low']);
      writeFileSync(path.join(flat, 'untitled.wav'), encodeWav16(clip(0, 0, 4), RATE));
      expect(() => loadEvalData(model, flat)).toThrow(/untitled\.wav: no class prefix in the file name; expected DIR\/<class>\/\*\.wav/);
    } finally {
      rmSync(flat, { recursive: true, force: true });
    }
  });

  it('reports folders as non-keyword when the model has no background label', () => {
    const ck: Checkpoint = { ...structuredClone(model.checkpoint), backgroundLabels: [] };
    const noBg = new NwaveModel(ck);
    const d = loadEvalData(noBg, dir, { maxClips: 8, seed: 3 });
    expect(d.clips).toHaveLength(8);
    expect(loadEvalData(noBg, dir, { maxClips: 8, seed: 3 }).clips.map((c) => c.file)).toEqual(d.clips.map((c) => c.file));
    const full = loadEvalData(noBg, dir);
    expect(full.clips.filter((c) => c.folder === '_silence_').every((c) => c.label === NON_KEYWORD && !c.keyword)).toBe(true);
    const m = clipMetrics(noBg.labels, full.clips, classifyAll(noBg, full.clips));
    expect(m.confusionRows).toEqual(['high', 'low', '_background_', '(non-keyword)']);
    expect(m.confusion[3]).toEqual([7, 0, 0]);
    expect(m.rejection).toBe(1);
  });
});

describe('streaming evaluation', () => {
  const load = (f: string) => loadAudio(path.join(dir, f), RATE);

  it('plans seeded streams with keywords at exact known times', () => {
    const a = planStream(data.clips, RATE, { hours: 0.02, seed: 4 });
    expect(planStream(data.clips, RATE, { hours: 0.02, seed: 4 })).toEqual(a);
    expect(a.totalSamples).toBe(Math.round(0.02 * 3600 * RATE));
    expect(a.segments.reduce((s, g) => s + g.samples, 0)).toBe(a.totalSamples);
    const kwSegs = a.segments.filter((g) => g.label >= 0);
    expect(kwSegs.map((g) => g.startSample / RATE)).toEqual(a.keywords.map((k) => k.startS));
    for (let i = 1; i < a.keywords.length; i++) expect(a.keywords[i].startS - a.keywords[i - 1].endS).toBeGreaterThanOrEqual(4);
    // Without background clips the gaps are digital silence; without keyword clips, background only.
    const silent = planStream(
      data.clips.filter((c) => c.keyword),
      RATE,
      { hours: 0.01, seed: 1 },
    );
    expect(silent.segments.filter((g) => g.file === null).length).toBe(silent.keywords.length + 1);
    const bgOnly = planStream(
      data.clips.filter((c) => !c.keyword),
      RATE,
      { hours: 0.01, seed: 1 },
    );
    expect([bgOnly.keywords.length, bgOnly.segments.every((g) => g.label === -1)]).toEqual([0, true]);
  });

  it('glues each keyword to the first leadInS seconds of a background clip (no pause), when asked', () => {
    const a = planStream(data.clips, RATE, { hours: 0.02, seed: 4, leadInS: 0.5 });
    expect(a.keywords.length).toBeGreaterThan(3);
    a.segments.forEach((g, i) => {
      if (g.label < 0) return;
      const before = a.segments[i - 1];
      expect(before.label).toBe(-1);
      expect(before.file).not.toBeNull();
      expect(before.samples).toBe(0.5 * RATE);
      expect(before.startSample + before.samples).toBe(g.startSample);
    });
    const r = evaluateStreaming(model, data.clips, load, { hours: 0.02, seed: 4, leadInS: 0.5 });
    expect(r.summary.leadInS).toBe(0.5);
    expect(r.summary.keywords).toBe(a.keywords.length);
    expect(evaluateStreaming(model, data.clips, load, { hours: 0.02, seed: 4 }).summary.leadInS).toBeUndefined();
  });

  it('finds every tone, no false accept on silence, latency within the window', () => {
    const r = evaluateStreaming(model, data.clips, load, { hours: 0.05, seed: 2 });
    const s = r.summary;
    expect(s.keywords).toBeGreaterThan(15);
    expect([s.misses, s.falseAccepts, s.falseAcceptsPerHour]).toEqual([0, 0, 0]);
    // Tones sound from 0.2 s to 0.8 s of each 1 s clip: detection after onset, before clip end + 0.5 s.
    for (const h of r.hits) {
      expect(h.latencyFromStartS).toBeGreaterThan(0.2);
      expect(h.latencyS).toBeLessThan(0.5);
    }
    expect(s.latencyMs!.p50).toBeLessThan(0);
    // Replaying the recording with the checkpoint's detector gives the spotter's own events.
    expect(replayDetector(model, r.recording, model.checkpoint.detector)).toEqual(r.recording.events);
    expect(s.curve.map((p) => p.threshold)).toContain(model.checkpoint.detector.threshold);
    expect(s.missRateAt[0]).toMatchObject({ falseAcceptsPerHour: 0.5, missRate: 0 });
    expect(s.meanPowerW).toBeGreaterThan(0);
  });

  it('scores hits, duplicates, wrong keywords and strays', () => {
    const kw = [{ file: 'a', label: 0, startS: 10, endS: 11 }];
    const ev = (label: string, t: number) => ({ label, index: 0, confidence: 1, startTime: t - 0.3, endTime: t, spikeCounts: [] });
    const s = scoreDetections(kw, [ev('low', 3), ev('high', 10.5), ev('high', 11.2), ev('low', 11.3), ev('high', 11.6)], ['high', 'low']);
    expect(s.hits.map((h) => h.latencyS)).toEqual([-0.5]);
    expect([s.duplicates, s.falseAccepts.length, s.misses.length]).toEqual([1, 3, 0]);
    const curve = [
      { threshold: 0.5, falseAcceptsPerHour: 3, missRate: 0 },
      { threshold: 0.9, falseAcceptsPerHour: 0.8, missRate: 0.1 },
      { threshold: 0.99, falseAcceptsPerHour: 0.2, missRate: 0.3 },
    ];
    expect(missRateAt(curve, 1)).toEqual({ missRate: 0.1, threshold: 0.9 });
    expect(missRateAt(curve, 0.1)).toEqual({ missRate: null, threshold: null });
  });
});

describe('mismatch Monte Carlo', () => {
  it('is exact at no mismatch, repeatable, and degrades at large stddev', () => {
    const opts = { chips: 4, seed: 7, levels: [0, 0.036, 1], leakMismatch: false };
    const r = evaluateMismatch(model, data.clips, opts);
    expect(r.levels[0]).toMatchObject({ stddev: 0, mean: 1, p5: 1, p5Interval: [1, 1], min: 1 });
    expect(r.levels[1].mean).toBe(1); // the tones model has wide margins
    expect(r.levels[2].mean!).toBeLessThan(0.9);
    expect(r.levels[2].p5!).toBeLessThanOrEqual(r.levels[2].mean!);
    // Four chips: the p5 is uncertain, and its interval says so (it brackets the estimate).
    const [lo, hi] = r.levels[2].p5Interval!;
    expect(lo).toBeLessThanOrEqual(r.levels[2].p5!);
    expect(hi).toBeGreaterThanOrEqual(r.levels[2].p5!);
    expect(lo).toBe(r.levels[2].min);
    expect(evaluateMismatch(model, data.clips, opts)).toEqual(r);
  });

  it('scores every chip again with its output calibration, when given calibration clips', () => {
    const opts = { chips: 3, seed: 7, levels: [0, 0.3], leakMismatch: false };
    const plain = evaluateMismatch(model, data.clips, opts);
    expect(plain.calibrationClips).toBeNull();
    expect(plain.levels.every((l) => l.calibrated === null)).toBe(true);
    const cal = evaluateMismatch(model, data.clips, { ...opts, calibration: data.clips });
    expect(cal.calibrationClips).toBe(data.clips.length);
    // The uncalibrated figures are those of the plain run; no spread: calibration changes nothing.
    expect(cal.levels.map(({ calibrated: _c, ...l }) => l)).toEqual(plain.levels.map(({ calibrated: _c, ...l }) => l));
    const [exact, wide] = cal.levels;
    expect(exact.calibrated).toMatchObject({ mean: exact.mean, p5: exact.p5, accuracies: exact.accuracies });
    expect(wide.calibrated!.accuracies).toHaveLength(3);
    expect(evaluateMismatch(model, data.clips, { ...opts, calibration: data.clips })).toEqual(cal);
  });

  it('spends its clip budget on keyword clips first', () => {
    expect(mismatchSubset(data.clips, 8, 1).every((c) => c.keyword)).toBe(true);
    const s = mismatchSubset(data.clips, 15, 1);
    expect([s.filter((c) => c.keyword).length, s.length]).toEqual([12, 15]);
    expect(s.map((c) => c.file)).toEqual([...s.map((c) => c.file)].sort());
  });
});

describe('report and command line', () => {
  it('writes a self-contained report with every section', () => {
    const d = runEvaluation(model, MODEL_FILE, { data: dir, streamHours: 0.02, chips: 2, mismatchLevels: [0, 0.5] });
    const html = renderEvalReport(d);
    for (const h of [
      'Summary',
      'Confusion matrix',
      'Per speaker',
      'Streaming',
      'Fabrication mismatch',
      'Power per inference',
      'Spike raster',
    ])
      expect(html).toContain(h);
    expect(html).not.toMatch(/(src|href)=|<script|<link/i);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(d.rasters.map((r) => r.trueLabel)).toEqual(['high', 'low', '_background_']);
  });

  it("runs the README's example on the bundled flat examples folder", async () => {
    const args = [
      path.join(REPO_ROOT, 'cli', 'bin', 'nwave.js'),
      'eval',
      '--data',
      'models/examples',
      '--chips',
      '0',
      '--stream-hours',
      '0.01',
    ];
    const { stdout } = await promisify(execFile)(process.execPath, [...args, '--json'], { cwd: REPO_ROOT });
    const j = JSON.parse(stdout);
    expect(j.data.folders.map((f: { folder: string; label: string }) => [f.folder, f.label])).toEqual([
      ['_silence_', '_background_'],
      ['_unknown_', '_background_'],
      ['no', 'no'],
      ['yes', 'yes'],
    ]);
    expect(j.data.clips).toBe(6);
    // The bundled model rejects both non-keyword clips (silence: no spikes; "bed": background by
    // arg-max), and ranks most clips right.
    expect(j.rejection).toBe(1);
    expect(j.argmaxAccuracy).toBeGreaterThan(0.5);
    // After-word activity on the 4 keyword clips: the bundled model goes quiet after its words.
    expect(j.afterWordActivity).toMatchObject({ clips: 4, noPauseShare: 0 });
    expect(j.afterWordActivity.outputSpikesPerStep).toBeLessThan(1);
    const text = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT });
    expect(text.stdout).toContain('after-word activity: keyword neurons never pause for 0.1 s in 0 % of 4 keyword clips (output ');
    expect(text.stdout).not.toContain('warning: the model keeps firing');
  });

  it('nwave eval --stream-lead-in glues the stream keywords to other audio, and refuses a bad value naming the flag', async () => {
    const bin = path.join(REPO_ROOT, 'cli', 'bin', 'nwave.js');
    const base = [bin, 'eval', MODEL_FILE, '--data', dir, '--stream-hours', '0.02', '--chips', '0', '--stream-lead-in', '0.5'];
    const run = promisify(execFile);
    const j = JSON.parse((await run(process.execPath, [...base, '--json'], { cwd: REPO_ROOT })).stdout);
    expect(j.streaming.leadInS).toBe(0.5);
    expect(j.streaming.keywords).toBeGreaterThan(0);
    expect((await run(process.execPath, base, { cwd: REPO_ROOT })).stdout).toContain('(each right after 0.5 s of other speech)');
    const bad = await run(process.execPath, [...base.slice(0, -1), '20'], { cwd: REPO_ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in bad && bad.code).toBe(2);
    expect((bad as { stderr: string }).stderr).toContain('stream-lead-in');
  });

  it('nwave eval --json prints the documented shape and writes the report', async () => {
    const report = path.join(dir, 'out', 'report.html');
    mkdirSync(path.dirname(report), { recursive: true });
    const args = [
      path.join(REPO_ROOT, 'cli', 'bin', 'nwave.js'),
      'eval',
      MODEL_FILE,
      '--data',
      dir,
      '--json',
      '--stream-hours',
      '0.02',
      '--chips',
      '2',
      '--report',
      report,
    ];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT });
    const j = JSON.parse(stdout);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining([
        'accuracy',
        'argmaxAccuracy',
        'rejection',
        'confusion',
        'labels',
        'perClass',
        'perSpeaker',
        'streaming',
        'mismatch',
        'power',
        'clipsPerSecond',
      ]),
    );
    expect([j.accuracy, j.rejection]).toEqual([1, 1]);
    expect(Object.keys(j.streaming)).toEqual(
      expect.arrayContaining(['hours', 'keywords', 'misses', 'falseAcceptsPerHour', 'latencyMs', 'curve']),
    );
    expect(j.mismatch.levels.map((l: { stddev: number }) => l.stddev)).toEqual([0, 0.01, 0.02, 0.036, 0.05]);
    expect(Object.keys(j.power)).toEqual(expect.arrayContaining(['meanW', 'p5W', 'p95W', 'energyPerInferenceJ']));
    expect(existsSync(report)).toBe(true);
    const bad = await promisify(execFile)(process.execPath, [args[0], 'eval', MODEL_FILE, '--data', dir, '--chips', '-1'], {
      cwd: REPO_ROOT,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/--chips must be an integer in \[0, 10000\]/);
  });

  it('nwave eval --chip-calibration reports calibrated chips; a folder without audio is refused, naming it', async () => {
    const bin = path.join(REPO_ROOT, 'cli', 'bin', 'nwave.js');
    const base = [bin, 'eval', MODEL_FILE, '--data', dir, '--stream-hours', '0', '--chips', '2', '--mismatch-levels', '0,0.3'];
    const { stdout } = await promisify(execFile)(process.execPath, [...base, '--json', '--chip-calibration', dir], { cwd: REPO_ROOT });
    const j = JSON.parse(stdout);
    expect(j.mismatch.calibrationClips).toBe(data.clips.length);
    expect(j.mismatch.levels.map((l: { calibrated: { accuracies: unknown[] } }) => l.calibrated.accuracies.length)).toEqual([2, 2]);
    const human = await promisify(execFile)(process.execPath, [...base, '--chip-calibration', dir], { cwd: REPO_ROOT });
    expect(human.stdout).toMatch(/p5 \(90 % interval\) +min +calibrated mean +calibrated p5 \(90 % interval\)/);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'nwave-cal-'));
    try {
      writeFileSync(path.join(empty, 'notes.txt'), 'no audio here');
      const bad = await promisify(execFile)(process.execPath, [...base, '--chip-calibration', empty], { cwd: REPO_ROOT }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr).toContain(`--chip-calibration ${empty}: `);
      // A broken file is named and left out; the others calibrate the chips.
      mkdirSync(path.join(empty, 'any'));
      cpSync(path.join(dir, 'high', 'spk1_nohash_0.wav'), path.join(empty, 'any', 'ok.wav'));
      writeFileSync(path.join(empty, 'any', 'broken.wav'), 'RIFF not really');
      const partial = await promisify(execFile)(process.execPath, [...base, '--json', '--chip-calibration', empty], { cwd: REPO_ROOT });
      expect(partial.stderr).toContain(`skipped ${path.join(empty, 'any', 'broken.wav')}`);
      expect(JSON.parse(partial.stdout).mismatch.calibrationClips).toBe(1);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
