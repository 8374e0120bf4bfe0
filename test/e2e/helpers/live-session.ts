/**
 * One live scenario: Chromium with a WAV as the microphone, the app from the dev server, press
 * Start, listen for a while, then read the app's measurements and the stream/file alignment.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { fileEnvelope, findLoopLag, type FileEnvelope } from './alignment.js';
import { launchWithFakeMic, openApp, readDebug, watchConsole, type ConsoleLog, type DebugSnapshot } from './browser.js';

export const ARTIFACTS = fileURLToPath(new URL('../../.artifacts/', import.meta.url));

export interface LiveResult {
  debug: DebugSnapshot;
  console: ConsoleLog;
  /** Stream t plays file (t + lagMs) mod period (globally; the fake device's loop drifts a little). */
  lagMs: number;
  lagScore: number;
  periodMs: number;
  /** 1 ms RMS envelope of the stream from its start, and of the file. */
  tap: { envelope: number[]; stepMs: number };
  file: FileEnvelope;
  /** Text of the on-screen total power figure. */
  powerText: string;
  screenshot: string;
}

export interface LiveOptions {
  url: string;
  wav: string;
  listenS: number;
  /** Artifact name (screenshot file stem). */
  name: string;
  /** Extra steps after the microphone started listening (before measurements are read). */
  during?: (page: Page) => Promise<void>;
}

export async function withPage<T>(wav: string, fn: (page: Page, log: ConsoleLog, browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchWithFakeMic(wav);
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const log = watchConsole(page);
    return await fn(page, log, browser);
  } finally {
    await browser.close();
  }
}

export async function runLive(opts: LiveOptions): Promise<LiveResult> {
  return withPage(opts.wav, async (page, log) => {
    await openApp(page, opts.url);
    const tapS = opts.listenS + 0.5;
    await page.evaluate((s) => {
      (window as unknown as { __tap: unknown }).__tap = window.__nwaveDebug!.tapEnvelope(s);
    }, tapS);
    await page.click('[data-testid=mic-toggle]');
    await page.waitForSelector('[data-testid=source]:text("microphone")');
    await page.waitForTimeout(opts.listenS * 1000);
    if (opts.during) await opts.during(page);
    const tap = (await page.evaluate(() => (window as unknown as { __tap: Promise<{ envelope: number[]; stepMs: number }> }).__tap)) as {
      envelope: number[];
      stepMs: number;
    };
    const debug = await readDebug(page);
    const powerText = (await page.textContent('[data-testid=power-total]')) ?? '';
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, `${opts.name}.png`);
    await page.screenshot({ path: screenshot });
    const file = fileEnvelope(opts.wav);
    // Global lag from the first loop (the fake device's loop period drifts by a few ms per loop).
    const { lagMs, score } = findLoopLag(tap.envelope, tap.stepMs, file, { toMs: file.periodMs });
    return { debug, console: log, lagMs, lagScore: score, periodMs: file.periodMs, tap, file, powerText, screenshot };
  });
}

interface TapWindow {
  __tap?: Promise<{ samples: Float32Array; sampleRateHz: number }>;
}

/** Keeps the first `seconds` of the next stream (what the models hear). */
export async function startTap(page: Page, seconds: number): Promise<void> {
  await page.evaluate((s) => {
    (window as unknown as TapWindow).__tap = window.__nwaveDebug!.tapSamples(s);
  }, seconds);
}

/** The tapped samples, once complete (base64 across the CDP boundary). */
export async function readTap(page: Page): Promise<{ samples: Float32Array; sampleRateHz: number }> {
  const { b64, sampleRateHz } = await page.evaluate(async () => {
    const t = await (window as unknown as TapWindow).__tap!;
    const bytes = new Uint8Array(t.samples.buffer, t.samples.byteOffset, t.samples.byteLength);
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { b64: btoa(bin), sampleRateHz: t.sampleRateHz };
  });
  return { samples: new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer), sampleRateHz };
}

/**
 * Starts the microphone with a tap of its first `seconds` (what the models hear), waits for the
 * tap, reads the app's measurements and screenshots the page as ARTIFACTS/`name`.png.
 */
export async function listenWithTap(
  page: Page,
  seconds: number,
  name: string,
): Promise<{ tap: { samples: Float32Array; sampleRateHz: number }; debug: DebugSnapshot }> {
  await startTap(page, seconds);
  await page.click('[data-testid=mic-toggle]');
  await page.waitForSelector('[data-testid=source]:text("microphone")');
  const tap = await readTap(page);
  const debug = await readDebug(page);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  return { tap, debug };
}
