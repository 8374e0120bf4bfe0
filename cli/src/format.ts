/** Plain-text tables and number formats for terminal output. */
export function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => String(r[c] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r
      .map((v, c) => String(v).padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const lines = all.map(line);
  if (header) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

export const uW = (w: number): string => `${(w * 1e6).toFixed(4)} µW`;
export const nJ = (j: number): string => `${(j * 1e9).toFixed(3)} nJ`;
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** "67.5% (63.0–70.4)": a 5th percentile over simulated chips with its bootstrap interval; "—" without chips. */
export function p5Text(s: { p5: number | null; p5Interval: [number, number] | null }): string {
  if (s.p5 === null) return '—';
  return s.p5Interval ? `${pct(s.p5)} (${(s.p5Interval[0] * 100).toFixed(1)}–${(s.p5Interval[1] * 100).toFixed(1)})` : pct(s.p5);
}
