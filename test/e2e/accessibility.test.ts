/**
 * End to end in Debian Chromium: accessibility. An axe-core audit (WCAG 2 A/AA rules and best
 * practices) of every tab, the comparison and the presentation layout finds no serious or
 * critical violation; every control can be reached and used from the keyboard alone, with a
 * visible focus ring.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp, openCompareModel } from './helpers/browser.js';
import { withPage } from './helpers/live-session.js';
import { axeSeriousViolations } from './helpers/layout.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const skip = chromiumSkipReason() ?? soxSkipReason();
if (skip) console.warn(`[e2e] accessibility skipped: ${skip}`);

/** Presses Tab until `selector` has the focus (at most `max` times); returns the presses. */
async function tabTo(page: Page, selector: string, max = 80): Promise<number> {
  const target = page.locator(selector).first();
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return i;
  }
  throw new Error(`${selector} not reached with ${max} Tab presses`);
}

/** The focused element draws a focus ring (outline or box-shadow). */
function focusVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return el.matches(':focus-visible') && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none');
  });
}

describe.skipIf(!!skip)('accessibility (Chromium e2e)', () => {
  const server = useWebServer('a11y', [{ path: FIXTURE_MODEL }]);

  it('axe finds no serious or critical violation on any tab, in comparison and in presentation', async () => {
    await withPage(toneFixtures().demo, async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-testid=mic-toggle]');
      await page.waitForSelector('[data-testid=detections-a] .detection', { timeout: 15_000 });
      const audits: Record<string, unknown> = {};
      audits.live = await axeSeriousViolations(page);
      await page.click('[data-tab=model]');
      audits.model = await axeSeriousViolations(page);
      await openCompareModel(page, FIXTURE_MODEL);
      audits.modelCompare = await axeSeriousViolations(page);
      await page.click('[data-tab=training]');
      audits.training = await axeSeriousViolations(page);
      await page.click('[data-tab=live]');
      audits.liveCompare = await axeSeriousViolations(page);
      await page.evaluate(() => document.body.classList.add('presentation'));
      await page.evaluate(() => {
        document.querySelector<HTMLElement>('#kiosk')!.hidden = false;
        document.querySelector<HTMLElement>('#tab-live')!.classList.add('presentation-hidden');
      });
      audits.presentation = await axeSeriousViolations(page);
      expect(audits).toEqual({ live: [], model: [], modelCompare: [], training: [], liveCompare: [], presentation: [] });
      expect(log.errors).toEqual([]);
    });
  });

  it('works from the keyboard alone: tabs, microphone, sensitivity, files, model, training, with a visible focus', async () => {
    await withPage(toneFixtures().demo, async (page, log) => {
      await openApp(page, server.web.url);
      await page.focus('body');
      // Skip link first, then the demo profile button and the tab list (one tab stop, arrows move).
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
      expect(await focusVisible(page)).toBe(true);
      await tabTo(page, '[data-tab=live]');
      expect(await focusVisible(page)).toBe(true);
      await page.keyboard.press('ArrowRight');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('model');
      expect(await page.locator('#tab-model').isVisible()).toBe(true);
      await page.keyboard.press('End');
      expect(await page.locator('#tab-training').isVisible()).toBe(true);
      // Training tab: the data folder field and the Train button are reachable.
      await tabTo(page, '#train-folder');
      await page.keyboard.type('/tmp/nwave-e2e-keyboard');
      await tabTo(page, 'button:text("Train")');
      expect(await focusVisible(page)).toBe(true);
      // Back to Live with Home; start the microphone with Enter.
      await page.focus('[data-tab=training]');
      await page.keyboard.press('Home');
      expect(await page.locator('#tab-live').isVisible()).toBe(true);
      await tabTo(page, '[data-testid=mic-toggle]');
      expect(await focusVisible(page)).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=source]:text("microphone")');
      // Raster window, files, model buttons, sensitivity slider, reset, DET report: all in the tab order.
      for (const sel of ['#raster-window', 'button:text("Open WAV…")', 'button:text("Compare…")', '[data-testid=threshold-slider]']) {
        await tabTo(page, sel);
        expect(await focusVisible(page), sel).toBe(true);
      }
      const before = await page.textContent('[data-testid=threshold-value]');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((b) => document.querySelector('[data-testid=threshold-value]')?.textContent !== b, before);
      await tabTo(page, '[data-testid=threshold-reset]');
      await page.keyboard.press('Enter');
      await page.waitForFunction((b) => document.querySelector('[data-testid=threshold-value]')?.textContent === b, before);
      await tabTo(page, '[data-testid=det-open]');
      expect(await focusVisible(page)).toBe(true);
      // Every visible input has an accessible name (label, aria-label or aria-labelledby).
      const unnamed = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('input, select, button, textarea'))
          .filter((el) => el.offsetParent !== null)
          .filter((el) => {
            const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            return !labelled && !(el.textContent ?? '').trim();
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unnamed).toEqual([]);
      expect(log.errors).toEqual([]);
    });
  });
});
