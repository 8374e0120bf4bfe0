/** Tiny dependency-free SVG charts for the self-contained training report. */
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export interface Series {
  name: string;
  values: number[];
}

/** Line chart of several series over x = 1..n. */
export function lineChart(
  title: string,
  series: Series[],
  opts: { yLabel?: string; log?: boolean; width?: number; height?: number } = {},
): string {
  const W = opts.width ?? 460;
  const H = opts.height ?? 220;
  const m = { l: 48, r: 10, t: 24, b: 30 };
  const f = (v: number) => (opts.log ? Math.log10(Math.max(v, 1e-9)) : v);
  const all = series.flatMap((s) => s.values.map(f)).filter(Number.isFinite);
  const n = Math.max(1, ...series.map((s) => s.values.length));
  let lo = Math.min(...all, opts.log ? Infinity : 0);
  let hi = Math.max(...all);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) hi = lo + 1;
  const x = (i: number) => m.l + ((W - m.l - m.r) * i) / Math.max(1, n - 1);
  const y = (v: number) => H - m.b - ((H - m.t - m.b) * (f(v) - lo)) / (hi - lo);
  const ticks = [0, 0.5, 1].map((k) => lo + k * (hi - lo));
  const lines = series
    .map(
      (s, k) =>
        `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1.8" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(opts.log ? 10 ** f(v) : v).toFixed(1)}`).join(' ')}"/>`,
    )
    .join('');
  const legend = series
    .map((s, k) => `<text x="${m.l + 8 + k * 110}" y="${m.t - 8}" fill="${COLORS[k % COLORS.length]}" font-size="11">${esc(s.name)}</text>`)
    .join('');
  const yt = ticks
    .map(
      (t) =>
        `<text x="${m.l - 4}" y="${(H - m.b - ((H - m.t - m.b) * (t - lo)) / (hi - lo) + 4).toFixed(1)}" text-anchor="end" font-size="10">${opts.log ? `1e${t.toFixed(1)}` : +t.toPrecision(3)}</text>`,
    )
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>${yt}<text x="${W / 2}" y="${H - 6}" font-size="10" text-anchor="middle">epoch (1..${n})${opts.yLabel ? ` — ${esc(opts.yLabel)}` : ''}</text>${lines}${legend}</svg></figure>`;
}

/** Histogram with vertical limit markers (e.g. the ±0.9 weight range). */
export function histogram(
  title: string,
  values: ArrayLike<number>,
  opts: { bins?: number; lo?: number; hi?: number; limits?: number[] } = {},
): string {
  const W = 460;
  const H = 180;
  const m = { l: 40, r: 10, t: 20, b: 28 };
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  const nb = opts.bins ?? 61;
  const counts = new Array<number>(nb).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(nb - 1, Math.max(0, Math.floor(((values[i] - lo) / (hi - lo)) * nb)))]++;
  const max = Math.max(1, ...counts);
  const bw = (W - m.l - m.r) / nb;
  const bars = counts
    .map(
      (c, i) =>
        `<rect x="${(m.l + i * bw).toFixed(1)}" y="${(H - m.b - ((H - m.t - m.b) * c) / max).toFixed(1)}" width="${(bw - 0.5).toFixed(1)}" height="${(((H - m.t - m.b) * c) / max).toFixed(1)}" fill="#4e79a7"/>`,
    )
    .join('');
  const xpos = (v: number) => m.l + ((W - m.l - m.r) * (v - lo)) / (hi - lo);
  const lims = (opts.limits ?? [])
    .map(
      (v) =>
        `<line x1="${xpos(v)}" x2="${xpos(v)}" y1="${m.t}" y2="${H - m.b}" stroke="#e15759" stroke-dasharray="4 3"/><text x="${xpos(v)}" y="${H - 8}" font-size="10" text-anchor="middle" fill="#e15759">${v}</text>`,
    )
    .join('');
  return `<figure><figcaption>${esc(title)} (n = ${values.length})</figcaption><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>${bars}${lims}<text x="${m.l}" y="${H - 8}" font-size="10">${lo}</text><text x="${W - m.r}" y="${H - 8}" font-size="10" text-anchor="end">${hi}</text></svg></figure>`;
}

/** Bar chart of one value per item (e.g. firing rate per neuron). */
export function barChart(title: string, values: number[], opts: { max?: number } = {}): string {
  const W = 460;
  const H = 140;
  const m = { l: 36, r: 10, t: 20, b: 20 };
  const max = opts.max ?? Math.max(1e-9, ...values);
  const bw = (W - m.l - m.r) / Math.max(1, values.length);
  const bars = values
    .map(
      (v, i) =>
        `<rect x="${(m.l + i * bw).toFixed(1)}" y="${(H - m.b - ((H - m.t - m.b) * v) / max).toFixed(1)}" width="${Math.max(0.5, bw - 0.5).toFixed(1)}" height="${(((H - m.t - m.b) * v) / max).toFixed(1)}" fill="#59a14f"/>`,
    )
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>${bars}<text x="${m.l - 4}" y="${m.t + 8}" font-size="10" text-anchor="end">${+max.toPrecision(2)}</text><text x="${m.l - 4}" y="${H - m.b}" font-size="10" text-anchor="end">0</text></svg></figure>`;
}

export { esc };
