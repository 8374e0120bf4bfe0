/**
 * End to end in Debian Chromium: demo profiles and the DET view. A profile loads from the page's
 * `?profile=<url>` (the web build), from the main-process side (as Electron's `--profile` /
 * NWAVE_PROFILE; here the dev server's `profile` option) and from the file picker (profile + its
 * model); it sets the models, title, starting sensitivity, the panels shown and the presentation
 * layout (one huge keyword, per-keyword meters, the power figure), and a bad one is refused with
 * the file and field named. The DET curve of the live model comes from its checkpoint
 * (`provenance.metrics.streamingDet`) or a loaded `nwave eval --json` report, with the current
 * sensitivity marked and moving with the slider.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp } from './helpers/browser.js';
import { ARTIFACTS, withPage } from './helpers/live-session.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const PRESENTATION = path.resolve('test/fixtures/profiles/tones-presentation.json');
const skip = chromiumSkipReason() ?? soxSkipReason();
if (skip) console.warn(`[e2e] demo-profile skipped: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'nwave-e2e-profile-'));
const DET = [
  { threshold: 0.5, missRate: 0.02, falseAcceptsPerHour: 12 },
  { threshold: 0.7, missRate: 0.06, falseAcceptsPerHour: 3 },
  { threshold: 0.9, missRate: 0.2, falseAcceptsPerHour: 0.4 },
  { threshold: 0.99, missRate: 0.5, falseAcceptsPerHour: 0.05 },
];
/** Served to the main-process side (dev server `profile` option = Electron's --profile). */
const MAIN_PROFILE = path.join(dir, 'main-profile.json');

describe.skipIf(!!skip)('demo profiles and the DET view (Chromium e2e)', () => {
  let wavs: ReturnType<typeof toneFixtures>;
  let detModel = '';
  const server = useWebServer('profile', [{ path: FIXTURE_MODEL }]);
  const mainServer = useWebServer('profile-main', [{ path: FIXTURE_MODEL }], { profile: MAIN_PROFILE });

  beforeAll(() => {
    wavs = toneFixtures();
    const ck = JSON.parse(readFileSync(FIXTURE_MODEL, 'utf8')) as { name: string; provenance: { metrics?: Record<string, unknown> } };
    ck.name = 'tones-with-det';
    ck.provenance.metrics = { streamingDet: DET };
    detModel = path.join(dir, 'tones-with-det.nwave.json');
    writeFileSync(detModel, JSON.stringify(ck));
    writeFileSync(
      MAIN_PROFILE,
      JSON.stringify({
        version: 1,
        title: 'Main-side profile',
        model: 'tones-with-det.nwave.json',
        sensitivity: 0.7,
        panels: ['keyword', 'meters', 'sensitivity', 'det', 'power'],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a profile from ?profile=<url>: title, sensitivity, presentation layout live with the microphone', async () => {
    await withPage(wavs.demo, async (page, log) => {
      await page.setViewportSize({ width: 1280, height: 720 });
      const url = `${server.web.url}?profile=${encodeURIComponent(`/@fs${PRESENTATION}`)}`;
      await page.goto(url);
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      await page.waitForSelector('[data-testid=kiosk]:not([hidden])');
      expect(await page.textContent('#app-title')).toBe('Tone spotting on H1 — Acme demo');
      expect(await page.title()).toContain('Acme demo');
      expect(await page.locator('#tab-live').isVisible()).toBe(false);
      // Sensitivity from the profile: the engine runs model A at 0.9 (the slider shows it).
      await page.waitForFunction(() => (document.querySelector('[data-testid=threshold-value]')?.textContent ?? '') === '0.90');
      // Presentation: start listening from the big button; the huge keyword, meters and power follow the microphone.
      await page.click('[data-testid=kiosk-mic]');
      await page.waitForFunction(
        () => ['low', 'high'].includes(document.querySelector('[data-testid=kiosk-keyword]')?.textContent ?? ''),
        undefined,
        {
          timeout: 15_000,
        },
      );
      await page.waitForFunction(() => /µW/.test(document.querySelector('[data-testid=kiosk-power]')?.textContent ?? ''));
      await page.waitForFunction(
        () => Number(document.querySelector('#kiosk-meters [data-testid=meter-a-high]')?.getAttribute('data-peak')) >= 0.9,
        undefined,
        {
          timeout: 10_000,
        },
      );
      const kw = (await page.locator('[data-testid=kiosk-keyword]').boundingBox())!;
      expect(kw.height).toBeGreaterThan(120); // one huge keyword
      await page.waitForTimeout(600);
      await page.screenshot({ path: path.join(ARTIFACTS, 'demo-presentation.png') });
      // Esc leaves the presentation for the full live view.
      await page.keyboard.press('Escape');
      expect(await page.locator('#tab-live').isVisible()).toBe(true);
      expect(log.errors).toEqual([]);
    });
  });

  it('loads the profile the main process was started with; panels hidden; DET curve with the sensitivity marked', async () => {
    await withPage(wavs.quiet, async (page, log) => {
      await openApp(page, mainServer.web.url);
      expect(await page.textContent('#app-title')).toBe('Main-side profile');
      await page.waitForFunction(() => (document.querySelector('[data-testid=threshold-value]')?.textContent ?? '') === '0.70');
      expect(await page.textContent('#threshold-hint')).toContain('for this session'); // the profile's start, not the user's choice
      for (const hidden of ['#input-card', '#files-card', '#pane-a .plots-card', '#detections-card'])
        expect(await page.locator(hidden).isVisible(), hidden).toBe(false);
      for (const shown of ['#keyword-card-a', '#meters-card-a', '#threshold-card', '#det-card', '#power-card'])
        expect(await page.locator(shown).isVisible(), shown).toBe(true);
      // DET from the checkpoint: at 0.70 exactly the measured point.
      const readout = '[data-testid=det-readout]';
      expect(await page.getAttribute(readout, 'data-miss-rate')).toBe('0.06');
      expect(await page.getAttribute(readout, 'data-false-accepts-per-hour')).toBe('3');
      expect(await page.textContent('[data-testid=det-source]')).toContain('provenance.metrics.streamingDet');
      // Raise the sensitivity by keyboard: fewer false accepts, more misses, marked on the curve.
      await page.focus('[data-testid=threshold-slider]');
      for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('[data-testid=det-readout]')?.getAttribute('data-threshold') === '0.8');
      const miss = Number(await page.getAttribute(readout, 'data-miss-rate'));
      const fa = Number(await page.getAttribute(readout, 'data-false-accepts-per-hour'));
      expect(miss).toBeCloseTo(0.13, 10); // halfway between 0.7 and 0.9
      expect(fa).toBeCloseTo(Math.sqrt(3 * 0.4), 10); // geometric on the log axis
      expect(await page.textContent(readout)).toContain('13 %');
      await page.waitForFunction(() => /remembered for this model/.test(document.querySelector('#threshold-hint')?.textContent ?? ''));
      // An `nwave eval --json` report replaces the curve.
      const report = path.join(dir, 'eval.json');
      writeFileSync(
        report,
        JSON.stringify({
          streaming: {
            det: [
              { threshold: 0.5, missRate: 0.3, falseAcceptsPerHour: 1 },
              { threshold: 0.9, missRate: 0.5, falseAcceptsPerHour: 0.1 },
            ],
          },
        }),
      );
      await page.setInputFiles('[data-testid=det-input]', report);
      await page.waitForFunction(() => /eval\.json/.test(document.querySelector('[data-testid=det-source]')?.textContent ?? ''));
      expect(Number(await page.getAttribute(readout, 'data-miss-rate'))).toBeCloseTo(0.45, 10);
      await page.screenshot({ path: path.join(ARTIFACTS, 'profile-panels-det.png') });
      expect(log.errors).toEqual([]);
    });
  });

  it('loads a profile picked with its model file, and refuses a bad one naming the file and field', async () => {
    await withPage(wavs.quiet, async (page, log) => {
      await openApp(page, server.web.url);
      const bad = path.join(dir, 'bad-profile.json');
      writeFileSync(bad, JSON.stringify({ version: 1, title: 'Bad', model: 'tones-with-det.nwave.json', sensitivity: 1.5 }));
      await page.setInputFiles('[data-testid=profile-input]', [bad, detModel]);
      await page.waitForFunction(() =>
        /bad-profile\.json: demo profile sensitivity/.test(document.querySelector('[data-testid=status-message]')?.textContent ?? ''),
      );
      expect(await page.textContent('#app-title')).toBe('nwave');
      const good = path.join(dir, 'good-profile.json');
      writeFileSync(
        good,
        JSON.stringify({
          version: 1,
          title: 'Picked profile',
          model: 'tones-with-det.nwave.json',
          compareModel: 'tones-with-det.nwave.json',
        }),
      );
      await page.setInputFiles('[data-testid=profile-input]', [good, detModel]);
      await page.waitForFunction(() => document.querySelector('#app-title')?.textContent === 'Picked profile');
      await page.waitForSelector('[data-testid=pane-b]:not([hidden])'); // the profile's comparison model
      expect(await page.textContent('[data-testid=pane-title-a]')).toContain('tones-with-det');
      expect(log.errors.filter((e) => !/bad-profile/.test(e))).toEqual([]);
    });
  });
});
