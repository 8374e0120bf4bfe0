/**
 * End to end in Debian Chromium, beyond live detection: the model panel (layers, parameter count,
 * constraint report), a second model compared side by side on a played WAV file, settings that
 * survive a reload (written atomically by the real handler), and recording a user example into a
 * data folder through the dev server.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NwaveModel } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp, readDebug } from './helpers/browser.js';
import { ARTIFACTS, withPage } from './helpers/live-session.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const skip = chromiumSkipReason() ?? soxSkipReason();
if (skip) console.warn(`[e2e] app-features skipped: ${skip}`);

describe.skipIf(!!skip)('app features (Chromium e2e)', () => {
  let wavs: ReturnType<typeof toneFixtures>;

  const server = useWebServer('app', [{ path: FIXTURE_MODEL, note: 'tones fixture' }]);
  beforeAll(async () => {
    wavs = toneFixtures();
  });

  it('shows the model, compares a second model side by side on a played WAV', async () => {
    const expected = NwaveModel.fromJSON(readFileSync(FIXTURE_MODEL, 'utf8'));
    await withPage(wavs.quiet, async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      expect(await page.textContent('[data-testid=parameter-count]')).toBe(expected.parameterCount.toLocaleString('en-US'));
      expect(await page.textContent('[data-testid=constraints-verdict]')).toContain('fits the chip');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=open-compare]')]);
      await chooser.setFiles(FIXTURE_MODEL);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=model-info]').length === 2);
      await page.screenshot({ path: path.join(ARTIFACTS, 'model-compare.png') });

      await page.click('[data-tab=live]');
      const [wavChooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('text=Open WAV…')]);
      await wavChooser.setFiles(wavs.low);
      await page.waitForSelector('[data-testid=source]:text("file")');
      await page.waitForSelector('[data-testid=source]:text("idle")', { timeout: 10_000 }); // played to the end
      const debug = await readDebug(page);
      const bySlot = (s: 'a' | 'b'): string[] => debug.detections.filter((d) => d.slot === s).map((d) => d.label);
      expect(bySlot('a')).toEqual(['low']);
      expect(bySlot('b')).toEqual(['low']);
      const result = await page.textContent('[data-testid=playlist] li .result');
      expect(result).toContain('A: low');
      expect(result).toContain('B: low');
      await page.screenshot({ path: path.join(ARTIFACTS, 'playback-compare.png') });
      expect(log.errors).toEqual([]);
    });
  });

  it('keeps settings across a reload (device choice, data folder)', async () => {
    await withPage(wavs.quiet, async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-testid=mic-toggle]');
      await page.waitForFunction(() => (document.querySelector('[data-testid=device]') as HTMLSelectElement).options.length > 1);
      const deviceId = await page.evaluate(() => {
        const sel = document.querySelector('[data-testid=device]') as HTMLSelectElement;
        return Array.from(sel.options).find((o) => o.textContent === 'Fake Audio Input 1')?.value ?? '';
      });
      expect(deviceId).not.toBe('');
      await page.selectOption('[data-testid=device]', deviceId);
      await page.click('[data-tab=training]');
      await page.fill('input[aria-label="Data folder"]', '/tmp/nwave-e2e-data');
      await page.press('input[aria-label="Data folder"]', 'Enter');
      await page.click('[data-tab=live]'); // blur: the change event saves
      await expect
        .poll(() => JSON.parse(readFileSync(path.join(server.userData, 'settings.json'), 'utf8')) as Record<string, unknown>)
        .toMatchObject({ inputDeviceId: deviceId, dataFolder: '/tmp/nwave-e2e-data' });

      await page.reload();
      await openApp(page, server.web.url);
      await page.click('[data-testid=mic-toggle]');
      await page.waitForFunction((id) => (document.querySelector('[data-testid=device]') as HTMLSelectElement).value === id, deviceId);
      expect(await page.inputValue('input[aria-label="Data folder"]')).toBe('/tmp/nwave-e2e-data');
      expect(log.errors).toEqual([]);
    });
  });

  it('records a user example from the microphone into DATA/<word>/', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'nwave-e2e-data-'));
    try {
      await withPage(wavs.high, async (page, log) => {
        await openApp(page, server.web.url);
        await page.click('[data-testid=mic-toggle]');
        await page.waitForSelector('[data-testid=source]:text("microphone")');
        await page.click('[data-tab=training]');
        await page.fill('input[aria-label="Data folder"]', data);
        await page.fill('input[aria-label="Word to record"]', 'beep');
        await page.click('text=Record example');
        await page.waitForSelector('.recorder [role=status]:text("Saved")', { timeout: 15_000 });
        await page.click('text=Scan');
        await page.waitForSelector('.class-chip:text("beep")');
        expect(log.errors).toEqual([]);
      });
      const files = readdirSync(path.join(data, 'beep'));
      expect(files).toHaveLength(1);
      const wav = readWavFile(path.join(data, 'beep', files[0]));
      expect(wav.sampleRateHz).toBe(16000);
      expect(wav.durationS).toBeCloseTo(1, 2);
      expect(Math.max(...wav.samples.map(Math.abs))).toBeGreaterThan(0.01); // not silence: the loop has a tone in each 1.5 s
      expect(existsSync(path.join(data, 'beep', `.${files[0]}.tmp`))).toBe(false);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
