/**
 * The training panel's chip and recipe selectors in Debian Chromium, through the dev server's
 * real main-process handlers (validation, training bridge, worker thread). The trainer is the
 * bridge tests' stand-in (electron/src/training/test-fixtures/fake-trainer.ts), which writes the
 * options it received to the output file: what the panel chose is what reached `runTraining`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chipProfileIds, chipShortName, getChipProfile } from '@nwave/runtime';
import { encodeWav16 } from '@nwave/runtime/wav';
import { withRecipe } from '@nwave/training/recipes';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp } from './helpers/browser.js';
import { withPage } from './helpers/live-session.js';
import { FAKE_WARNING } from '../../electron/src/training/test-fixtures/fake-trainer.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const FAKE_TRAINER = pathToFileURL(path.resolve('electron/src/training/test-fixtures/fake-trainer.ts')).href;
const skip = chromiumSkipReason() ?? soxSkipReason();
if (skip) console.warn(`[e2e] training-recipes skipped: ${skip}`);

/** A data folder with one silent 1-s clip per word (the fake trainer reads no audio). */
function wordFolders(prefix: string, words: readonly string[]): string {
  const data = mkdtempSync(path.join(tmpdir(), prefix));
  for (const word of words) {
    mkdirSync(path.join(data, word));
    writeFileSync(path.join(data, word, '0.wav'), encodeWav16(new Float64Array(16000), 16000));
  }
  return data;
}

describe.skipIf(!!skip)('training panel: chip and recipe (Chromium e2e)', () => {
  const server = useWebServer('recipes', [{ path: FIXTURE_MODEL, note: 'tones fixture' }], { trainerModule: FAKE_TRAINER });

  it("offers the runtime's chips and the trainer's recipes, pre-fills the epochs, and the run gets the chosen chip and recipe", async () => {
    const data = wordFolders('nwave-e2e-recipes-', ['high', 'low']);
    try {
      await withPage(toneFixtures().quiet, async (page, log) => {
        await openApp(page, server.web.url);
        await page.click('[data-tab=training]');
        const chips = await page.$$eval('[data-testid=train-chip] option', (els) => els.map((e) => (e as HTMLOptionElement).value));
        expect(chips).toEqual(chipProfileIds().map((id) => chipShortName(getChipProfile(id))));
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=train-recipe] option').length > 1);
        const recipes = await page.$$eval('[data-testid=train-recipe] option', (els) => els.map((e) => (e as HTMLOptionElement).value));
        expect(recipes).toEqual(['sdk', 'keyword-spotter']);
        // Defaults: the recipe of the bundled models on the default chip, with its epochs.
        expect(await page.inputValue('[data-testid=train-recipe]')).toBe('keyword-spotter');
        const epochs = () => page.inputValue('input[aria-label="Epochs"]');
        expect(await epochs()).toBe(String(withRecipe('keyword-spotter').epochs));
        await page.selectOption('[data-testid=train-chip]', 'h1v2');
        expect(await epochs()).toBe(String(withRecipe('keyword-spotter', { chip: 'h1v2' }).epochs));
        await page.selectOption('[data-testid=train-recipe]', 'sdk');
        expect(await epochs()).toBe(String(withRecipe('sdk', { chip: 'h1v2' }).epochs));
        await page.fill('input[aria-label="Epochs"]', '3'); // still editable

        await page.fill('input[aria-label="Data folder"]', data);
        await page.click('text=Scan');
        await page.check('.class-chip input[value=high]');
        await page.check('.class-chip input[value=low]');
        await page.click('button:text-is("Train")');
        await page.waitForSelector('[data-testid=training-status]:text("Done")', { timeout: 60_000 });
        const status = (await page.textContent('[data-testid=training-status]'))!;
        const out = /Saved to (.+\.nwave\.json)\.$/.exec(status)?.[1];
        expect(out, status).toBeDefined();
        // What runTraining received: the recipe by name, the chip as the one setting.
        expect(JSON.parse(readFileSync(out!, 'utf8'))).toMatchObject({
          data,
          background: true,
          epochs: 3,
          recipe: 'sdk',
          config: { chip: 'h1v2' },
        });
        expect(JSON.parse(readFileSync(path.join(server.userData, 'settings.json'), 'utf8'))).toMatchObject({
          trainChip: 'h1v2',
          trainRecipe: 'sdk',
          trainEpochs: 3,
        });
        await page.waitForFunction(() => (document.querySelector('[data-testid=run-summary]')?.textContent ?? '').includes('sdk on h1v2'));

        // A value main does not know (a stale or tampered form): refused with a clear status, no crash.
        await page.evaluate(() => {
          const select = document.querySelector('[data-testid=train-recipe]') as HTMLSelectElement;
          select.append(new Option('nope', 'nope'));
          select.value = 'nope';
        });
        await page.click('button:text-is("Train")');
        await page.waitForSelector('[data-testid=training-status]:text("Cannot start")');
        expect(await page.textContent('[data-testid=training-status]')).toMatch(
          /^Cannot start: training:start: argument 0\.recipe: unknown recipe "nope" \(known: sdk, keyword-spotter\)$/,
        );
        expect(await page.isEnabled('button:text-is("Train")')).toBe(true);

        // A reload restores the chosen chip, recipe and (typed) epochs.
        await page.reload();
        await openApp(page, server.web.url);
        await page.click('[data-tab=training]');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=train-recipe] option').length > 1);
        expect(await page.inputValue('[data-testid=train-chip]')).toBe('h1v2');
        expect(await page.inputValue('[data-testid=train-recipe]')).toBe('sdk');
        expect(await epochs()).toBe('3');
        expect(log.errors).toEqual([]);
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it("shows the trainer's warnings about the saved model after the result and in the runs list", async () => {
    // The fake trainer warns when the first word (in folder order) is "warn".
    const data = wordFolders('nwave-e2e-warn-', ['warn', 'zed']);
    try {
      await withPage(toneFixtures().quiet, async (page, log) => {
        await openApp(page, server.web.url);
        await page.click('[data-tab=training]');
        await page.fill('input[aria-label="Epochs"]', '2');
        await page.fill('input[aria-label="Data folder"]', data);
        await page.click('text=Scan');
        await page.check('.class-chip input[value=warn]');
        await page.check('.class-chip input[value=zed]');
        await page.click('button:text-is("Train")');
        await page.waitForSelector('[data-testid=training-status]:text("Done")', { timeout: 60_000 });
        expect(await page.textContent('[data-testid=training-status]')).toMatch(
          new RegExp(`\\.nwave\\.json\\. Warning: ${FAKE_WARNING.replace(/[()]/g, '\\$&')}$`),
        );
        await page.waitForFunction(
          (w) =>
            Array.from(document.querySelectorAll('[data-testid=run-summary]')).some((el) =>
              (el.textContent ?? '').includes(`warning: ${w}`),
            ),
          FAKE_WARNING,
        );
        expect(log.errors).toEqual([]);
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
