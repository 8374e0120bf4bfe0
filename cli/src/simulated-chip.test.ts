/**
 * `nwave detect --simulated-chip K [--chip-seed S] [--chip-calibration DIR]`: the bundled default
 * model's chip K on the bundled real example clips gives exactly what the runtime's chip instance
 * (and its calibration) gives, differs from the nominal network, and bad flags stop before any work.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NwaveModel, chipInstanceModel, outputCalibrator, sampleChips, withCountGains } from '@nwave/runtime';
import { loadEvalData } from './eval/dataset.js';
import { REPO_ROOT } from './paths.js';
import { runNwave } from './run-cli.test-helper.js';
import { parseChipOptions } from './simulated-chip.js';

const DEFAULT = path.join(REPO_ROOT, 'models', 'default.nwave.json');
const EXAMPLES = path.join(REPO_ROOT, 'models', 'examples');
const CALIBRATION = path.join(REPO_ROOT, 'test', 'fixtures', 'audio', 'speech-commands');
const model = NwaveModel.fromJSON(readFileSync(DEFAULT, 'utf8'), DEFAULT);
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.wav'))
  .sort();

type Row = { file: string; label: string; accepted: boolean; spikeCounts: number[] };
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
    .sort((a, b) => a.file.localeCompare(b.file));
/** What the runtime itself says for each example clip on `m`. */
const expected = (m: NwaveModel) =>
  files.map((f) => {
    const wav = loadEvalData(m, EXAMPLES).clips.find((c) => c.file === f)!;
    const r = m.classifyFeatures(wav.features, wav.frames);
    return { label: r.label, accepted: r.accepted, spikeCounts: r.spikeCounts };
  });
/** Chip k of `nwave eval --chips N --seed S` (the Monte Carlo's own draws). */
const chip = (seed: number, k: number) => chipInstanceModel(model, sampleChips(model, k + 1, seed)[k]);

describe('nwave detect --simulated-chip', () => {
  it('runs chip k of the Monte Carlo, not the nominal network', async () => {
    const r = await runNwave(['detect', DEFAULT, EXAMPLES, '--json', '--simulated-chip', '3', '--chip-seed', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('simulated chip 3, seed 2');
    const got = rows(r.stdout).map(({ label, accepted, spikeCounts }) => ({ label, accepted, spikeCounts }));
    expect(got).toEqual(expected(chip(2, 3)));
    expect(got.map((g) => g.spikeCounts)).not.toEqual(expected(model).map((e) => e.spikeCounts));
  });

  it('--chip-calibration calibrates that chip on unlabeled audio first, as the runtime does', async () => {
    const r = await runNwave(['detect', DEFAULT, EXAMPLES, '--json', '--simulated-chip', '3', '--chip-calibration', CALIBRATION]);
    expect(r.code).toBe(0);
    const clips = loadEvalData(model, CALIBRATION).clips;
    expect(r.stderr).toContain(`calibrated on ${clips.length} clips of ${CALIBRATION}: counts _background_ x`);
    const c = chip(1, 3);
    const calibrated = withCountGains(c, outputCalibrator(model, clips)(c).countGains);
    const got = rows(r.stdout);
    expect(got.map(({ label, accepted, spikeCounts }) => ({ label, accepted, spikeCounts }))).toEqual(expected(calibrated));
    // Calibration changes the decision, never the chip's spikes.
    expect(got.map((g) => g.spikeCounts)).toEqual(expected(c).map((e) => e.spikeCounts));
  });

  it('refuses bad values and flags that need a simulated chip, before any work (exit 2)', async () => {
    for (const [flags, message] of [
      [['--simulated-chip', '-1'], '--simulated-chip must be an integer in [0, 9999]'],
      [['--simulated-chip', '1.5'], '--simulated-chip must be an integer'],
      [['--chip-seed', '4'], '--chip-seed needs --simulated-chip K'],
      [['--chip-calibration', CALIBRATION], '--chip-calibration needs --simulated-chip K'],
      [['--simulated-chip', '1', '--backend', 'onnx'], 'js backend only'],
      [
        ['--simulated-chip', '1', '--chip-calibration', path.join(EXAMPLES, 'LICENSE')],
        `--chip-calibration ${path.join(EXAMPLES, 'LICENSE')}`,
      ],
    ] as const) {
      const r = await runNwave(['detect', DEFAULT, EXAMPLES, '--json', ...flags]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain(message);
    }
    const listen = await runNwave(['listen', '--chip-seed', '3', '--duration', '1']);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toContain('--chip-seed needs --simulated-chip K');
  });

  it('parses the flags (null: the nominal network)', () => {
    expect(parseChipOptions({})).toBeNull();
    expect(parseChipOptions({ simulatedChip: '7' })).toEqual({ index: 7, seed: 1 });
    expect(parseChipOptions({ simulatedChip: '0', chipSeed: '9', chipCalibration: 'dir' })).toEqual({
      index: 0,
      seed: 9,
      calibration: 'dir',
    });
    expect(parseChipOptions({ simulatedChip: '2', backend: 'js' })).toEqual({ index: 2, seed: 1 });
  });
});
