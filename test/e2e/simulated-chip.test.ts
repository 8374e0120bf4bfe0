/**
 * End to end in Debian Chromium: the Model tab's simulated chip. "Compare nominal vs this chip"
 * puts one fabricated chip of the default model (chip 3, seed 1: `nwave eval --chips N --seed 1`'s
 * chip 3, at H1v1's nominal mismatch) beside the nominal network as model B, and both listen to
 * the fake microphone looping the committed Speech Commands examples. Each model's events must be
 * the runtime's offline on the exact samples the app heard (its engine tap): the nominal network's
 * for model A, `simulatedChip`'s for model B. Then model B goes back to the nominal network.
 * A chip is calibrated on the audio files opened in the app: the gains must be the runtime's
 * `calibrateOutputGains` on the same files, and the engine must run the calibrated chip.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeywordSpotter, NwaveModel, calibrateOutputGains, simulatedChip, type KeywordEvent } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';
import { fmtCountGains } from '../../renderer/src/format.js';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason, openApp } from './helpers/browser.js';
import { listenWithTap, withPage } from './helpers/live-session.js';
import { appEvents, defaultModelAtThreshold, eventKeys, examplesLoopWav, fmtEvents } from './helpers/offline-events.js';
import { E2E_FIXTURES } from './helpers/tone-fixtures.js';

/** The bundled model at the file threshold 0.35 (the shipped one is higher), so the examples loop gives a few events. */
const MODEL = defaultModelAtThreshold(E2E_FIXTURES, 0.35);
const CHIP = { index: 3, seed: 1 };
const LISTEN_S = 12;
/** Events are compared up to 0.1 s before the tap's end (the last steps need resampler look-ahead). */
const MARGIN_S = 0.1;

const skip = chromiumSkipReason();
if (skip) console.warn(`[e2e] simulated-chip skipped: ${skip}`);

describe.skipIf(!!skip)('a simulated chip beside the nominal network (Chromium e2e)', () => {
  const server = useWebServer('chip', [{ path: MODEL }]);
  const ck = NwaveModel.fromJSON(readFileSync(MODEL, 'utf8')).checkpoint;

  it('model B runs chip 3 of model A: its events are the runtime simulatedChip events on the same samples', async () => {
    await withPage(examplesLoopWav(E2E_FIXTURES), async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      expect(await page.textContent('[data-testid=running-a]')).toContain('nominal network');
      await page.fill('[data-testid=chip-index-a]', String(CHIP.index));
      await page.fill('[data-testid=chip-seed-a]', String(CHIP.seed));
      await page.click('[data-testid=chip-compare]');
      await page.waitForSelector('[data-testid=running-b]');
      expect(await page.textContent('[data-testid=running-b]')).toBe(
        'simulated chip 3, seed 1 (Neuronova H1 (H1v1) nominal mismatch: synaptic σ 0.036, leak τ·exp(0.1·ε))',
      );
      expect(await page.textContent('[data-testid=running-a]')).toContain('nominal network');
      await page.click('[data-tab=live]');
      expect(await page.textContent('[data-testid=pane-title-b]')).toBe(`Model B · ${ck.name} · simulated chip 3, seed 1`);

      const { tap, debug } = await listenWithTap(page, LISTEN_S, 'simulated-chip');

      const offline = (model: NwaveModel): KeywordEvent[] =>
        new KeywordSpotter(model, { inputSampleRateHz: tap.sampleRateHz })
          .process(tap.samples)
          .filter((e) => e.endTime <= LISTEN_S - MARGIN_S);
      const app = (slot: 'a' | 'b') => appEvents(debug, slot, LISTEN_S - MARGIN_S);
      const nominal = offline(new NwaveModel(ck));
      const chip = offline(simulatedChip(new NwaveModel(ck), CHIP));
      console.log(`[e2e] ${LISTEN_S} s: nominal ${fmtEvents(app('a'))}; simulated chip 3 ${fmtEvents(app('b'))}`);
      expect(eventKeys(app('a'))).toEqual(eventKeys(nominal));
      expect(eventKeys(app('b'))).toEqual(eventKeys(chip));
      expect(chip.length).toBeGreaterThan(0);
      // The chip is not the nominal network: other confidences, other word boundaries.
      expect(eventKeys(chip)).not.toEqual(eventKeys(nominal));
      expect(log.errors).toEqual([]);

      // Back to the nominal network: model B says so, and the live title drops the chip.
      await page.click('[data-tab=model]');
      await page.click('[data-testid=chip-nominal-b]');
      await page.waitForFunction(() => document.querySelector('[data-testid=running-b]')?.textContent?.includes('nominal network'));
      await page.click('[data-tab=live]');
      expect(await page.textContent('[data-testid=pane-title-b]')).toBe(`Model B · ${ck.name}`);
    });
  });

  it("calibrates the running chip on the opened audio files: the runtime's calibrateOutputGains on the same files, bad files skipped", async () => {
    const dir = path.resolve('test/fixtures/audio/speech-commands');
    const wavs = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(dir, d.name)).map((f) => path.join(dir, d.name, f)))
      .filter((f) => f.endsWith('.wav'))
      .sort();
    mkdirSync(E2E_FIXTURES, { recursive: true });
    const broken = path.join(E2E_FIXTURES, 'broken.wav');
    writeFileSync(broken, Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 7)]));
    const nominal = new NwaveModel(ck);
    const clips = wavs.map((f) => {
      const a = readWavFile(f);
      const feats = nominal.features(a.samples, a.sampleRateHz);
      return { features: feats.data, frames: feats.frames };
    });
    const gains = fmtCountGains(calibrateOutputGains(nominal, simulatedChip(nominal, CHIP), clips).countGains);
    expect(wavs.length).toBeGreaterThanOrEqual(8);

    await withPage(examplesLoopWav(E2E_FIXTURES), async (page, log) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      await page.fill('[data-testid=chip-index-a]', String(CHIP.index));
      await page.click('[data-testid=chip-run-a]');
      await page.waitForFunction(() => document.querySelector('[data-testid=running-a]')?.textContent?.startsWith('simulated chip 3'));
      // No files yet: the error says what to do, and the chip keeps running uncalibrated.
      await page.click('[data-testid=chip-calibrate-a]');
      await page.waitForFunction(() => /open some audio files first/.test(document.querySelector('#statusbar')?.textContent ?? ''));
      expect(await page.$('[data-testid=chip-calibration-a]')).toBeNull();

      await page.click('[data-tab=live]');
      await page.setInputFiles('[data-testid=wav-input]', [...wavs, broken]);
      await page.click('[data-tab=model]');
      await page.click('[data-testid=chip-calibrate-a]');
      await page.waitForSelector('[data-testid=chip-calibration-a]');
      const text = await page.textContent('[data-testid=chip-calibration-a]');
      console.log(`[e2e] ${text}`);
      expect(text?.startsWith(`calibrated on ${wavs.length} audio files: ${gains}; 1 skipped (broken.wav: not a WAV file`)).toBe(true);
      // The engine runs the calibrated chip: its detector settings carry the gains.
      await page.waitForFunction(
        (g) =>
          Array.from(document.querySelectorAll('[data-testid=detector-settings]')).some((e) =>
            e.textContent?.includes(`calibrated chip (counts ${g})`),
          ),
        gains,
      );
      await page.click('[data-tab=live]');
      expect(await page.textContent('[data-testid=pane-title-a]')).toBe(`Model A · ${ck.name} · simulated chip 3, seed 1, calibrated`);
      // Another chip starts uncalibrated.
      await page.click('[data-tab=model]');
      await page.click('[data-testid=chip-next-a]');
      await page.waitForFunction(() => document.querySelector('[data-testid=running-a]')?.textContent?.startsWith('simulated chip 4'));
      expect(await page.$('[data-testid=chip-calibration-a]')).toBeNull();
      expect(log.errors).toEqual([]);
    });
  });

  it('refuses a chip number that is not a whole number in range, saying so, and keeps the model running', async () => {
    await withPage(examplesLoopWav(E2E_FIXTURES), async (page) => {
      await openApp(page, server.web.url);
      await page.click('[data-tab=model]');
      await page.fill('[data-testid=chip-index-a]', '2.5');
      await page.click('[data-testid=chip-run-a]');
      await page.waitForFunction(() =>
        /simulated chip index must be an integer/.test(document.querySelector('#statusbar')?.textContent ?? ''),
      );
      expect(await page.textContent('[data-testid=running-a]')).toContain('nominal network');
    });
  });
});
