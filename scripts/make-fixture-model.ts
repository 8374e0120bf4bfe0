/**
 * Writes the hand-built test checkpoint `test/fixtures/models/tones.nwave.json`: a 13-10-3
 * network whose "low" output answers tones below ~800 Hz and whose "high" output answers tones
 * above ~2.5 kHz; "_background_" is never driven, so the gates reject everything else.
 * Deterministic: rerunning it gives the same file (apart from createdAt, which is fixed here).
 *   node --conditions=source --import tsx scripts/make-fixture-model.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCheckpoint } from '../runtime/src/model/checkpoint-builder.js';
import { CHIP_FILTER_CENTERS_HZ, validCenters } from '../runtime/src/dsp/filterbank-design.js';
import { writeCheckpointFile } from '../runtime/src/node/checkpoint-file.js';
import type { Checkpoint } from '../runtime/src/model/checkpoint-schema.js';

export const TONES_FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'fixtures',
  'models',
  'tones.nwave.json',
);

export function makeTonesCheckpoint(): Checkpoint {
  const centers = validCenters([...CHIP_FILTER_CENTERS_HZ], 16000, () => {});
  const C = centers.length; // 13
  const lowCh = centers.map((f, i) => (f < 800 ? i : -1)).filter((i) => i >= 0);
  const highCh = centers.map((f, i) => (f > 2500 ? i : -1)).filter((i) => i >= 0);
  const H = 10;
  const hidden = new Float64Array(C * H);
  for (const c of lowCh)
    for (let j = 0; j < 5; j++) {
      hidden[c * H + j] = 0.42;
      hidden[c * H + 5 + j] = -0.3;
    }
  for (const c of highCh)
    for (let j = 0; j < 5; j++) {
      hidden[c * H + 5 + j] = 0.42;
      hidden[c * H + j] = -0.3;
    }
  const out = new Float64Array(H * 3);
  for (let j = 0; j < 5; j++) {
    out[j * 3 + 1] = 0.6;
    out[(5 + j) * 3 + 0] = 0.6;
  }
  return buildCheckpoint({
    name: 'tones-fixture',
    description: 'Hand-built test fixture: "low" (< 800 Hz) and "high" (> 2.5 kHz) tone detector. Not a speech model.',
    labels: ['high', 'low', '_background_'],
    backgroundLabels: ['_background_'],
    filterbank: { sampleRateHz: 16000, centerFrequenciesHz: centers, q: 4, binS: 0.008, gain: 1000, recordingDurationS: 1.0 },
    layers: [
      { name: 'frontend', type: 'frontend', size: C, weights: new Array(C).fill(0.1), bits: 8, wMax: 0.9, tausS: 0.01, dtS: 0.008 },
      { name: 'hidden', type: 'dense', inputs: C, size: H, weights: hidden, bits: 5, wMax: 0.9, tausS: 0.064, dtS: 0.008 },
      { name: 'output', type: 'dense', inputs: H, size: 3, weights: out, bits: 5, wMax: 0.9, tausS: 0.064, dtS: 0.008 },
    ],
    detector: { windowS: 0.5, threshold: 0.8, minSpikes: 5, minInputLevel: 0.5, refractoryS: 0.5 },
    provenance: { createdAt: '2026-11-27T00:00:00.000Z', command: 'npx tsx scripts/make-fixture-model.ts', notes: 'hand-set weights' },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await writeCheckpointFile(TONES_FIXTURE, makeTonesCheckpoint());
  console.log(`wrote ${TONES_FIXTURE}`);
}
