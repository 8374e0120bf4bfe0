/**
 * No prototype lookups on user-controlled keys (issue 14): labels, per-label thresholds, chip
 * profile names, flag values, class folders. Every key that would reach Object.prototype through
 * a plain-object lookup is tried everywhere such a key is read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointFormatError,
  InvalidArgumentError,
  NwaveModel,
  decide,
  findChipProfile,
  makeDecisionContext,
  parseCheckpoint,
  withDetectorSettings,
  type Checkpoint,
} from '@nwave/runtime';
import { selectClasses } from '@nwave/data/dataset-folder';
import { parseDetectorOptions, applyDetectorOverrides } from '../cli/src/detector-options.js';
import { PROTOTYPE_KEYS } from './fuzz/targets.js';
import { encodeWav16 } from '@nwave/runtime/wav';

const ROOT = path.resolve(import.meta.dirname, '..');
const TONES = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/models/tones.nwave.json'), 'utf8')) as Checkpoint;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nwave-proto-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The tones model with its first label renamed to `key`. */
const renamed = (key: string): Checkpoint => ({ ...TONES, labels: [key, ...TONES.labels.slice(1)] });

describe.each(PROTOTYPE_KEYS)('key %j', (key) => {
  it('as a label, it gets the global threshold when another label has its own (decision.ts)', () => {
    const ctx = makeDecisionContext([key, 'no', '_background_'], ['_background_'], {
      ...TONES.detector,
      threshold: 0.99,
      labelThresholds: { no: 0.5 },
    });
    expect(ctx.thresholds[0]).toBe(0.99);
    // Counts whose softmax confidence for the first label is ~0.69: below 0.99, so rejected.
    const d = decide(ctx, [10, 9.2, 0], 1, 1);
    expect(d.confidence).toBeGreaterThan(0.6);
    expect(d.confidence).toBeLessThan(0.99);
    expect(d).toMatchObject({ index: 0, accepted: false, rejectedBy: 'low-confidence' });
  });

  it('as a label with its own threshold, that threshold is used (file, flag and override paths)', () => {
    const text = JSON.stringify({ ...renamed(key), detector: { ...TONES.detector, threshold: 0.99 } });
    if (key === '__proto__') {
      // Cannot survive a JSON round trip as a key (zod drops it): refused as a label, never ignored.
      expect(() => parseCheckpoint(text, 'k')).toThrow(/the label "__proto__" is not allowed/);
      return;
    }
    const ck = parseCheckpoint(text, 'k');
    const flags = parseDetectorOptions({ labelThreshold: `${key}=0.25` });
    expect(Object.hasOwn(flags.labelThresholds!, key)).toBe(true);
    const over = applyDetectorOverrides(ck, flags);
    expect(Object.hasOwn(over.detector.labelThresholds!, key)).toBe(true);
    const saved = parseCheckpoint(JSON.stringify(over), 'saved');
    expect(new NwaveModel(saved).decision.thresholds[0]).toBe(0.25);
    expect(new NwaveModel(saved).decision.thresholds[1]).toBe(0.99);
  });

  it('as a --label-threshold for a model without that label: an error naming it, never dropped', () => {
    expect(() => applyDetectorOverrides(TONES, parseDetectorOptions({ labelThreshold: `${key}=0.5` }))).toThrow(
      new RegExp(`--label-threshold: detector threshold for "${key.replace(/[$_]/g, '\\$&')}": not a label`),
    );
    expect(() => withDetectorSettings(TONES, { labelThresholds: JSON.parse(`{"${key}": 0.5}`) })).toThrow(InvalidArgumentError);
  });

  it('as a chip profile name: unknown profile (CheckpointFormatError), not a TypeError', () => {
    expect(findChipProfile(key)).toBeUndefined();
    const ck = parseCheckpoint(JSON.stringify({ ...TONES, chipProfile: key }), 'k');
    expect(() => new NwaveModel(ck, 'k')).toThrow(CheckpointFormatError);
  });

  it('as a class folder name: a class like any other', () => {
    const root = path.join(tmp, `data-${PROTOTYPE_KEYS.indexOf(key)}`);
    for (const f of ['yes', key]) {
      mkdirSync(path.join(root, f), { recursive: true });
      writeFileSync(path.join(root, f, 'a.wav'), encodeWav16(new Float32Array(160), 16000));
    }
    const index = selectClasses(root, { words: ['yes'], background: true }); // as a background folder
    expect(Object.hasOwn(index.folderLabels, key)).toBe(true);
    expect(index.entries.map((e) => e.folder).sort()).toEqual([key, 'yes'].sort());
  });
});
