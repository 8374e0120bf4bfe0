/**
 * The bundled Electron main process (as `npm run build:app` makes it) started under plain Node
 * with a recording stand-in for the `electron` module (the Electron binary cannot run here):
 * window security flags, the app:// scheme and CSP, the permission policy, the IPC surface.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { INVOKE_ARG_SCHEMAS } from '../shared/ipc-schemas.js';

const STUB = fileURLToPath(new URL('./test-fixtures/electron-stub.cjs', import.meta.url));

describe('bundled main process (electron stubbed)', () => {
  let dir: string;
  let out: Record<string, unknown> & {
    page: { status: number; csp: string; type: string; body: string };
    info: { ok: boolean; value: Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nwave-main-'));
    const dist = path.join(dir, 'electron', 'dist');
    // The same esbuild settings as electron/scripts/build.ts.
    await build({
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      logLevel: 'silent',
      external: ['electron'],
      define: { 'import.meta.url': '__nwaveImportMetaUrl' },
      banner: { js: "const __nwaveImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
      outfile: path.join(dist, 'main.cjs'),
    });
    mkdirSync(path.join(dir, 'renderer', 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'renderer', 'dist', 'index.html'), '<!doctype html><title>nwave</title>');
    const stdout = execFileSync(process.execPath, ['--require', STUB, path.join(dist, 'main.cjs')], {
      env: {
        ...process.env,
        NWAVE_STUB_APP_ROOT: path.resolve('.'),
        NWAVE_STUB_USER_DATA: path.join(dir, 'user-data'),
        NWAVE_PROFILE: path.resolve('test/fixtures/profiles/tones-presentation.json'),
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    out = JSON.parse(stdout.trim().split('\n').at(-1)!);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens one hardened window on app://app/', () => {
    expect(out.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((out.webPreferences as { preload: string }).preload)).toMatch(/electron[\\/]dist[\\/]preload\.cjs$/);
    expect(out.loaded).toEqual(['app://app/index.html']);
    expect(out.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
    expect(out.windowOpen).toEqual({ action: 'deny' });
    expect(out.sandboxAll).toBe(true); // app.enableSandbox(): every renderer sandboxed
    expect(out.wcEvents).toEqual(expect.arrayContaining(['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview']));
    expect(out.quitHandler).toBe('function');
  });

  it('loads the demo profile named by NWAVE_PROFILE, and offers File > Open demo profile…', () => {
    expect(out.profile).toMatchObject({
      ok: true,
      value: { profile: { title: 'Tone spotting on H1 — Acme demo', layout: 'presentation' } },
    });
    const file = (out.menu as { label: string; items: string[] }[]).find((m) => m.label === 'File');
    expect(file?.items).toContain('Open demo profile…');
  });

  it('serves the renderer with the strict CSP and nothing outside it', () => {
    expect(out.page.status).toBe(200);
    expect(out.page.type).toMatch(/text\/html/);
    expect(out.page.body).toContain('<title>nwave</title>');
    expect(out.page.csp).toContain("script-src 'self'");
    // Only WebAssembly compilation is allowed (ONNX Runtime Web); never JS eval or inline code.
    expect(out.page.csp).not.toMatch(/'unsafe-(eval|inline|hashes)'/);
    expect(out.page.csp).toContain("'wasm-unsafe-eval'");
    expect(out.escapeStatus).toBe(404);
  });

  it('grants the microphone to the app only, and nothing else', () => {
    expect(out.mic).toBe(true);
    expect(out.camera).toBe(false);
    expect(out.foreignMic).toBe(false);
    expect(out.emptyMediaTypes).toBe(false); // an empty list would mean any media
    expect(out.geolocation).toBe(false);
  });

  it('registers exactly the contract channels and answers only the app window', () => {
    expect(out.channels).toEqual(Object.keys(INVOKE_ARG_SCHEMAS).sort());
    expect(out.info).toMatchObject({ ok: true, value: { shell: 'electron', version: '0.1.0-stub', dialogs: true } });
    expect(out.foreign).toMatchObject({ ok: false, error: { code: 'STATE' } });
  });
});
