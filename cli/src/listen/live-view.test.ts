/** LiveStats arithmetic and LiveView output, TTY (ANSI, in place) and plain. */
import { describe, expect, it } from 'vitest';
import type { StepView } from '@nwave/runtime';
import { LiveStats, LiveView, watts, type ViewModel } from './live-view.js';

const model: ViewModel = {
  labels: ['yes', 'no', '_background_'],
  layers: [
    { name: 'frontend', neurons: 4 },
    { name: 'hidden', neurons: 2 },
    { name: 'output', neurons: 3 },
  ],
  dtS: 0.01,
};

/** A step where the frontend fires `f` neurons, hidden none, and output neuron `k` fires (or none). */
function step(f: number, k: number | null): StepView {
  const out = new Uint8Array(3);
  if (k !== null) out[k] = 1;
  return {
    step: 0,
    timeS: 0,
    features: new Float64Array(4),
    spikes: [new Uint8Array(4), new Uint8Array(2), out],
    spikeCounts: Int32Array.from([f, 0, k === null ? 0 : 1]),
    membranes: [],
  };
}

const status = { timeS: 1, powerW: 1.5e-9, detections: 2, overflows: 0 };

describe('LiveStats', () => {
  it('firing rate per neuron over the last second, and a level in dBFS', () => {
    const s = new LiveStats(model);
    for (let i = 0; i < 300; i++) s.step(step(i < 200 ? 0 : 2, null)); // last 100 steps = 1 s: 2 of 4 frontend neurons fire
    expect(s.ratesHz()).toEqual({ frontend: 50, hidden: 0, output: 0 });
    s.audio(
      Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 0.5 : -0.5)),
      16000,
    );
    expect(s.levelDbfs).toBeCloseTo(-6.02, 1);
    s.audio(new Int16Array(16000), 16000); // one second of silence: the meter falls 20 dB, not to the floor
    expect(s.levelDbfs).toBeCloseTo(-26.02, 1);
  });
  it('raster: newest on the right, one row per layer (density) and per label (spikes)', () => {
    const s = new LiveStats(model, 0.2); // 20 steps
    for (let i = 0; i < 20; i++) s.step(step(i >= 15 ? 4 : 0, i === 19 ? 0 : null));
    const rows = Object.fromEntries(s.raster(20).map((r) => [r.name, r.row]));
    expect(rows.frontend).toBe(`${' '.repeat(15)}@@@@@`);
    expect(rows.hidden).toBe(' '.repeat(20));
    expect(rows.yes).toBe(`${'·'.repeat(19)}|`);
    expect(rows.no).toBe('·'.repeat(20));
    expect(s.raster(10).find((r) => r.name === 'yes')!.row).toBe(`${'·'.repeat(9)}|`); // 2 steps per column
  });
});

describe('LiveView', () => {
  it('TTY: draws in place (cursor back to the first line), prints detections above, fits the width', () => {
    let out = '';
    const view = new LiveView(
      new LiveStats(model),
      true,
      (s) => void (out += s),
      () => 40,
    );
    view.update(status, true);
    const lines = view.render(status, 39);
    expect(lines).toHaveLength(2 + 2 + 3 + 1); // level, rates, 2 layer rows, 3 label rows, power
    expect(lines.every((l) => l.length <= 39)).toBe(true);
    expect(out.startsWith('\x1b[?25l')).toBe(true);
    out = '';
    view.update(status, true);
    expect(out.startsWith(`\x1b[${lines.length}F\x1b[2Klevel`)).toBe(true);
    out = '';
    view.print('12:00:00  yes  91.0%', status);
    expect(out.startsWith(`\x1b[${lines.length}F\x1b[J12:00:00  yes  91.0%\n`)).toBe(true);
    out = '';
    view.close();
    expect(out).toBe(`\x1b[${lines.length}F\x1b[J\x1b[?25h`);
  });
  it('plain: no ANSI, one status line every 5 s of audio, detections as lines', () => {
    const lines: string[] = [];
    const view = new LiveView(new LiveStats(model), false, (s) => void lines.push(s));
    for (const t of [0.5, 4.9, 5.1, 6, 9.99, 10.2]) view.update({ ...status, timeS: t });
    view.print('12:00:00  yes  91.0%');
    expect(lines.map((l) => l.slice(0, 12))).toEqual(['[    5.1 s] ', '[   10.2 s] ', '12:00:00  ye']);
    expect(lines.join('')).not.toContain('\x1b');
  });
  it('power in readable units', () => {
    expect([watts(1.597e-9), watts(2.5e-6), watts(0.012)]).toEqual(['1.597 nW', '2.500 µW', '12.000 mW']);
  });
});
