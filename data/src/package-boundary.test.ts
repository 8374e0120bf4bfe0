/**
 * @nwave/data is the tfjs-free half of training: the CLI and the app load it without TensorFlow.js.
 * Loads every entry point of the package in a fresh Node process with a resolve hook that logs each
 * package specifier, and checks that neither tfjs nor the trainer is among them (transitively,
 * through @nwave/runtime too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = path.resolve(DATA_DIR, '..');
const pkg = JSON.parse(readFileSync(path.join(DATA_DIR, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
};
const entryPoints = Object.keys(pkg.exports).map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nwave-data-boundary-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Package specifiers (not relative, not built-in) resolved while importing `modules` in a fresh Node. */
async function packagesLoaded(modules: readonly string[]): Promise<{ code: number; packages: string[]; stderr: string }> {
  const log = path.join(dir, `resolved-${Math.random().toString(36).slice(2)}.log`);
  const hook = path.join(dir, 'resolve-hook.mjs');
  writeFileSync(
    hook,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier)) appendFileSync(process.env.NWAVE_RESOLVE_LOG, specifier + '\\n');
  return next(specifier, context);
}
`,
  );
  const register = path.join(dir, 'register-hook.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const script = modules.map((m) => `await import(${JSON.stringify(m)});`).join('\n');
  return new Promise((resolve) => {
    // tsx first, then the hook: the last registered hook runs first, so it sees every specifier as written.
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--import', pathToFileURL(register).href, '--input-type=module', '-e', script],
      { cwd: REPO_ROOT, env: { ...process.env, NWAVE_RESOLVE_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => {
      const packages = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').trim().split('\n').filter(Boolean))] : [];
      resolve({ code: code ?? -1, packages, stderr });
    });
  });
}

const forbidden = (pkgs: string[]) => pkgs.filter((p) => /^(@tensorflow\/|@nwave\/training)/.test(p));

describe('@nwave/data package boundary', () => {
  it('declares no TensorFlow.js or trainer dependency', () => {
    expect(Object.keys(pkg.dependencies ?? {}).filter((d) => /^(@tensorflow\/|@nwave\/training)/.test(d))).toEqual([]);
  });

  it('loads every entry point without TensorFlow.js or the trainer', async () => {
    const r = await packagesLoaded(entryPoints);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    // The hook sees the package's own dependencies (so it would see tfjs if anything imported it).
    expect(r.packages).toEqual(expect.arrayContaining(['@nwave/runtime', 'tar']));
    expect(forbidden(r.packages)).toEqual([]);
  });

  it('the same hook does see TensorFlow.js when the trainer is loaded', async () => {
    const r = await packagesLoaded(['@nwave/training']);
    expect(r.code).toBe(0);
    expect(forbidden(r.packages)).toContain('@tensorflow/tfjs');
  });
});
