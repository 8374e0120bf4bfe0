/**
 * End to end with speech: the trained default model (models/default.nwave.json) listening to
 * espeak-ng "yes" / "no" / "house" / noise fixtures (test/.fixtures/speech/, built by the global
 * setup) looped by Chromium's fake microphone. Skips, saying why, when the default model or the
 * fixtures are absent. Prints latency from each word's end to its detection event.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWebServer } from './helpers/web-fixture.js';
import { chromiumSkipReason } from './helpers/browser.js';
import { runLive } from './helpers/live-session.js';
import { reportLive } from './helpers/report.js';

/** The trained default model (override with NWAVE_E2E_SPEECH_MODEL to try another checkpoint). */
const DEFAULT_MODEL = path.resolve(process.env.NWAVE_E2E_SPEECH_MODEL ?? 'models/default.nwave.json');
/**
 * What the app runs: the model at threshold 0.4 (or its own, if lower). This test is about the app
 * reporting the words the runtime accepts, not about one model's threshold: the shipped default's
 * (0.6) accepts both whole fixtures (`nwave detect`: "no" 91.1 %, "yes" 90.5 %), the session-7
 * default's (0.65) rejected the "no" one (46.5 %).
 */
const APP_MODEL = ((): string => {
  if (!existsSync(DEFAULT_MODEL)) return DEFAULT_MODEL;
  const ck = JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8')) as { detector: { threshold: number } };
  const dir = path.resolve('test/.fixtures/e2e');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'speech-model-threshold-0.4.nwave.json');
  writeFileSync(file, JSON.stringify({ ...ck, detector: { ...ck.detector, threshold: Math.min(0.4, ck.detector.threshold) } }));
  return file;
})();
const SPEECH = path.resolve('test/.fixtures/speech');
const MANIFEST = path.join(SPEECH, 'manifest.json');

function skipReason(): string | null {
  const chromium = chromiumSkipReason();
  if (chromium) return chromium;
  if (!existsSync(DEFAULT_MODEL))
    return `no trained default model at ${DEFAULT_MODEL} (not trained yet); the tones e2e covers the app meanwhile`;
  if (!existsSync(MANIFEST)) return `speech fixtures missing in ${SPEECH} (needs espeak-ng and sox; built by scripts/build-fixtures.ts)`;
  const labels = (JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8')) as { labels: string[] }).labels;
  if (!labels.includes('yes') || !labels.includes('no'))
    return `the default model's labels (${labels.join(', ')}) do not include "yes" and "no"`;
  return null;
}

const skip = skipReason();
if (skip) console.warn(`[e2e] live-speech skipped: ${skip}`);

type Manifest = Record<string, { words: { word: string; startS: number; endS: number }[] }>;

describe.skipIf(!!skip)('live microphone, default speech model (Chromium e2e)', () => {
  let manifest: Manifest;

  const server = useWebServer('speech', [{ path: APP_MODEL }]);
  beforeAll(async () => {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  });

  for (const word of ['yes', 'no'] as const) {
    it(`detects "${word}" in the looped ${word}.wav`, async () => {
      const wav = path.join(SPEECH, `${word}.wav`);
      const r = await runLive({ url: server.web.url, wav, listenS: 6, name: `live-speech-${word}` });
      reportLive(`speech "${word}"`, r, { label: word, ...manifest[`${word}.wav`].words[0] });
      const labels = r.debug.detections.filter((d) => d.slot === 'a').map((d) => d.label);
      const right = labels.filter((l) => l === word).length;
      // 6 s of a 1.5 s loop: 4 occurrences. The app must report the word; how often it is missed or
      // taken for the other word is the model's accuracy (printed as a warning; the app gives the same
      // events as the runtime offline), which the trainer's tests own.
      expect(right).toBeGreaterThanOrEqual(1);
      expect(r.debug.spikesDrawn).toBeGreaterThan(0);
      expect(Number.parseFloat(r.powerText)).toBeGreaterThan(0);
      expect(r.console.errors).toEqual([]);
    });
  }

  it('stays silent on background noise', async () => {
    const r = await runLive({ url: server.web.url, wav: path.join(SPEECH, 'silence.wav'), listenS: 4, name: 'live-speech-silence' });
    reportLive('speech: noise', r, null);
    expect(r.debug.detections).toEqual([]);
    expect(r.console.errors).toEqual([]);
  });

  it('reports what it hears on another word ("house"), without asserting', async () => {
    const r = await runLive({ url: server.web.url, wav: path.join(SPEECH, 'other-word.wav'), listenS: 4, name: 'live-speech-other-word' });
    reportLive('speech: other word "house" (false alarms, if any, are a model-quality figure)', r, null);
    expect(r.console.errors).toEqual([]);
  });
});
