/**
 * End to end in Debian Chromium: the renderer from the dev server (real handlers behind the
 * browser shim), a fake microphone looping a tone WAV, and the tones fixture model. Asserts the
 * right detections (one per loop), none for quiet noise, spikes in the rasters, a positive power
 * figure and a clean console; prints latency (word end -> detection) and frame times.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason } from './helpers/browser.js';
import { runLive } from './helpers/live-session.js';
import { reportLive } from './helpers/report.js';
import { soxSkipReason, TONE_WORD, toneFixtures } from './helpers/tone-fixtures.js';

const FIXTURE_MODEL = path.resolve('test/fixtures/models/tones.nwave.json');
const skip = chromiumSkipReason() ?? soxSkipReason();
if (skip) console.warn(`[e2e] live-tones skipped: ${skip}`);

describe.skipIf(!!skip)('live microphone, tones fixture model (Chromium e2e)', () => {
  let wavs: ReturnType<typeof toneFixtures>;

  const server = useWebServer('tones', [{ path: FIXTURE_MODEL, note: 'tones fixture' }]);
  beforeAll(async () => {
    wavs = toneFixtures();
  });

  it('detects the high tone once per loop, draws spikes, shows positive power', async () => {
    const r = await runLive({ url: server.web.url, wav: wavs.high, listenS: 5, name: 'live-high-tone' });
    reportLive('high tone', r, { label: 'high', ...TONE_WORD });
    const labels = r.debug.detections.filter((d) => d.slot === 'a').map((d) => d.label);
    expect(labels.length).toBeGreaterThanOrEqual(3); // 5 s of a 1.5 s loop
    expect(labels.length).toBeLessThanOrEqual(4);
    expect(new Set(labels)).toEqual(new Set(['high']));
    expect(r.lagScore).toBeGreaterThan(0.8);
    expect(r.debug.spikesDrawn).toBeGreaterThan(0);
    expect(r.debug.totalUw).toBeGreaterThan(0);
    expect(r.powerText).toMatch(/^[0-9.]+ µW$/);
    expect(Number.parseFloat(r.powerText)).toBeGreaterThan(0);
    expect(r.console.errors).toEqual([]);
  });

  it('tells the two words apart in one stream (the README screenshot)', async () => {
    const r = await runLive({
      url: server.web.url,
      wav: wavs.demo,
      listenS: 5.2,
      name: 'live-demo',
      // Screenshot just after a detection, while the rolling power includes its spikes.
      during: (page) =>
        page
          .waitForFunction(() => window.__nwaveDebug!.detections.length >= 4, undefined, { timeout: 5000 })
          .then(() => page.waitForTimeout(250)),
    });
    reportLive('demo loop, "low" tone then "high" tone', r, null);
    const labels = r.debug.detections.map((d) => d.label);
    expect(labels.slice(0, 4).sort()).toEqual(['high', 'high', 'low', 'low']);
    expect(r.console.errors).toEqual([]);
  });

  it('detects the low tone as "low"', async () => {
    const r = await runLive({ url: server.web.url, wav: wavs.low, listenS: 4, name: 'live-low-tone' });
    reportLive('low tone', r, { label: 'low', ...TONE_WORD });
    const labels = r.debug.detections.map((d) => d.label);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(labels)).toEqual(new Set(['low']));
    expect(r.console.errors).toEqual([]);
  });

  it('stays silent on quiet noise, while the level meter shows sound arriving', async () => {
    const r = await runLive({ url: server.web.url, wav: wavs.quiet, listenS: 4, name: 'live-quiet' });
    reportLive('quiet noise', r, null);
    expect(r.debug.detections).toEqual([]);
    expect(r.debug.stepsDrawn).toBeGreaterThan(300); // 4 s at 8 ms steps, minus start-up
    expect(r.debug.totalUw).toBeGreaterThan(0); // static power of the core neurons
    expect(r.console.errors).toEqual([]);
  });
});
