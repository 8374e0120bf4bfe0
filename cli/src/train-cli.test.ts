/**
 * The real `nwave train` process on a small tone data set (fast, deterministic): per-epoch table,
 * export, --resume, Ctrl-C keeping the best epoch, and clear errors for bad flags and folders.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H1V2_ESTIMATE, NwaveModel, checkConstraints, parseCheckpoint } from '@nwave/runtime';
import { encodeWav16 } from '@nwave/runtime/wav';
import { NWAVE_BIN, runNwave } from './run-cli.test-helper.js';

let dir = '';

const nwave = (...args: string[]) => runNwave(args, dir);

/** A 1 s clip: a tone burst in a frequency band at a random level and position, over faint noise. */
function clip(lo: number, hi: number, seed: number, rate = 16000): Float64Array {
  let s = seed * 2654435761;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const f = lo + (hi - lo) * rnd();
  const amp = lo > 0 ? 0.05 + 0.3 * rnd() : 0;
  const start = Math.floor(rnd() * 0.4 * rate);
  return Float64Array.from({ length: rate }, (_, i) => {
    const on = i >= start && i < start + 0.5 * rate ? 1 : 0;
    return on * amp * Math.sin((2 * Math.PI * f * i) / rate) + 0.002 * (rnd() - 0.5);
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-train-cli-'));
  const classes: Record<string, [number, number]> = { high: [2500, 4000], low: [300, 600], _silence_: [0, 0] };
  for (const [name, [lo, hi]] of Object.entries(classes)) {
    mkdirSync(path.join(dir, 'data', name), { recursive: true });
    for (let i = 0; i < 24; i++) writeFileSync(path.join(dir, 'data', name, `${name}-${i}.wav`), encodeWav16(clip(lo, hi, i + 1), 16000));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const common = [
  '--data',
  'data',
  '--words',
  'high,low',
  '--background',
  '--hidden',
  '16',
  '--batch-size',
  '8',
  '--seed',
  '5',
  '--lr',
  '0.003',
];
const epochRows = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => /^\s+\d+\s+\d/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));

describe('nwave train (subprocess)', () => {
  it('prints the per-epoch table, exports a compliant checkpoint and its runtime figures', async () => {
    const r = await nwave('train', ...common, '--epochs', '3', '--out', 'm.nwave.json');
    expect(r.stderr).not.toMatch(/Error:|at .*\.ts:\d+/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/epoch\s+loss\s+CE\s+topo/);
    expect(epochRows(r.stdout)).toEqual([1, 2, 3]);
    expect(r.stdout).toMatch(/wrote m\.nwave\.json \(best epoch \d\)/);
    expect(r.stdout).toMatch(/validation: accuracy +\d+\.\d%/);
    const ck = parseCheckpoint(readFileSync(path.join(dir, 'm.nwave.json'), 'utf8'), 'm.nwave.json');
    expect(ck.labels).toEqual(['_background_', 'high', 'low']);
    expect(new NwaveModel(ck).constraints().ok).toBe(true);
    expect(ck.provenance.command).toContain('train --data data --words high,low');
    expect(existsSync(path.join(dir, 'm.report.html'))).toBe(true);
  });

  it('--resume continues after the saved epoch', async () => {
    await nwave('train', ...common, '--epochs', '2', '--out', 'r.nwave.json');
    const r = await nwave('train', ...common, '--epochs', '4', '--out', 'r.nwave.json', '--resume');
    expect(r.code).toBe(0);
    expect(epochRows(r.stdout)).toEqual([3, 4]);
  });

  it('Ctrl-C stops after the current batch, writes the best epoch so far and exits 130 (interrupted)', async () => {
    const child = spawn(process.execPath, [NWAVE_BIN, 'train', ...common, '--epochs', '50', '--out', 'c.nwave.json'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        // One Ctrl-C only: a second one means "quit at once" (exit 130) by design.
        if (!sent && epochRows(stdout).length >= 1) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', resolve);
    });
    // 130 = 128 + SIGINT: a script must not take an interrupted run for a finished one (issue 14).
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping after this batch/);
    expect(stdout).toMatch(/wrote c\.nwave\.json \(best epoch \d+, interrupted\)/);
    expect(epochRows(stdout).length).toBeLessThan(5);
    expect(() => parseCheckpoint(readFileSync(path.join(dir, 'c.nwave.json'), 'utf8'), 'c.nwave.json')).not.toThrow();
  });

  it('--chip h1v2 on the example clips: an H1v2 checkpoint that passes the H1v2 checker and runs bit-exact in ONNX', async () => {
    // The fixture clips in class folders (the Speech Commands excerpt the bundled examples come from).
    cpSync(path.resolve(import.meta.dirname, '../../test/fixtures/audio/speech-commands'), path.join(dir, 'examples'), { recursive: true });
    const args = ['--data', 'examples', '--words', 'yes,no', '--background', '--hidden', '16', '--batch-size', '4', '--seed', '3'];
    const r = await nwave(
      'train',
      ...args,
      '--chip',
      'h1v2',
      '--epochs',
      '2',
      '--val-split',
      '0.3',
      '--test-split',
      '0',
      '--out',
      'v2.nwave.json',
    );
    expect(r.stderr).not.toMatch(/Error:|at .*\.ts:\d+/);
    expect(r.code).toBe(0);
    // The default tau (64 ms) is not an H1v2 profile: snapped to 50 ms, and said so.
    expect(r.stderr).toMatch(/snapped .*64 ms -> 50 ms/);
    const ck = parseCheckpoint(readFileSync(path.join(dir, 'v2.nwave.json'), 'utf8'), 'v2.nwave.json');
    expect(ck.chipProfile).toBe('h1v2-estimate');
    expect(ck.network.layers.map((l) => l.weights.wMax)).toEqual([1.66, 1.66, 1.66]);
    expect(checkConstraints(ck, H1V2_ESTIMATE).violations).toEqual([]);
    const info = await nwave('info', 'v2.nwave.json', '--json');
    expect(JSON.parse(info.stdout).chip).toMatchObject({ id: 'h1v2-estimate', name: 'Neuronova H1v2', powerCalibrated: false });
    const onnx = await nwave('export-onnx', 'v2.nwave.json', '--out', 'v2.onnx', '--verify', 'examples', '--json');
    expect(onnx.code).toBe(0);
    const parity = JSON.parse(onnx.stdout).parity;
    expect(parity.clips).toBe(10);
    expect(parity.identical).toBe(true);
    // Flags the chip cannot honour stop before any data is read.
    const unknown = await nwave('train', ...args, '--chip', 'h9', '--epochs', '1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--chip: unknown chip "h9" (known: h1v1, h1v2');
    const sigma = await nwave('train', ...args, '--chip', 'h1v2', '--mismatch', '0.03', '--epochs', '1');
    expect(sigma.code).toBe(2);
    expect(sigma.stderr).toMatch(/--mismatch: Neuronova H1v2 has no synaptic mismatch/);
  });

  it('--recipe: listed in --help, an unknown name refused, the flags override it, and the checkpoint records it', async () => {
    const help = await nwave('train', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--recipe <name>');
    expect(help.stdout).toMatch(/Recipes \(--recipe.*\n\s+sdk\s+\S.*\n\s+keyword-spotter\s+\S/);
    const bad = await nwave('train', ...common, '--recipe', 'kws', '--epochs', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--recipe: unknown recipe "kws" (known: sdk, keyword-spotter)');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const r = await nwave('train', ...common, '--recipe', 'keyword-spotter', '--epochs', '1', '--out', 'kws.nwave.json');
    expect(r.code).toBe(0);
    const ck = parseCheckpoint(readFileSync(path.join(dir, 'kws.nwave.json'), 'utf8'), 'kws.nwave.json');
    const notes = /^recipe: keyword-spotter; train config: (\{.*\})$/.exec(ck.provenance.notes ?? '');
    expect(notes, ck.provenance.notes).not.toBeNull();
    // The recipe's settings, with the flags of `common` over them.
    expect(JSON.parse(notes![1])).toMatchObject({
      recurrent: true,
      learnTaus: true,
      lrSchedule: 'cosine',
      hidden: [16],
      batchSize: 8,
      lrCore: 0.003,
      epochs: 1,
    });
    expect(ck.network.outputPopulation).toBeGreaterThan(1); // a sign group per class, as the recipe asks
  });

  it('refuses bad flags, folders and config files before training, naming the problem', async () => {
    const typo = await nwave('train', ...common, '--epochs', '4O');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--epochs: expected an integer ≥ 1 and ≤ 100000, got "4O"');
    const missing = await nwave('train', '--data', 'nowhere', '--words', 'yes', '--epochs', '1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere/);
    const word = await nwave('train', '--data', 'data', '--words', 'yes', '--epochs', '1');
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/word folder\(s\) not found in data: yes \(available: _silence_, high, low\)/);
    writeFileSync(path.join(dir, 'bad.json'), '{"hiden": [8]}');
    const cfg = await nwave('train', ...common, '--config', 'bad.json');
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toMatch(/bad\.json: invalid training config: .*hiden/);
    for (const r of [typo, missing, word, cfg]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, 'model.nwave.json'))).toBe(false);
  });
});
