/**
 * Output calibration of simulated chips, on the bundled default model and real speech (the
 * committed Speech Commands and example clips): a chip's gains bring its mean counts back to the
 * nominal network's on the calibration audio, and the detector (whole-clip and streaming) decides
 * on the counts times the gains.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWavFile } from '../node/wav-file.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { KeywordSpotter } from '../engine/keyword-spotter.js';
import { InvalidArgumentError } from '../errors.js';
import { withDetectorSettings } from '../model/detector-overrides.js';
import { parseCheckpoint } from '../model/checkpoint.js';
import { chipInstanceModel, sampleChipInstance } from './chip-instance.js';
import { calibrateOutputGains, COUNT_GAIN_RANGE, outputCalibrator, withCountGains } from './chip-calibration.js';
import { chipSeed, seededRandom } from './random.js';

const root = new URL('../../../', import.meta.url).pathname;
const modelFile = path.join(root, 'models/default.nwave.json');
const model = NwaveModel.fromJSON(readFileSync(modelFile, 'utf8'), modelFile);
const wavs = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => readWavFile(path.join(dir, f)));
const audio = [...wavs(path.join(root, 'test/fixtures/audio/speech-commands')), ...wavs(path.join(root, 'models/examples'))];
const clips = audio.map((a) => model.features(a.samples, a.sampleRateHz));
const chip = (k: number) => chipInstanceModel(model, sampleChipInstance(model, seededRandom(chipSeed(1, k))));
const meanCounts = (m: NwaveModel) => {
  const sum = model.labels.map(() => 0);
  for (const c of clips) m.classifyFeatures(c.data, c.frames).spikeCounts.forEach((n, k) => (sum[k] += n));
  return sum.map((s) => s / clips.length);
};
const asClips = clips.map((c) => ({ features: c.data, frames: c.frames }));

describe('chip output calibration', () => {
  it('gives gains of 1 for the nominal network itself', () => {
    const cal = calibrateOutputGains(model, model, asClips);
    expect(Object.values(cal.countGains)).toEqual(model.labels.map(() => 1));
    expect(cal).toMatchObject({ clips: clips.length, clamped: [] });
    expect(cal.nominalMeans).toEqual(cal.chipMeans);
  });

  it("brings each simulated chip's mean counts back towards the nominal network's", () => {
    const nominal = meanCounts(model);
    const calibrate = outputCalibrator(model, asClips);
    let moved = 0;
    for (let k = 0; k < 4; k++) {
      const c = chip(k);
      const cal = calibrate(c);
      expect(cal.nominalMeans).toEqual(nominal);
      expect(cal.chipMeans).toEqual(meanCounts(c));
      model.labels.forEach((label, j) => {
        const g = cal.countGains[label];
        expect(g).toBeGreaterThanOrEqual(COUNT_GAIN_RANGE[0]);
        expect(g).toBeLessThanOrEqual(COUNT_GAIN_RANGE[1]);
        // Counts times the gain land within the prior's half count of the nominal mean.
        expect(Math.abs(cal.chipMeans[j] * g - nominal[j])).toBeLessThanOrEqual(Math.abs(cal.chipMeans[j] - nominal[j]) + 1e-9);
        expect(Math.abs(cal.chipMeans[j] * g - nominal[j])).toBeLessThan(0.5 + 1e-9);
        if (Math.abs(g - 1) > 0.02) moved++;
      });
    }
    expect(moved).toBeGreaterThan(0); // mismatch does shift populations on real speech
  });

  it('decides on the counts times the gains, whole-clip and streaming; the reported counts stay raw', () => {
    const c = chip(0);
    const yes = model.labels.indexOf('yes');
    const bg = model.labels.indexOf('_background_');
    // Silence the keywords: every clip goes to the background.
    const muted = withCountGains(c, { yes: 0.01, no: 0.01 });
    // A keyword clip the raw chip accepts (what the muted chip must then refuse).
    const clip = audio.find((a) => c.classify(a.samples, a.sampleRateHz).accepted)!;
    expect(clip).toBeDefined();
    for (const a of audio) {
      const raw = c.classify(a.samples, a.sampleRateHz);
      const r = muted.classify(a.samples, a.sampleRateHz);
      expect(r.spikeCounts).toEqual(raw.spikeCounts);
      if (raw.spikeCounts[bg] > 0) expect(r.index).toBe(bg);
      expect(r.accepted).toBe(false);
    }
    // Boost "yes": it wins wherever it fired at all, and the stream hears "yes" where it heard a keyword before.
    const loud = withCountGains(c, { yes: 100, no: 1, _background_: 0.01 });
    let flipped = 0;
    for (const a of audio) {
      const r = loud.classify(a.samples, a.sampleRateHz);
      if (r.spikeCounts[yes] > 0) expect(r.index).toBe(yes);
      if (r.index === yes && c.classify(a.samples, a.sampleRateHz).index !== yes) flipped++;
    }
    expect(flipped).toBeGreaterThan(0);
    const stream = Float64Array.from([...new Float64Array(8000), ...clip.samples, ...new Float64Array(16000)]);
    const events = (m: NwaveModel) => new KeywordSpotter(m, { inputSampleRateHz: clip.sampleRateHz }).process(stream);
    expect(events(muted)).toEqual([]);
    expect(events(withCountGains(c, {}))).toEqual(events(c));
  });

  it('refuses no clips, and gains for labels the model does not have (checkpoint file and overrides)', () => {
    expect(() => calibrateOutputGains(model, chip(0), [])).toThrow(InvalidArgumentError);
    expect(() => withDetectorSettings(model.checkpoint, { countGains: { maybe: 2 } })).toThrow(/count gain for "maybe": not a label/);
    expect(() => withDetectorSettings(model.checkpoint, { countGains: { yes: 0 } })).toThrow(/detector countGains\.yes/);
    const ck = { ...model.checkpoint, detector: { ...model.checkpoint.detector, countGains: { maybe: 2 } } };
    expect(() => parseCheckpoint(JSON.stringify(ck), 'x.nwave.json')).toThrow(
      /"maybe" is not one of the labels \(at detector\.countGains\)/,
    );
    const ok = { ...model.checkpoint, detector: { ...model.checkpoint.detector, countGains: { yes: 1.25 } } };
    expect(parseCheckpoint(JSON.stringify(ok), 'x.nwave.json').detector.countGains).toEqual({ yes: 1.25 });
  });
});
