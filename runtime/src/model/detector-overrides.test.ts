import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { NwaveModel } from '../engine/nwave-model.js';
import { parseCheckpoint } from './checkpoint.js';
import { withDetectorSettings } from './detector-overrides.js';
import { readWavFile } from '../node/wav-file.js';

const root = path.resolve(import.meta.dirname, '../../..');
const file = path.join(root, 'test/fixtures/models/tones.nwave.json');
const defaultFile = path.join(root, 'models/default.nwave.json');
const ck = parseCheckpoint(readFileSync(file, 'utf8'), file);

describe('withDetectorSettings', () => {
  it('merges overrides without touching the network or the original checkpoint', () => {
    const before = JSON.stringify(ck);
    const out = withDetectorSettings(ck, { threshold: 0.9, minSpikes: 7 });
    expect(out.detector).toEqual({ ...ck.detector, threshold: 0.9, minSpikes: 7 });
    expect(out.network).toBe(ck.network);
    expect(JSON.stringify(ck)).toBe(before);
  });

  it('merges per-label thresholds; a global threshold replaces the file per-label ones', () => {
    const withLabels = withDetectorSettings(ck, { labelThresholds: { high: 0.8 } });
    expect(withLabels.detector.labelThresholds).toEqual({ high: 0.8 });
    expect(withDetectorSettings(withLabels, { labelThresholds: { low: 0.6 } }).detector.labelThresholds).toEqual({ high: 0.8, low: 0.6 });
    expect(withDetectorSettings(withLabels, { threshold: 0.7 }).detector.labelThresholds).toBeUndefined();
    expect(withDetectorSettings(withLabels, { threshold: 0.7, labelThresholds: { low: 0.6 } }).detector.labelThresholds).toEqual({
      low: 0.6,
    });
  });

  it('refuses out-of-range values and unknown labels, naming the field', () => {
    expect(() => withDetectorSettings(ck, { threshold: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => withDetectorSettings(ck, { threshold: 1.5 })).toThrow(/detector threshold: .*1\.5/);
    expect(() => withDetectorSettings(ck, { minSpikes: -1 })).toThrow(/detector minSpikes/);
    expect(() => withDetectorSettings(ck, { labelThresholds: { yes: 0.5 } })).toThrow(/"yes": not a label .*high, low/);
  });

  it('a stricter threshold or spike minimum turns an accepted clip into a rejection', () => {
    // The bundled model on a real "yes" (Speech Commands, CC BY 4.0): accepted at ~91 % confidence.
    const ck = parseCheckpoint(readFileSync(defaultFile, 'utf8'), defaultFile);
    const wav = readWavFile(path.join(root, 'models/examples/yes-18f8afd5_nohash_0.wav'));
    const clip = wav.samples;
    const base = new NwaveModel(ck).classify(clip, wav.sampleRateHz);
    expect(base.accepted).toBe(true);
    expect(base.confidence).toBeLessThan(1);
    const strict = new NwaveModel(withDetectorSettings(ck, { threshold: (base.confidence + 1) / 2 })).classify(clip, wav.sampleRateHz);
    expect([strict.index, strict.accepted, strict.rejectedBy]).toEqual([base.index, false, 'low-confidence']);
    const perLabel = new NwaveModel(withDetectorSettings(ck, { labelThresholds: { [base.label]: (base.confidence + 1) / 2 } })).classify(
      clip,
      16000,
    );
    expect(perLabel.rejectedBy).toBe('low-confidence');
    const spikes = base.spikeCounts[base.index];
    const few = new NwaveModel(withDetectorSettings(ck, { minSpikes: spikes + 1 })).classify(clip, wav.sampleRateHz);
    expect(few.rejectedBy).toBe('too-few-spikes');
  });
});
