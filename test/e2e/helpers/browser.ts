/**
 * Headless Debian Chromium for the end-to-end tests, with a fake microphone fed from a WAV file.
 * Chromium's fake capture LOOPS the file for as long as the stream is open, starting wherever the
 * fake device happens to be; tests therefore assert per-loop behaviour and align stream time with
 * file time from the audio itself (see alignment.ts).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.NWAVE_CHROMIUM ?? '/usr/bin/chromium';

/** Null when Chromium is usable, else the reason to skip. */
export function chromiumSkipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set NWAVE_CHROMIUM)`;
}

export function launchWithFakeMic(wavFile: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavFile}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      // Headless tabs must not be throttled: the raster frame loop is being measured.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
    ],
  });
}

export interface ConsoleLog {
  errors: string[];
  all: string[];
}

/** Records console output and uncaught page errors (tests assert that there are no errors). */
export function watchConsole(page: Page): ConsoleLog {
  const log: ConsoleLog = { errors: [], all: [] };
  page.on('console', (m) => {
    const line = `${m.type()}: ${m.text()}`;
    log.all.push(line);
    if (m.type() === 'error') log.errors.push(line);
  });
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('worker', (w) => w.on('close', () => undefined));
  return log;
}

/** Opens the app and waits until it has loaded its model and settings. */
export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
  // The default model is on screen once the model panel has rendered its info.
  await page.waitForFunction(() => document.querySelectorAll('#plots canvas').length > 0, undefined, { timeout: 30_000 });
}

/** Opens `file` as the comparison model (model B) from the Model tab's file chooser; with `waitPanels`, waits for both model panels. */
export async function openCompareModel(page: Page, file: string, waitPanels = true): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=open-compare]')]);
  await chooser.setFiles(file);
  if (waitPanels) await page.waitForFunction(() => document.querySelectorAll('[data-testid=model-info]').length === 2);
}

/** Samples of `window.__nwaveDebug` the tests read. */
export interface DebugSnapshot {
  /** The renderer's own type (renderer/src/debug-hooks.ts declares `window.__nwaveDebug`). */
  detections: NonNullable<Window['__nwaveDebug']>['detections'];
  frameTimesMs: number[];
  spikesDrawn: number;
  stepsDrawn: number;
  totalUw: number | null;
  sampleRateHz: number;
}

export function readDebug(page: Page): Promise<DebugSnapshot> {
  return page.evaluate(() => {
    const d = window.__nwaveDebug!;
    return {
      detections: d.detections.map((x) => ({ ...x })),
      frameTimesMs: [...d.frameTimesMs],
      spikesDrawn: d.spikesDrawn,
      stepsDrawn: d.stepsDrawn,
      totalUw: d.power.a?.totalUw ?? null,
      sampleRateHz: d.sampleRateHz,
    };
  });
}
