import { describe, expect, it } from 'vitest';
import { detectionLatencies, findLoopLag, stats, type FileEnvelope } from './alignment.js';

/** A 1500 ms loop with a "word" at 500-900 ms, as a 1 ms envelope. */
const file: FileEnvelope = {
  envelope: Float64Array.from({ length: 1500 }, (_, i) => (i >= 500 && i < 900 ? 0.3 : 0.001)),
  stepMs: 1,
  periodMs: 1500,
};

/** The stream a looping fake device delivers: starts at file time `phaseMs`, each loop `slackMs` longer. */
function stream(phaseMs: number, slackMs: number, lengthMs: number): number[] {
  const out: number[] = [];
  let fileMs = phaseMs;
  for (let t = 0; t < lengthMs; t++) {
    out.push(fileMs < 1500 ? file.envelope[Math.floor(fileMs)] : 0.001);
    fileMs++;
    if (fileMs >= 1500 + slackMs) fileMs = 0;
  }
  return out;
}

describe('loop alignment (e2e latency measurement)', () => {
  it('finds the phase of a looping file in the stream', () => {
    const s = stream(300, 0, 4000);
    const { lagMs, score } = findLoopLag(s, 1, file, { toMs: 1500 });
    expect(lagMs).toBe(300);
    expect(score).toBeCloseTo(1, 6);
  });

  it('measures latency per occurrence even when the device loop drifts', () => {
    const s = stream(300, 8, 6000); // 8 ms of slack per loop, like Chromium's fake capture
    const lag = findLoopLag(s, 1, file, { toMs: 1500 }).lagMs;
    // Word k ends at stream time (900 - 300) + k * 1508 ms; detections 40 ms after each end.
    const ends = [0, 1, 2, 3].map((k) => 600 + k * 1508);
    const detections = ends.map((e) => ({
      label: 'w',
      endTimeS: (e + 40) / 1000,
      chunkEndS: (e + 45) / 1000,
      arrivedAtMs: 1000,
      receivedAtMs: 1003,
    }));
    const rows = detectionLatencies(detections, { startS: 0.5, endS: 0.9 }, { envelope: s, stepMs: 1 }, file, lag);
    for (const r of rows) {
      expect(r.streamMs).toBeCloseTo(40, 0);
      expect(r.fromOnsetMs).toBeCloseTo(440, 0);
      expect(r.endToEndMs).toBeCloseTo(3 + 45, 0); // UI receipt - arrival + (chunk end - word end)
      expect(r.pipelineMs).toBeCloseTo(3 + 5, 0);
    }
    expect(stats(rows.map((r) => r.streamMs)).n).toBe(4);
  });
});
