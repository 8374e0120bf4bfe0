import { describe, expect, it } from 'vitest';
import { detAt, detFromCheckpoint, detFromEvalReport } from './det-curve.js';

const points = [
  { threshold: 0.9, missRate: 0.4, falseAcceptsPerHour: 0.5 },
  { threshold: 0.5, missRate: 0.1, falseAcceptsPerHour: 8 },
  { threshold: 0.7, missRate: 0.2, falseAcceptsPerHour: 2 },
];

describe('DET curve', () => {
  it('reads an eval report, sorted by threshold, and interpolates the operating point', () => {
    const det = detFromEvalReport(JSON.stringify({ streaming: { det: points } }), 'eval.json');
    expect(det.map((p) => p.threshold)).toEqual([0.5, 0.7, 0.9]);
    const at = detAt(det, 0.6);
    expect(at.missRate).toBeCloseTo(0.15, 10);
    expect(at.falseAcceptsPerHour).toBeCloseTo(4, 10); // geometric: sqrt(8 x 2)
    expect(
      detAt(
        [
          { threshold: 0, missRate: 0, falseAcceptsPerHour: 0 },
          { threshold: 1, missRate: 1, falseAcceptsPerHour: 2 },
        ],
        0.25,
      ).falseAcceptsPerHour,
    ).toBe(0.5);
    expect(detAt(det, 0.3).missRate).toBe(0.1); // clamped below the lowest threshold
    expect(detAt(det, 0.99).falseAcceptsPerHour).toBe(0.5);
  });

  it('reads a checkpoint provenance and names the bad field', () => {
    expect(detFromCheckpoint({ metrics: {} }, 'm.json')).toBeNull();
    expect(detFromCheckpoint({ metrics: { streamingDet: points } }, 'm.json')).toHaveLength(3);
    expect(() =>
      detFromCheckpoint({ metrics: { streamingDet: [{ threshold: 2, missRate: 0, falseAcceptsPerHour: 0 }] } }, 'm.json'),
    ).toThrow(/m\.json: provenance\.metrics\.streamingDet\.0\.threshold/);
    expect(() => detFromEvalReport('{"streaming":{}}', 'e.json')).toThrow(/e\.json: no streaming\.det/);
    expect(() => detFromEvalReport('nope', 'e.json')).toThrow(/e\.json: not JSON/);
  });
});
