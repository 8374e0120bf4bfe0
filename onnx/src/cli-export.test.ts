/** `nwave export-onnx`, run as the real binary in a subprocess. */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeCheckpoint } from '@nwave/runtime';
// Relative: the benchmark helpers (bench/) are repo-level tooling, not a workspace package.
import { tutorialSizeCheckpoint } from '../../bench/bench-utils.js';
import { readOnnxMetadata } from './metadata.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BIN = path.join(ROOT, 'cli', 'bin', 'nwave.js');
const CLIPS = path.join(ROOT, 'test', 'fixtures', 'audio', 'speech-commands');
let dir = '';

async function nwave(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT })) };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-cli-onnx-'));
  copyFileSync(path.join(ROOT, 'test/fixtures/models/tones.nwave.json'), path.join(dir, 'tones.nwave.json'));
  writeFileSync(path.join(dir, 'broken.nwave.json'), '{"format": "nwave-checkpoint", "version": 1, "name": ');
  const ck = tutorialSizeCheckpoint(9);
  ck.network.layers[1].weights.bits = 6;
  writeFileSync(path.join(dir, 'six-bit.nwave.json'), serializeCheckpoint(ck));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nwave export-onnx', () => {
  it('writes MODEL.onnx next to the model by default and verifies parity on real clips (--json)', async () => {
    const r = await nwave('export-onnx', path.join(dir, 'tones.nwave.json'), '--verify', CLIPS, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      out: path.join(dir, 'tones.onnx'),
      name: 'tones-fixture',
      opset: 17,
      violations: [],
      parity: { clips: 10, identical: true, mismatches: [] },
    });
    const meta = readOnnxMetadata(readFileSync(path.join(dir, 'tones.onnx'))).metadata;
    expect(meta.labels).toEqual(['high', 'low', '_background_']);
  });

  it('names the file of a malformed checkpoint and exits 2 without writing', async () => {
    const r = await nwave('export-onnx', path.join(dir, 'broken.nwave.json'), '--out', path.join(dir, 'broken.onnx'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.nwave\.json: not valid JSON/);
    expect(existsSync(path.join(dir, 'broken.onnx'))).toBe(false);
  });

  it('lists chip-rule violations, and exports them into the metadata with --allow-violations', async () => {
    const out = path.join(dir, 'six.onnx');
    const refused = await nwave('export-onnx', path.join(dir, 'six-bit.nwave.json'), '-o', out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/six-bit\.nwave\.json: not compliant.*\n.*\[quantization-grid\] hidden: 6-bit weights/);
    expect(existsSync(out)).toBe(false);
    const ok = await nwave('export-onnx', path.join(dir, 'six-bit.nwave.json'), '-o', out, '--allow-violations');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/wrote .*six\.onnx .*\n.*Scan over time.*\n.*1 chip-rule violations recorded/);
    expect(readOnnxMetadata(readFileSync(out)).metadata.violations[0].rule).toBe('quantization-grid');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
