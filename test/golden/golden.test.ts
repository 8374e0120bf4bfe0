/**
 * Golden vectors: per-clip spike counts of every layer for the committed model fixtures on the
 * committed real clips. They pin the fixed-point arithmetic bit for bit across platforms and
 * refactors; regenerate only for an intended arithmetic change:
 *   NWAVE_UPDATE_GOLDEN=1 npx vitest run test/golden
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NwaveModel, runClip } from '@nwave/runtime';
import { readWavFile } from '@nwave/runtime/node';

const root = path.resolve(import.meta.dirname, '..', '..');
const clipsDir = path.join(root, 'test/fixtures/audio/speech-commands');
const clips = readdirSync(clipsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.wav'))
  .sort();
// The recurrent fixtures (in-core recurrence, per-neuron taus, 4 x 64 across cores) come from
// test/fixtures/models/make-recurrent-fixtures.ts; the H1v2 one (subtractive reset, linear charge
// map, taus on the hardware profiles, 50r-40-60 on 50 + 50 + 100 cores) from make-h1v2-fixtures.ts.
const models = [
  'test/fixtures/models/tones.nwave.json',
  'test/fixtures/models/recurrent.nwave.json',
  'test/fixtures/models/recurrent-deep.nwave.json',
  'test/fixtures/models/h1v2.nwave.json',
  'models/default.nwave.json',
  'models/default-h1v2.nwave.json',
].filter((m) => existsSync(path.join(root, m)));

describe.each(models)('golden spike counts of %s', (modelPath) => {
  const goldenFile = path.join(import.meta.dirname, `${path.basename(modelPath, '.nwave.json')}.golden.json`);
  it('match the stored vectors exactly', () => {
    const model = NwaveModel.fromJSON(readFileSync(path.join(root, modelPath), 'utf8'), modelPath);
    const net = model.createNetwork();
    const actual: Record<string, number[][]> = {};
    for (const c of clips) {
      const a = readWavFile(path.join(clipsDir, c));
      const f = model.features(a.samples, a.sampleRateHz);
      actual[c] = runClip(net, f.data, f.frames).counts.map((x) => Array.from(x));
    }
    if (process.env.NWAVE_UPDATE_GOLDEN) writeFileSync(goldenFile, JSON.stringify(actual, null, 0) + '\n');
    expect(existsSync(goldenFile), `${goldenFile} missing: run with NWAVE_UPDATE_GOLDEN=1 once`).toBe(true);
    const expected = JSON.parse(readFileSync(goldenFile, 'utf8'));
    expect(actual).toEqual(expected);
    expect(
      Object.values(actual)
        .flat(2)
        .reduce((a, b) => a + b, 0),
    ).toBeGreaterThan(0);
  });
});
