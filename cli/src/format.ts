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
