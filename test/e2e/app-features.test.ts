/**
 * End to end in Debian Chromium, beyond live detection: the model panel (layers, parameter count,
 * constraint report), a second model compared side by side on a played WAV file, file results
 * under the live sensitivity, file names aligned, settings that survive a reload (written
 * atomically by the real handler), recording a user example into a data folder through the dev
 * server (the clip count follows), and training in the app with one validation figure and an
 * explicit "Use this model" (the real trainer on a few sox tones).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHIP_PROFILE_ID, NwaveModel } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp, openCompareModel, readDebug } from './helpers/browser.js';
import { ARTIFACTS, withPage } from './helpers/live-session.js';
import { soxSkipReason, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const H1V2_MODEL = path.resolve('test/fixtures/models/h1v2.nwave.json');
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
      await openCompareModel(page, FIXTURE_MODEL);
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
      // The per-keyword traces of the played file stay readable after it ended, for both models.
      for (const slot of ['a', 'b'])
        expect(Number(await page.getAttribute(`[data-testid=meter-${slot}-low]`, 'data-peak'))).toBeGreaterThanOrEqual(0.8);
      const result = await page.textContent('[data-testid=playlist] li .result');
      expect(result).toContain('A: low');
      expect(result).toContain('B: low');
      await page.screenshot({ path: path.join(ARTIFACTS, 'playback-compare.png') });
      expect(log.errors).toEqual([]);
    });
  });

  it('loads an H1v1 and an H1v2 model side by side and names the chip of each', async () => {
    await withPage(wavs.quiet, async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      await openCompareModel(page, H1V2_MODEL);
      const chips = await page.$$eval('[data-testid=chip-profile]', (els) => els.map((e) => e.textContent));
      expect(chips).toEqual(['Neuronova H1 (H1v1) (h1v1-estimate)', 'Neuronova H1v2 (h1v2-estimate)']);
      const verdicts = await page.$$eval('[data-testid=constraints-verdict]', (els) => els.map((e) => e.textContent));
      expect(verdicts.every((v) => v?.includes('fits the chip'))).toBe(true);
      expect(log.errors).toEqual([]);
    });
  });

  it('a model with the input-contrast gate: the panel says so, and a steady tone is rejected as steady-input', async () => {
    // The tones fixture with minInputContrast 2, beside the plain one: the steady "low" tone file
    // is a keyword for A and steady input for B.
    const dir = mkdtempSync(path.join(tmpdir(), 'nwave-gate-'));
    const gated = path.join(dir, 'tones-gated.nwave.json');
    const ck = JSON.parse(readFileSync(FIXTURE_MODEL, 'utf8'));
    writeFileSync(gated, JSON.stringify({ ...ck, name: 'tones-gated', detector: { ...ck.detector, minInputContrast: 2 } }));
    // 1 s of a steady 400 Hz tone (the fixture's "low" WAV is a 0.4 s burst in silence: a transient).
    const steady = path.join(dir, 'steady-400hz.wav');
    execFileSync('sox', ['-n', '-r', '48000', '-b', '16', '-c', '1', steady, 'synth', '1', 'sine', '400', 'vol', '0.3']);
    try {
      await withPage(wavs.quiet, async (page, log) => {
        await openApp(page, server.web.url);
        await page.click('[data-tab=model]');
        await openCompareModel(page, gated);
        const lines = await page.$$eval('[data-testid=detector-settings]', (els) => els.map((e) => e.textContent ?? ''));
        expect(lines[0]).not.toContain('input contrast');
        expect(lines[1]).toContain('input contrast ≥ 2 (steady sounds rejected)');

        await page.click('[data-tab=live]');
        const [wavChooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('text=Open WAV…')]);
        await wavChooser.setFiles(steady);
        await page.waitForSelector('[data-testid=source]:text("file")');
        await page.waitForSelector('[data-testid=source]:text("idle")', { timeout: 10_000 });
        // (Live, B may fire too: the tone starts out of the microphone's quiet, and that onset is a
        // transient for a 0.5 s window. The whole-file decision sees a steady clip.)
        const debug = await readDebug(page);
        expect(debug.detections.filter((d) => d.slot === 'a').map((d) => d.label)).toEqual(['low']);
        const result = await page.textContent('[data-testid=playlist] li .result');
        expect(result).toContain('A: low');
        expect(result).toContain('B: (low, rejected: steady-input)');
        expect(log.errors).toEqual([]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decides file results with the live sensitivity, says which, and aligns long file names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nwave-e2e-files-'));
    try {
      const long = path.join(dir, `a-very-long-recording-name-from-the-customer-site-${'x'.repeat(40)}.wav`);
      copyFileSync(wavs.low, long);
      await withPage(wavs.quiet, async (page, log) => {
        await openApp(page, server.web.url);
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('text=Open WAV…')]);
        await chooser.setFiles([wavs.low, long]);
        await page.waitForSelector('[data-testid=source]:text("idle")', { timeout: 15_000 }); // both played
        const first = '[data-testid=playlist] li:nth-child(1) .result';
        await page.waitForFunction((sel) => /threshold/.test(document.querySelector(sel)?.textContent ?? ''), first);
        const text = (await page.textContent(first))!;
        expect(text).toMatch(/^low (\d+) %, threshold 0\.80$/); // one model: no model letter; the model file's threshold
        const confidence = Number(/^low (\d+) %/.exec(text)![1]) / 100;
        // Sensitivity to 0.99: the shown result is decided again with it, and says so.
        await page.focus('[data-testid=threshold-slider]');
        await page.keyboard.press('End');
        await page.waitForFunction((sel) => /0\.99 \(sensitivity\)/.test(document.querySelector(sel)?.textContent ?? ''), first);
        const strict = (await page.textContent(first))!;
        if (confidence >= 0.99) expect(strict).toMatch(/^low /);
        else expect(strict).toMatch(/^\(low, rejected: low-confidence\)/);
        // File names start at the same left edge however long (no centred name).
        const xs = await page.$$eval('[data-testid=playlist] .file-name', (bs) =>
          bs.map((b) => ({ x: b.getBoundingClientRect().left, align: getComputedStyle(b).textAlign })),
        );
        expect(xs).toHaveLength(2);
        expect(Math.abs(xs[0].x - xs[1].x)).toBeLessThan(1);
        const textLeft = await page.$$eval('[data-testid=playlist] .file-name', (bs) =>
          bs.map((b) => {
            const r = document.createRange();
            r.selectNodeContents(b);
            return Array.from(r.getClientRects()).map((line) => line.left - b.getBoundingClientRect().left);
          }),
        );
        expect(textLeft[1].length).toBeGreaterThan(1); // the long name wraps
        for (const l of textLeft.flat()) expect(l).toBeLessThan(12); // every line starts at the button's left padding
        expect(log.errors).toEqual([]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('records a user example from the microphone into DATA/<word>/ and the clip count follows', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'nwave-e2e-data-'));
    try {
      mkdirSync(path.join(data, 'beep'));
      copyFileSync(wavs.high, path.join(data, 'beep', 'existing.wav'));
      await withPage(wavs.high, async (page, log) => {
        await openApp(page, server.web.url);
        await page.click('[data-testid=mic-toggle]');
        await page.waitForSelector('[data-testid=source]:text("microphone")');
        await page.click('[data-tab=training]');
        await page.fill('input[aria-label="Data folder"]', data);
        await page.click('text=Scan');
        await page.waitForSelector('[data-testid=clips-beep]:text("1")');
        await page.fill('input[aria-label="Word to record"]', 'beep');
        await page.click('text=Record example');
        await page.waitForSelector('.recorder [role=status]:text("Saved")', { timeout: 15_000 });
        await page.waitForSelector('[data-testid=clips-beep]:text("2")'); // refreshed without another Scan
        expect(log.errors).toEqual([]);
      });
      const files = readdirSync(path.join(data, 'beep')).filter((f) => f !== 'existing.wav');
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

  it('trains in the app: one validation figure everywhere, and the live model changes only on "Use this model"', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'nwave-e2e-train-'));
    try {
      // A few sox tones per word (16 kHz, 1 s) and quiet noise for the background class.
      for (const [word, base, step] of [
        ['low', 300, 30],
        ['high', 3500, 100],
      ] as const) {
        mkdirSync(path.join(data, word));
        for (let i = 0; i < 10; i++)
          execFileSync('sox', [
            '-n',
            '-r',
            '16000',
            '-b',
            '16',
            '-c',
            '1',
            path.join(data, word, `${i}.wav`),
            'synth',
            '0.5',
            'sine',
            String(base + i * step),
            'vol',
            '0.3',
            'pad',
            '0.2',
            '0.3',
          ]);
      }
      mkdirSync(path.join(data, 'noise'));
      for (let i = 0; i < 10; i++)
        execFileSync('sox', [
          '-n',
          '-r',
          '16000',
          '-b',
          '16',
          '-c',
          '1',
          path.join(data, 'noise', `${i}.wav`),
          'synth',
          '1',
          'pinknoise',
          'vol',
          String(0.01 * (i + 1)),
        ]);
      await withPage(wavs.quiet, async (page, log) => {
        await openApp(page, server.web.url);
        const liveName = await page.textContent('[data-testid=pane-title-a]');
        await page.click('[data-tab=training]');
        await page.fill('input[aria-label="Data folder"]', data);
        await page.click('text=Scan');
        await page.check('.class-chip input[value=low]');
        await page.check('.class-chip input[value=high]');
        await page.fill('input[aria-label="Epochs"]', '2');
        await page.click('button:text-is("Train")');
        await page.waitForSelector('[data-testid=training-status]:text("Done")', { timeout: 120_000 });
        const status = (await page.textContent('[data-testid=training-status]'))!;
        const m = /^Done: validation accuracy (\d+) % \(saved model\)\. Saved to (.+\.nwave\.json)\.$/.exec(status);
        expect(m, status).not.toBeNull();
        const out = m![2];
        const ck = JSON.parse(readFileSync(out, 'utf8')) as {
          name: string;
          chipProfile: string;
          provenance: { notes: string; metrics: { valAccuracy: number } };
        };
        expect(Number(m![1])).toBe(Math.round(ck.provenance.metrics.valAccuracy * 100)); // the saved model's figure
        // The panel's defaults reached the real trainer: the shipped models' recipe, on the default chip.
        expect(ck.provenance.notes).toMatch(/^recipe: keyword-spotter; train config: /);
        expect(ck.chipProfile).toBe(DEFAULT_CHIP_PROFILE_ID);
        // The run list names the same figure the same way.
        await page.waitForFunction(
          (pct) =>
            (document.querySelector('[data-testid=run-summary]')?.textContent ?? '').includes(`validation accuracy ${pct} % (saved model)`),
          m![1],
        );
        // Not live yet: the live model is the one from before until "Use this model".
        expect(await page.textContent('[data-testid=pane-title-a]')).toBe(liveName);
        await page.click('[data-testid=use-model]');
        await page.waitForSelector('[data-testid=training-status]:text("is now the live model")');
        expect(await page.textContent('[data-testid=pane-title-a]')).toBe(`Model A · ${ck.name}`);
        expect(log.errors).toEqual([]);
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
