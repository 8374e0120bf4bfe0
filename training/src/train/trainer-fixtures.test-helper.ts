/** Fixtures shared by the trainer's tests: a checkpoint filterbank and seeded random clips. */

/** A 13-channel filterbank description for checkpoints built in tests. */
export const TEST_FILTERBANK = {
  sampleRateHz: 16000,
  centerFrequenciesHz: Array.from({ length: 13 }, (_, i) => 100 * 1.4 ** i),
  q: 4,
  binS: 0.008,
  gain: 1000,
  recordingDurationS: 1,
};

/**
 * 24 seeded random feature clips [T, C] of classes 0, 1, 2 (clip i has class i % 3 and features
 * (1 + i % 3) times louder), and the first 6 as validation clips.
 */
export function syntheticClips(T: number, C: number) {
  let s = 1;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const items = Array.from({ length: 24 }, (_, i) => {
    const f = Float32Array.from({ length: T * C }, () => rnd() * 12 * (1 + (i % 3)));
    return { file: `x${i}.wav`, label: i % 3, features: () => f };
  });
  const val = items.slice(0, 6).map((it) => ({ features: it.features(), label: it.label }));
  return { items, val };
}
