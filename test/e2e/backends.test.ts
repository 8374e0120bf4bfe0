/**
 * End to end in Debian Chromium: the committed example clips classified by the default model on
 * the JS runtime and on ONNX Runtime Web (loaded lazily, WASM served by Vite) side by side, with
 * identical results; and the Live tab's file backend switch.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NwaveModel } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp } from './helpers/browser.js';
import { ARTIFACTS, withPage } from './helpers/live-session.js';

const MODEL = path.resolve('models/default.nwave.json');
const WAVS = ['yes-0cb74144_nohash_0.wav', 'no-0c40e715_nohash_0.wav'].map((f) => path.resolve('models/examples', f));
const skip = chromiumSkipReason();
if (skip) console.warn(`[e2e] backends skipped: ${skip}`);

const ortLoaded = (): boolean => performance.getEntriesByType('resource').some((e) => /ort-wasm|onnxruntime-web/.test(e.name));

describe.skipIf(!!skip)('backends side by side (Chromium e2e)', () => {
  const server = useWebServer('backends', [{ path: MODEL }]);

  it('reads FLAC, MP3 and OGG files like WAV (the browser decodes them)', async () => {
    // Made by sox in the test run's global setup (scripts/build-fixtures.ts).
    const dir = path.resolve('test/.fixtures/formats');
    const files = ['yes.wav', 'yes.flac', 'yes.mp3', 'yes.ogg'].map((f) => path.join(dir, f));
    await withPage(files[0], async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=backend-open]')]);
      await chooser.setFiles(files);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=backend-badge]').length === 4, undefined, {
        timeout: 60_000,
      });
      const rows = await page.$$eval('[data-testid=backend-file]', (groups) =>
        groups.map((g) => ({
          file: g.getAttribute('data-file'),
          label: g.querySelector('[data-testid=label]')?.textContent,
          counts: g.querySelector('[data-testid=counts]')?.textContent,
        })),
      );
      expect(rows.map((r) => r.file)).toEqual(files.map((f) => path.basename(f)));
      // Lossless FLAC gives the WAV's very spike counts; the lossy ones give a decision too.
      expect(rows[1].counts).toBe(rows[0].counts);
      for (const r of rows) expect(r.label).toBeTruthy();
      expect(log.errors).toEqual([]);
    });
  }, 180_000);

  it('runs WAV files on the JS runtime and ONNX Runtime Web with identical results', async () => {
    const model = NwaveModel.fromJSON(readFileSync(MODEL, 'utf8'));
    const expected = WAVS.map((f) => {
      const a = readWavFile(f);
      return model.classify(a.samples, a.sampleRateHz);
    });
    await withPage(WAVS[0], async (page, log) => {
      await openApp(page, server.web.url);
      expect(await page.evaluate(ortLoaded)).toBe(false); // the live path does not load ORT

      // Live tab: the file backend switch, ONNX on a played file.
      await page.selectOption('[data-testid=file-backend]', 'onnx');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('text=Open WAV…')]);
      await chooser.setFiles(WAVS[0]);
      await page.waitForFunction(
        () => /ONNX Runtime Web/.test(document.querySelector('[data-testid=playlist] li .result')?.textContent ?? ''),
        undefined,
        {
          timeout: 60_000,
        },
      );
      // One model: no model letter; the result names the threshold it was decided with.
      expect(await page.textContent('[data-testid=playlist] li .result')).toMatch(new RegExp(`^\\(?${expected[0].label}[ ,].*threshold`));
      expect(await page.evaluate(ortLoaded)).toBe(true);

      // Model tab: both backends side by side on two files.
      await page.click('[data-tab=model]');
      const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=backend-open]')]);
      await chooser2.setFiles(WAVS);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=backend-badge]').length === 2, undefined, {
        timeout: 60_000,
      });
      const files = await page.$$eval('[data-testid=backend-file]', (groups) =>
        groups.map((g) => ({
          file: g.getAttribute('data-file'),
          badge: g.querySelector('[data-testid=backend-badge]')?.textContent,
          rows: Array.from(g.querySelectorAll('tr')).map((tr) => ({
            backend: tr.getAttribute('data-backend'),
            label: tr.querySelector('[data-testid=label]')?.textContent,
            counts: tr.querySelector('[data-testid=counts]')?.textContent,
            ms: tr.querySelector('[data-testid=ms]')?.textContent,
          })),
        })),
      );
      expect(files.map((f) => f.file)).toEqual(WAVS.map((f) => path.basename(f)));
      files.forEach((f, i) => {
        expect(f.badge).toBe('identical');
        expect(f.rows.map((r) => r.backend)).toEqual(['js', 'onnx']);
        const want = expected[i].accepted ? expected[i].label : `(${expected[i].label}, rejected: ${expected[i].rejectedBy})`;
        expect(f.rows.map((r) => r.label)).toEqual([want, want]);
        expect(f.rows.map((r) => r.counts)).toEqual([0, 1].map(() => `[${expected[i].spikeCounts.join(', ')}]`));
        for (const r of f.rows) expect(r.ms).toMatch(/^\d+(\.\d+)? ms$/);
      });
      expect(await page.textContent('[data-testid=backend-status]')).toMatch(/2 of 2 file\(s\) identical/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'backends-compare.png'), fullPage: true });
      expect(log.errors).toEqual([]);
    });
  });
});
