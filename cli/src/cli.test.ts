/** Runs the real `nwave` binary as a subprocess on WAV files written here. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '@nwave/runtime/wav';
import { REPO_ROOT } from './paths.js';
import { NWAVE_BIN, runNwave } from './run-cli.test-helper.js';

const MODEL = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'tones.nwave.json');
let dir = '';

const nwave = (...args: string[]) => runNwave(args);

function tone(freq: number, seconds: number, rate: number, amp = 0.3): Float64Array {
  return Float64Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-cli-'));
  writeFileSync(path.join(dir, 'low.wav'), encodeWav16(tone(400, 1, 16000), 16000));
  writeFileSync(path.join(dir, 'high-48k.wav'), encodeWav16(tone(4000, 1, 48000), 48000));
  writeFileSync(path.join(dir, 'quiet.wav'), encodeWav16(tone(1000, 1, 16000, 1e-5), 16000));
  // 5 s stream: 1 s silence, 1 s low tone, 1.5 s silence, 1 s high tone, 0.5 s silence
  const rate = 22050;
  const parts = [new Float64Array(rate), tone(400, 1, rate), new Float64Array(rate * 1.5), tone(4000, 1, rate), new Float64Array(rate / 2)];
  const long = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    long.set(p, o);
    o += p.length;
  }
  writeFileSync(path.join(dir, 'stream.wav'), encodeWav16(long, rate));
  writeFileSync(path.join(dir, 'corrupt.wav'), Buffer.from('RIFF1234WAVEjunkjunk'));
  writeFileSync(path.join(dir, 'broken.nwave.json'), '{"format": "nwave-checkpoint", "version": 1, "name": ');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nwave detect', () => {
  it('ends quietly when its output pipe closes early (`nwave detect DIR | head -1`)', async () => {
    const child = spawn(process.execPath, [NWAVE_BIN, 'detect', path.join(REPO_ROOT, 'models', 'examples')], { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Like `head -1`: read the first line, then close the reading end.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });

  it('classifies clips at any rate and rejects quiet input (--json, one object per line)', async () => {
    const r = await nwave(
      'detect',
      MODEL,
      path.join(dir, 'low.wav'),
      path.join(dir, 'high-48k.wav'),
      path.join(dir, 'quiet.wav'),
      '--json',
    );
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [path.basename(l.file), l.label, l.accepted])).toEqual([
      ['low.wav', 'low', true],
      ['high-48k.wav', 'high', true],
      ['quiet.wav', 'high', false],
    ]);
    expect(lines[0].confidence).toBeGreaterThan(0.8);
    expect(lines[0].spikeCounts).toHaveLength(3);
    expect(lines[0].spikeCounts[1]).toBeGreaterThan(lines[0].spikeCounts[0]);
    expect(lines[2].rejectedBy).toBe('too-few-spikes');
    expect(lines[0].powerW).toBeGreaterThan(0);
    expect(lines[0].estimate).toBe(true);
  });

  it('streams a long file and reports detections with times', async () => {
    const r = await nwave('detect', MODEL, path.join(dir, 'stream.wav'), '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.mode).toBe('stream');
    const d = res.detections as { label: string; startTime: number; endTime: number }[];
    expect(d.map((e) => e.label)).toEqual(['low', 'high']);
    expect(d[0].startTime).toBeGreaterThanOrEqual(0.95);
    expect(d[0].endTime).toBeLessThan(2.0);
    expect(d[1].startTime).toBeGreaterThanOrEqual(3.45);
    expect(d[1].endTime).toBeLessThan(4.5);
  });

  it('reports a corrupt WAV by name, keeps going, and exits 1', async () => {
    const r = await nwave('detect', MODEL, path.join(dir, 'corrupt.wav'), path.join(dir, 'low.wav'), '--json');
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].error).toContain('corrupt.wav');
    expect(lines[0].code).toBe('AUDIO_FORMAT');
    expect(lines[1].label).toBe('low');
  });

  it('names a malformed checkpoint and exits 2 without a stack trace', async () => {
    const r = await nwave('detect', path.join(dir, 'broken.nwave.json'), path.join(dir, 'low.wav'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.nwave\.json: not valid JSON/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('nwave detect --backend', () => {
  const DEFAULT = path.join(REPO_ROOT, 'models', 'default.nwave.json');
  const EXAMPLES = path.join(REPO_ROOT, 'models', 'examples');
  const parse = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('onnx gives the same JSON (labels, spike counts, decisions, power) as the js runtime on the real examples', async () => {
    const [js, onnx] = await Promise.all([
      nwave('detect', DEFAULT, EXAMPLES, '--json'),
      nwave('detect', DEFAULT, EXAMPLES, '--json', '--backend', 'onnx'),
    ]);
    expect([js.code, onnx.code, onnx.stderr]).toEqual([0, 0, '']);
    const a = parse(js.stdout);
    const b = parse(onnx.stdout);
    expect(a).toHaveLength(6);
    expect(a.every((r) => r.mode === 'clip')).toBe(true);
    expect(b.map((r) => [path.basename(String(r.file)), r.label, r.spikeCounts])).toEqual(
      a.map((r) => [path.basename(String(r.file)), r.label, r.spikeCounts]),
    );
    expect(a.every((r) => r.backend === 'js') && b.every((r) => r.backend === 'onnx')).toBe(true);
    const rest = ({ backend: _b, ...r }: Record<string, unknown>) => r;
    expect(b.map(rest)).toEqual(a.map(rest)); // every other field, confidence and power included
    const yes = a.find((r) => path.basename(String(r.file)).startsWith('yes-'));
    expect(yes?.label).toBe('yes');
  });

  it('onnx streams a long file through ONNX Runtime with the same detections as the js runtime', async () => {
    const file = path.join(dir, 'stream.wav');
    const [js, onnx] = await Promise.all([
      nwave('detect', MODEL, file, '--json'),
      nwave('detect', MODEL, file, '--json', '--backend', 'onnx'),
    ]);
    expect([js.code, onnx.code, onnx.stderr]).toEqual([0, 0, '']);
    const [a] = parse(js.stdout);
    const [b] = parse(onnx.stdout);
    expect([a.mode, a.backend, b.mode, b.backend]).toEqual(['stream', 'js', 'stream', 'onnx']);
    expect((a.detections as unknown[]).length).toBeGreaterThan(0);
    expect(b.detections).toEqual(a.detections);
    expect([b.spikeCounts, b.energyJ]).toEqual([a.spikeCounts, a.energyJ]);
  });

  it('refuses an unknown backend (exit 2)', async () => {
    const r = await nwave('detect', MODEL, path.join(dir, 'low.wav'), '--backend', 'tpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--backend must be one of js, onnx/);
  });
});

describe('input-contrast gate (--min-input-contrast, detector.minInputContrast)', () => {
  it('rejects a steady tone as steady-input, whole-clip and streaming; nwave info shows the setting only when on', async () => {
    const detect = async (...flags: string[]) => {
      const r = await nwave('detect', MODEL, path.join(dir, 'low.wav'), '--json', ...flags);
      expect([r.code, r.stderr]).toEqual([0, '']);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const base = await detect();
    expect(base).toMatchObject({ label: 'low', accepted: true });
    expect(await detect('--min-input-contrast', '0')).toEqual(base);
    const gated = await detect('--min-input-contrast', '1.5');
    expect(gated).toMatchObject({ label: 'low', accepted: false, rejectedBy: 'steady-input', spikeCounts: base.spikeCounts });
    expect(((await detect('--stream')).detections as unknown[]).length).toBeGreaterThan(0);
    expect((await detect('--stream', '--min-input-contrast', '1.5')).detections).toEqual([]);

    const info = async (model: string) => (await nwave('info', model)).stdout.split('\n').find((l) => l.startsWith('Detector'));
    expect(await info(MODEL)).not.toMatch(/contrast/);
    const ck = JSON.parse(readFileSync(MODEL, 'utf8'));
    const gatedModel = path.join(dir, 'gated.nwave.json');
    writeFileSync(gatedModel, JSON.stringify({ ...ck, detector: { ...ck.detector, minInputContrast: 2 } }));
    expect(await info(gatedModel)).toMatch(/input level >= 0\.5, input contrast >= 2 \(peak \/ mean\), refractory/);
    const r = await nwave('detect', gatedModel, path.join(dir, 'low.wav'), '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: false, rejectedBy: 'steady-input' });
  });
});

describe('nwave info', () => {
  it('prints layers, parameters, constraint report and projected power', async () => {
    const r = await nwave('info', MODEL, '--input', path.join(dir, 'low.wav'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Parameters\s+173/);
    expect(r.stdout).toMatch(/Constraints \(h1v1-estimate\): OK/);
    expect(r.stdout).toMatch(/sign-groups/);
    expect(r.stdout).toMatch(/Projected chip power — ESTIMATE/);
    const j = JSON.parse((await nwave('info', MODEL, '--json', '--input', path.join(dir, 'low.wav'))).stdout);
    expect(j.parameters).toBe(173);
    expect(j.constraints.ok).toBe(true);
    expect(j.power.totalW).toBeGreaterThan(0);
  });

  it('reads a version-2 checkpoint with recurrent layers: recurrent weights in the parameters', async () => {
    const rec = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'recurrent.nwave.json');
    const r = await nwave('info', rec, '--input', path.join(dir, 'low.wav'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nwave-checkpoint v2/);
    // hidden: 13 x 24 feed-forward + 24 x 24 recurrent = 888 weights
    expect(r.stdout).toMatch(/hidden\s+dense\+rec\s+13\s+24\s+888 \(576 rec\)/);
    expect(r.stdout).toMatch(/ok\s+recurrent-core/);
    const j = JSON.parse((await nwave('info', rec, '--json', '--input', path.join(dir, 'low.wav'))).stdout);
    expect(j.version).toBe(2);
    expect(j.parameters).toBe(13 + 888 + 24 * 3);
    expect(j.layers[1]).toMatchObject({ recurrent: true, parameters: 888, recurrentParameters: 576 });
  });

  it('names the chip and its profile; an H1v2 model shows its placement and uncalibrated power', async () => {
    const v1 = await nwave('info', MODEL, '--input', path.join(dir, 'low.wav'));
    expect(v1.stdout).toMatch(
      /^Chip\s+Neuronova H1 \(H1v1\) \(profile h1v1-estimate\): 4 cores 64\+64\+64\+64, .*power calibrated estimate$/m,
    );
    const h1v2 = path.join(REPO_ROOT, 'test', 'fixtures', 'models', 'h1v2.nwave.json');
    const r = await nwave('info', h1v2, '--input', path.join(dir, 'low.wav'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Chip\s+Neuronova H1v2 \(profile h1v2-estimate\): 3 cores 50\+50\+100 .*subtractive reset, tau on 5\/10\/20\/50\/100 ms, power UNCALIBRATED estimate$/m,
    );
    expect(r.stdout).toMatch(/Constraints \(h1v2-estimate\): OK/);
    expect(r.stdout).toMatch(/ok\s+core-placement\s+layers placed on the cores: hidden1 -> core 0; hidden2 -> core 1; output -> core 2/);
    expect(r.stdout).toMatch(/ESTIMATE from profile h1v2-estimate \(UNCALIBRATED for this chip\)/);
    expect(r.stdout).toMatch(/inference \(projected estimate, uncalibrated profile\)/);
    const j = JSON.parse((await nwave('info', h1v2, '--json', '--input', path.join(dir, 'low.wav'))).stdout);
    expect(j.chip).toMatchObject({ id: 'h1v2-estimate', name: 'Neuronova H1v2', powerCalibrated: false });
    expect(j.power.calibrated).toBe(false);
    const d = await nwave('detect', h1v2, path.join(dir, 'low.wav'));
    expect(d.stdout).toMatch(/\(projected estimate, uncalibrated profile\)/);
  });
});

describe('nwave start-up', () => {
  /** Packages the process imports (bare specifiers, built-ins left out), logged by a module resolve hook. */
  async function packagesLoaded(...args: string[]): Promise<{ code: number; packages: string[] }> {
    const log = path.join(dir, `resolved-${Math.random().toString(36).slice(2)}.log`);
    const hook = path.join(dir, 'log-resolve.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier) && !builtin(specifier)) appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
  return next(specifier, context);
}
const builtin = (s) => ['fs', 'path', 'os', 'url', 'module', 'util', 'crypto', 'child_process', 'events', 'stream', 'zlib', 'net', 'worker_threads'].includes(s.split('/')[0]);
`,
    );
    const register = path.join(dir, 'register-hook.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
    const r = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, NWAVE_BIN, ...args], {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      });
      child.on('close', (code) => resolve(code ?? -1));
    });
    const packages = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').trim().split('\n').filter(Boolean))] : [];
    return { code: r, packages };
  }
  const heavy = (pkgs: string[]) => pkgs.filter((p) => /^(@tensorflow|onnxruntime|naudiodon|protobufjs|tar|cli-progress)/.test(p));

  it('runs the built CLI (no TypeScript loader) and loads no heavy package for --version or detect', async () => {
    const version = await packagesLoaded('--version');
    expect(version.code).toBe(0);
    expect(version.packages.filter((p) => p === 'tsx' || p.startsWith('tsx/'))).toEqual([]);
    expect(heavy(version.packages)).toEqual([]);
    const detect = await packagesLoaded('detect', MODEL, path.join(dir, 'low.wav'));
    expect(detect.code).toBe(0);
    expect(heavy(detect.packages)).toEqual([]);
    // The hook does see a heavy package when a command needs it.
    const onnx = await packagesLoaded('detect', MODEL, path.join(dir, 'low.wav'), '--backend', 'onnx');
    expect(onnx.code).toBe(0);
    expect(heavy(onnx.packages)).toContain('onnxruntime-web');
  });
});
