/**
 * The browser dev server's API (what the `window.nwave` shim talks to), over real HTTP: the same
 * handler functions as the Electron main process, the same validation, training events as SSE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '@nwave/electron/shared/wire-codec';
import { startWebServer, type WebServer } from '@nwave/renderer/dev/web-server';

describe('dev API over HTTP (npm run web)', () => {
  let web: WebServer;
  let userData: string;
  const invoke = async (
    channel: string,
    args: unknown[],
    headers: Record<string, string> = { 'x-nwave-shim': '1' },
  ): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${web.url}__nwave/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: encodeWire(args),
    });
    return { status: res.status, body: decodeWire(await res.text()) };
  };

  beforeAll(async () => {
    userData = mkdtempSync(path.join(tmpdir(), 'nwave-devapi-'));
    web = await startWebServer({
      port: 0,
      userDataDir: userData,
      trainerModule: 'file:///nonexistent/nwave-trainer.js',
      hmr: false,
      cacheDir: path.join(userData, 'vite-cache'),
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await web?.close();
    // Vite's dependency optimizer can still be renaming its deps_temp folder just after close():
    // retry on ENOTEMPTY instead of failing the suite in its cleanup.
    rmSync(userData, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });

  it('serves the page with the CSP header', async () => {
    const res = await fetch(web.url);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('nwave');
  });

  it('answers invokes with the handlers of the main process', async () => {
    expect(await invoke('app:info', [])).toMatchObject({
      status: 200,
      body: { ok: true, value: { shell: 'web', dialogs: false, userDataDir: expect.stringMatching(/^cap-appdata:/) } },
    });
    const saved = await invoke('settings:update', [{ rasterWindowS: 8 }]);
    expect(saved.body).toMatchObject({ ok: true, value: { rasterWindowS: 8 } });
    const rec = await invoke('recording:save', [
      { folder: userData, word: 'yes', sampleRateHz: 16000, samples: new Float32Array(1600).fill(0.1) },
    ]);
    expect(rec.body).toMatchObject({ ok: true, value: { clips: 1 } });
  });

  it('refuses requests without the shim header or with a foreign Host, and invalid arguments', async () => {
    expect((await invoke('app:info', [], {})).status).toBe(403);
    // DNS rebinding: a page on another name resolving to 127.0.0.1 sends its own Host header.
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${web.url}__nwave/invoke/app:info`);
      const req = request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { host: 'evil.example', 'x-nwave-shim': '1' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('[]');
    });
    expect(status).toBe(403);
    expect((await invoke('model:read', ['../x.json'])).body).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect((await invoke('no:such-channel', [])).body).toMatchObject({
      ok: false,
      error: { message: 'unknown channel "no:such-channel"' },
    });
  });

  it('streams training events as Server-Sent Events (here: trainer unavailable)', async () => {
    const abort = new AbortController();
    const res = await fetch(`${web.url}__nwave/events`, { signal: abort.signal });
    const reader = res.body!.getReader();
    const started = await invoke('training:start', [{ data: userData, words: ['yes'], background: true, epochs: 1 }]);
    expect(started.body).toMatchObject({ ok: true, value: { runId: expect.stringMatching(/^run-/) } });
    let text = '';
    while (!text.includes('"failed"')) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    expect(text).toContain('event: training:event');
    expect(text).toContain('training is not available');
    const runs = await invoke('training:runs', []);
    expect(runs.body).toMatchObject({ ok: true, value: [{ status: 'failed' }] });
  });
});
