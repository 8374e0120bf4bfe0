/**
 * End to end in Debian Chromium: comparison mode as a demo audience sees it. Two models (the tones
 * fixture and the same network with a stricter detector) listen to the fake microphone; at
 * 1400x900 and 1280x720 each model's keyword, per-keyword confidence meters, rasters and
 * detections sit side by side inside the window, checked by element geometry (nothing outside,
 * nothing overlapping, the Sensitivity reset not covered). The meters move with the microphone,
 * model B's rasters are drawn, detection rows carry no unexplained model letter, time labels
 * are never cut, and the comparison model comes back after a reload.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp, openCompareModel } from './helpers/browser.js';
import { ARTIFACTS, withPage } from './helpers/live-session.js';
import { boxes, contentArea, isOnTop, outside, overlaps } from './helpers/layout.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const skip = chromiumSkipReason() ?? soxSkipReason();
if (skip) console.warn(`[e2e] compare-layout skipped: ${skip}`);

/** Distinct values an attribute takes over `ms` (sampled every 100 ms). */
async function sampleAttr(page: Page, selector: string, attr: string, samples: number): Promise<string[]> {
  // A count of samples, not a time budget: on a loaded machine each read takes longer.
  const seen: string[] = [];
  for (let i = 0; i < samples; i++) {
    seen.push((await page.getAttribute(selector, attr)) ?? '');
    await page.waitForTimeout(100);
  }
  return [...new Set(seen)];
}

/** Lit (non-background) pixels of a canvas. */
function litPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 200) n++;
    return n;
  }, selector);
}

describe.skipIf(!!skip)('comparison mode (Chromium e2e)', () => {
  let wavs: ReturnType<typeof toneFixtures>;
  let dir = '';
  let strict = '';
  const server = useWebServer('compare', [{ path: FIXTURE_MODEL }]);

  beforeAll(() => {
    wavs = toneFixtures();
    dir = mkdtempSync(path.join(tmpdir(), 'nwave-e2e-compare-'));
    // Model B: the same network with a stricter detector (what a customer compares: sensitivity per model).
    const ck = JSON.parse(readFileSync(FIXTURE_MODEL, 'utf8')) as { name: string; detector: { threshold: number } };
    ck.name = 'tones-strict';
    ck.detector.threshold = 0.9;
    strict = path.join(dir, 'tones-strict.nwave.json');
    writeFileSync(strict, JSON.stringify(ck));
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('shows both models side by side at 1400x900 and 1280x720, live, and restores model B after a reload', async () => {
    await withPage(wavs.demo, async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      await openCompareModel(page, strict, false);
      await page.click('[data-tab=live]');
      await page.waitForSelector('[data-testid=pane-b]:not([hidden])');
      expect(await page.textContent('[data-testid=pane-title-b]')).toContain('tones-strict');
      await page.click('[data-testid=mic-toggle]');
      await page.waitForSelector('[data-testid=source]:text("microphone")');
      // Both models detect the loop's words (3 s loop: "low" then "high").
      await page.waitForSelector('[data-testid=detections-a] .detection', { timeout: 15_000 });
      await page.waitForSelector('[data-testid=detections-b] .detection', { timeout: 15_000 });

      // Per-keyword meters move with the microphone: each word's trace rises past its threshold and falls again.
      for (const slot of ['a', 'b']) {
        const low = `[data-testid=meter-${slot}-low]`;
        const values = await sampleAttr(page, low, 'data-value', 60);
        // At least three distinct values: on a loaded CI machine the engine runs in larger chunks and a
        // saturating tones model can show only rest (0), one rising value and full confidence (1).
        expect(values.length, `${slot} low meter values ${values.join(' ')}`).toBeGreaterThanOrEqual(3);
        const peak = Number(await page.getAttribute(low, 'data-peak'));
        const threshold = Number(await page.getAttribute(low, 'data-threshold'));
        expect(threshold).toBe(slot === 'a' ? 0.8 : 0.9);
        expect(peak).toBeGreaterThanOrEqual(threshold);
        expect(Math.min(...values.map(Number))).toBeLessThan(0.5); // falls back between words
      }
      expect(await litPixels(page, '#plots-b canvas:last-of-type')).toBeGreaterThan(0); // model B's output raster is drawn

      // Detection rows: time, word, confidence; no model letter (each model has its own list).
      const row = await page
        .locator('[data-testid=detections-a] .detection')
        .first()
        .evaluate((li) => Array.from(li.children).map((c) => c.textContent));
      expect(row).toHaveLength(3);
      expect(row[2]).toMatch(/^\d+ %$/);

      for (const [w, hgt] of [
        [1400, 900],
        [1280, 720],
      ]) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.waitForTimeout(400);
        const area = await contentArea(page);
        const parts = (slot: string): Record<string, string> => ({
          [`${slot}:title`]: `[data-testid=pane-title-${slot}]`,
          [`${slot}:keyword`]: `#keyword-card-${slot}`,
          [`${slot}:meters`]: `#meters-card-${slot}`,
          [`${slot}:rasters`]: `#pane-${slot} .plots-card`,
          [`${slot}:detections`]: `#pane-detections-${slot}`,
        });
        const list = await boxes(page, { ...parts('a'), ...parts('b') });
        expect(outside(list, area), `${w}x${hgt}`).toEqual([]);
        expect(overlaps(list), `${w}x${hgt}`).toEqual([]);
        for (const b of list) expect(b.height, `${b.name} at ${w}x${hgt}`).toBeGreaterThan(12); // nothing squeezed away
        // Side by side: B's pane right of A's, at the same height.
        const a = list.find((b) => b.name === 'a:keyword')!;
        const b = list.find((x) => x.name === 'b:keyword')!;
        expect(b.x).toBeGreaterThanOrEqual(a.x + a.width);
        expect(Math.abs(b.y - a.y)).toBeLessThan(2);
        // Every raster canvas of both models is whole inside the window, with room for a few detections.
        for (const slot of ['a', 'b']) {
          const canvases = await page.locator(`#pane-${slot} .plots canvas`).count();
          expect(canvases).toBe(4); // filterbank + 3 layers
          for (let i = 0; i < canvases; i++) {
            const c = (await page.locator(`#pane-${slot} .plots canvas`).nth(i).boundingBox())!;
            expect(outside([{ name: `${slot} canvas ${i}`, ...c }], area)).toEqual([]);
          }
          expect(list.find((x) => x.name === `${slot}:detections`)!.height).toBeGreaterThanOrEqual(80);
        }
        await page.screenshot({ path: path.join(ARTIFACTS, `compare-${w}x${hgt}.png`) });
        // The Sensitivity reset is reachable and nothing (status bar included) covers it.
        await page.locator('[data-testid=threshold-reset]').scrollIntoViewIfNeeded();
        expect(await isOnTop(page, '[data-testid=threshold-reset]')).toBe(true);
      }

      // Raster time labels are whole ("2 s", never a cut "2"): every label inside its canvas.
      const axes = await page.$$eval('.scroll-plot', (cs) =>
        cs.map((c) => ({ w: c.clientWidth, axis: (c as HTMLElement).dataset.axis ?? '' })),
      );
      expect(axes.some((a) => a.axis.length > 0)).toBe(true);
      for (const { w, axis } of axes)
        for (const label of axis.split('|').filter(Boolean)) {
          const m = /^(.+ s)@(-?[\d.]+):(-?[\d.]+)$/.exec(label)!;
          expect(m, label).not.toBeNull();
          expect(Number(m[2])).toBeGreaterThanOrEqual(0);
          expect(Number(m[3])).toBeLessThanOrEqual(w + 0.5);
        }

      // A reload keeps the comparison (the browser-picked model B is remembered by this browser).
      await page.reload();
      await openApp(page, server.web.url);
      await page.waitForSelector('[data-testid=pane-b]:not([hidden])');
      expect(await page.textContent('[data-testid=pane-title-b]')).toContain('tones-strict');
      await page.click('[data-tab=model]');
      await page.click('text=Stop comparing');
      await page.reload();
      await openApp(page, server.web.url);
      expect(await page.locator('[data-testid=pane-b]').isHidden()).toBe(true);
      // One model again, at 1280x720: the live pane is whole and the status bar covers nothing.
      const area = await contentArea(page);
      const single = await boxes(page, { keyword: '#keyword-card-a', meters: '#meters-card-a', title: '#pane-a .plots-card h2' });
      expect(outside(single, area)).toEqual([]);
      await page.locator('[data-testid=threshold-reset]').scrollIntoViewIfNeeded();
      expect(await isOnTop(page, '[data-testid=threshold-reset]')).toBe(true);
      expect(log.errors).toEqual([]);
    });
  });
});
