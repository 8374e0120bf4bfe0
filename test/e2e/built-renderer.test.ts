/**
 * The production renderer bundle (what Electron loads from app://app/) in Chromium, under the
 * exact CSP the Electron main process sends, with a preload-style `window.nwave` injected before
 * the page runs (the Electron binary itself cannot run here). Checks that the bundled capture
 * worklet and engine worker load under that CSP and that live detection works.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '@nwave/electron/handlers';
import { build } from 'vite';
import { contentSecurityPolicy } from '@nwave/electron/main/security';
import { rendererConfig } from '@nwave/renderer/vite.config';
import { chromiumSkipReason, openApp, readDebug } from './helpers/browser.js';
import { withPage } from './helpers/live-session.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const skip = chromiumSkipReason() ?? soxSkipReason();
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

describe.skipIf(!!skip)('built renderer under the Electron CSP (Chromium e2e)', () => {
  let outDir: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'nwave-renderer-build-'));
    const cfg = rendererConfig();
    await build({ ...cfg, configFile: false, logLevel: 'error', build: { ...cfg.build, outDir, sourcemap: false } });
    const csp = contentSecurityPolicy();
    server = createServer((req, res) => {
      const rel = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '') || 'index.html';
      const file = path.join(outDir, rel);
      fs.readFile(file).then(
        (body) => {
          res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp });
          res.end(body);
        },
        () => {
          res.writeHead(404);
          res.end();
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/index.html`;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('loads its worklet and worker and detects live, with no CSP or console errors', async () => {
    const model = readFileSync('test/fixtures/models/tones.nwave.json', 'utf8');
    await withPage(toneFixtures().high, async (page, log) => {
      // What electron/src/preload/preload.ts exposes, answered locally.
      await page.addInitScript(
        ({ text, defaults }: { text: string; defaults: object }) => {
          const settings = { ...defaults };
          const ok = <T>(v: T): Promise<T> => Promise.resolve(v);
          (window as unknown as { nwave: unknown }).nwave = {
            getAppInfo: () =>
              ok({
                version: '0.1.0',
                shell: 'electron',
                platform: 'linux',
                dialogs: true,
                userDataDir: '/tmp/x',
                modelsDir: '/tmp/x/models',
              }),
            getSettings: () => ok(settings),
            updateSettings: (patch: object) => ok(Object.assign(settings, patch)),
            loadDefaultModel: () => ok({ path: '/app/models/tones.nwave.json', name: 'tones.nwave.json', text, bundled: true }),
            listTrainingRuns: () => ok([]),
            listTrainingRecipes: () => ok([]),
            requestMicrophoneAccess: () => ok('granted'),
            onTrainingEvent: () => () => undefined,
            rendererReady: () => undefined,
            pathForFile: () => null,
          };
        },
        { text: model, defaults: DEFAULT_SETTINGS },
      );
      await openApp(page, url);
      expect(await page.evaluate(() => document.body.dataset.shell)).toBe('electron');
      await page.click('[data-testid=mic-toggle]');
      await page.waitForFunction(() => window.__nwaveDebug!.detections.length >= 2, undefined, { timeout: 8000 });
      const debug = await readDebug(page);
      expect(new Set(debug.detections.map((d) => d.label))).toEqual(new Set(['high']));
      expect(debug.spikesDrawn).toBeGreaterThan(0);
      expect(log.errors).toEqual([]);
    });
  });
});
