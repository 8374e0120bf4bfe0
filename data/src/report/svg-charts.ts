/**
 * Tiny dependency-free SVG charts for the self-contained HTML reports: the training report
 * (`training/src/train/report.ts`) and the `nwave eval --report` page (`cli/src/eval/report-html.ts`).
 * Each chart is an inline `<svg>` inside a `<figure>` with an XML-escaped caption, in one palette,
 * so both reports look alike. The CLI imports this module through the `@nwave/data/svg-charts`
 * subpath rather than the package root, so rendering an eval report loads only this module.
 *
 * Non-finite data (NaN, ±Infinity) is left out of every chart instead of being written into SVG
 * coordinates, where a single `NaN` would make a browser drop the whole element.
 */

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const color = (k: number) => COLORS[k % COLORS.length];
const num = (v: number) => String(+v.toPrecision(3));

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for XML/HTML content and quoted attribute values. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

interface Margins {
  l: number;
  r: number;
  t: number;
  b: number;
}

/** The `<figure>` around every chart; `caption` is markup (escape the text that goes in it). */
const figure = (caption: string, W: number, H: number | string, body: string) =>
  `<figure><figcaption>${caption}</figcaption><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${body}</svg></figure>`;

/** Background and border of the plot area. */
const plotArea = (m: Margins, W: number, H: number) =>
  `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>`;

/** Series names side by side above the plot, each as wide as its text (~6.5 px per character at 11 px). */
function legend(names: readonly string[], x0: number, y: number): string {
  let x = x0;
  return names
    .map((name, k) => {
      const t = `<text x="${x}" y="${y}" fill="${color(k)}" font-size="11">${esc(name)}</text>`;
      x += name.length * 6.5 + 16;
      return t;
    })
    .join('');
}

/** Labels at the bottom, middle and top of the y axis. */
const yTicks = (m: Margins, lo: number, hi: number, Y: (v: number) => number, label: (v: number) => string) =>
  [0, 0.5, 1]
    .map((k) => lo + k * (hi - lo))
    .map((v) => `<text x="${m.l - 4}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${label(v)}</text>`)
    .join('');

const polyline = (c: string, pts: readonly [number, number][], dashed = false) =>
  `<polyline fill="none" stroke="${c}" stroke-width="1.8"${dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;

export interface LineSeries {
  name: string;
  values: readonly number[];
}

export interface LineChartOptions {
  /** Appended to the x-axis caption. */
  yLabel?: string;
  /** Logarithmic y axis (values below 1e-9 are drawn at 1e-9). */
  log?: boolean;
  width?: number;
  height?: number;
}

/** Line chart of several series over the epoch index x = 1..n (the training curves). */
export function lineChart(title: string, series: readonly LineSeries[], opts: LineChartOptions = {}): string {
  const W = opts.width ?? 460;
  const H = opts.height ?? 220;
  const m = { l: 48, r: 10, t: 24, b: 30 };
  const f = (v: number) => (opts.log ? Math.log10(Math.max(v, 1e-9)) : v);
  const all = series.flatMap((s) => s.values.map(f)).filter(Number.isFinite);
  const n = Math.max(1, ...series.map((s) => s.values.length));
  let lo = Math.min(...all, opts.log ? Infinity : 0);
  let hi = Math.max(...all);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi === lo) hi = lo + 1;
  // Positions in the (possibly log-) transformed value space.
  const X = (i: number) => m.l + ((W - m.l - m.r) * i) / Math.max(1, n - 1);
  const Y = (t: number) => H - m.b - ((H - m.t - m.b) * (t - lo)) / (hi - lo);
  const lines = series
    .map((s, k) =>
      polyline(
        color(k),
        s.values.flatMap((v, i): [number, number][] => (Number.isFinite(f(v)) ? [[X(i), Y(f(v))]] : [])),
      ),
    )
    .join('');
  const yt = yTicks(m, lo, hi, Y, (t) => (opts.log ? `1e${t.toFixed(1)}` : num(t)));
  const xAxis = `<text x="${W / 2}" y="${H - 6}" font-size="10" text-anchor="middle">epoch (1..${n})${opts.yLabel ? ` — ${esc(opts.yLabel)}` : ''}</text>`;
  return figure(
    esc(title),
    W,
    H,
    `${plotArea(m, W, H)}${yt}${xAxis}${lines}${legend(
      series.map((s) => s.name),
      m.l + 8,
      m.t - 8,
    )}`,
  );
}

export interface XySeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Dashed line (e.g. a percentile beside the mean). */
  dashed?: boolean;
}

export interface XyOptions {
  xLabel: string;
  yLabel: string;
  /** Axis ranges; default: the data's (y from 0). */
  xRange?: [number, number];
  yRange?: [number, number];
  /**
   * Logarithmic x axis with this floor: smaller values (e.g. 0 false accepts/h) sit on the left
   * edge. Why: false-accept rates span 0.1 to thousands per hour, and the operating points that
   * matter (0.5 and 1 per hour) would be squeezed into a corner of a linear axis.
   */
  logXFloor?: number;
  /** Vertical markers, e.g. the nominal mismatch or 0.5 false accepts/h. */
  xMarks?: { x: number; label: string }[];
  width?: number;
  height?: number;
}

/** Line chart of (x, y) points with real x values, one polyline with dots (and tooltips) per series. */
export function xyChart(title: string, series: readonly XySeries[], opts: XyOptions): string {
  const W = opts.width ?? 460;
  const H = opts.height ?? 240;
  const m = { l: 48, r: 12, t: 26, b: 34 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let [x0, x1] = opts.xRange ?? [Math.min(...xs, Infinity), Math.max(...xs, -Infinity)];
  let [y0, y1] = opts.yRange ?? [Math.min(0, ...ys), Math.max(...ys, -Infinity)];
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1];
  const floor = opts.logXFloor;
  const fx = (v: number) => (floor === undefined ? v : Math.log10(Math.max(v, floor)));
  const tx0 = fx(x0);
  const tx1 = fx(x1) > tx0 ? fx(x1) : tx0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const X = (v: number) => m.l + ((W - m.l - m.r) * (fx(v) - tx0)) / (tx1 - tx0);
  const Y = (v: number) => H - m.b - ((H - m.t - m.b) * (v - y0)) / (y1 - y0);
  const lines = series
    .map((s, k) => {
      const c = color(k);
      const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      const dots = pts
        .map(
          (p) =>
            `<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="2.5" fill="${c}"><title>${esc(s.name)}: (${num(p[0])}, ${num(p[1])})</title></circle>`,
        )
        .join('');
      return (
        polyline(
          c,
          pts.map((p) => [X(p[0]), Y(p[1])]),
          s.dashed,
        ) + dots
      );
    })
    .join('');
  const marks = (opts.xMarks ?? [])
    .filter((mk) => mk.x >= x0 && mk.x <= x1)
    .map(
      (mk, i) =>
        `<line x1="${X(mk.x).toFixed(1)}" x2="${X(mk.x).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#999" stroke-dasharray="3 3"/><text x="${(X(mk.x) + 3).toFixed(1)}" y="${m.t + 11 + 11 * i}" font-size="10" fill="#777">${esc(mk.label)}</text>`,
    )
    .join('');
  const yt = yTicks(m, y0, y1, Y, num);
  const xTicks =
    floor === undefined
      ? [0, 0.5, 1].map((k) => x0 + k * (x1 - x0))
      : Array.from({ length: Math.floor(tx1) - Math.ceil(tx0) + 1 }, (_, i) => 10 ** (Math.ceil(tx0) + i));
  const xt = xTicks
    .map((v) => `<text x="${X(v).toFixed(1)}" y="${H - m.b + 13}" text-anchor="middle" font-size="10">${num(v)}</text>`)
    .join('');
  const midY = (m.t + H - m.b) / 2;
  const axes = `<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" font-size="10" text-anchor="middle">${esc(opts.xLabel)}</text><text x="12" y="${midY}" font-size="10" text-anchor="middle" transform="rotate(-90 12 ${midY})">${esc(opts.yLabel)}</text>`;
  return figure(
    esc(title),
    W,
    H,
    `${plotArea(m, W, H)}${marks}${yt}${xt}${axes}${lines}${legend(
      series.map((s) => s.name),
      m.l + 6,
      m.t - 9,
    )}`,
  );
}

export interface HistogramOptions {
  bins?: number;
  /** Value range (default -1..1); values outside it land in the edge bins. */
  lo?: number;
  hi?: number;
  /** Vertical markers, e.g. the ±0.9 weight limit. */
  limits?: number[];
}

/** Histogram with vertical limit markers (e.g. the ±0.9 weight range); the caption gives n. */
export function histogram(title: string, values: ArrayLike<number>, opts: HistogramOptions = {}): string {
  const W = 460;
  const H = 180;
  const m = { l: 40, r: 10, t: 20, b: 28 };
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  const span = hi > lo ? hi - lo : 1;
  const nb = Math.max(1, Math.floor(opts.bins ?? 61));
  const counts = new Array<number>(nb).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(nb - 1, Math.max(0, Math.floor(((v - lo) / span) * nb)))]++;
    n++;
  }
  const skipped = values.length - n;
  const max = Math.max(1, ...counts);
  const bw = (W - m.l - m.r) / nb;
  const ph = H - m.t - m.b;
  const bars = counts
    .map(
      (c, i) =>
        `<rect x="${(m.l + i * bw).toFixed(1)}" y="${(H - m.b - (ph * c) / max).toFixed(1)}" width="${(bw - 0.5).toFixed(1)}" height="${((ph * c) / max).toFixed(1)}" fill="${COLORS[0]}"/>`,
    )
    .join('');
  const xpos = (v: number) => m.l + ((W - m.l - m.r) * (v - lo)) / span;
  const lims = (opts.limits ?? [])
    .filter(Number.isFinite)
    .map(
      (v) =>
        `<line x1="${xpos(v)}" x2="${xpos(v)}" y1="${m.t}" y2="${H - m.b}" stroke="${COLORS[2]}" stroke-dasharray="4 3"/><text x="${xpos(v)}" y="${H - 8}" font-size="10" text-anchor="middle" fill="${COLORS[2]}">${v}</text>`,
    )
    .join('');
  const caption = `${esc(title)} (n = ${n}${skipped ? `, ${skipped} non-finite left out` : ''})`;
  return figure(
    caption,
    W,
    H,
    `${plotArea(m, W, H)}${bars}${lims}<text x="${m.l}" y="${H - 8}" font-size="10">${lo}</text><text x="${W - m.r}" y="${H - 8}" font-size="10" text-anchor="end">${hi}</text>`,
  );
}

/**
 * Bar chart of one value per item (e.g. firing rate per neuron), bars from 0 up to `max`
 * (default: the largest value). Bars are clipped to the plot; non-finite values get no bar.
 */
export function barChart(title: string, values: readonly number[], opts: { max?: number } = {}): string {
  const W = 460;
  const H = 140;
  const m = { l: 36, r: 10, t: 20, b: 20 };
  const max = opts.max ?? Math.max(1e-9, ...values.filter(Number.isFinite));
  const bw = (W - m.l - m.r) / Math.max(1, values.length);
  const ph = H - m.t - m.b;
  const bars = values
    .map((v, i) => {
      if (!Number.isFinite(v)) return '';
      const h = Math.min(ph, Math.max(0, (ph * v) / max));
      return `<rect x="${(m.l + i * bw).toFixed(1)}" y="${(H - m.b - h).toFixed(1)}" width="${Math.max(0.5, bw - 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[4]}"/>`;
    })
    .join('');
  return figure(
    esc(title),
    W,
    H,
    `${plotArea(m, W, H)}${bars}<text x="${m.l - 4}" y="${m.t + 8}" font-size="10" text-anchor="end">${+max.toPrecision(2)}</text><text x="${m.l - 4}" y="${H - m.b}" font-size="10" text-anchor="end">0</text>`,
  );
}

/** Confusion matrix as a heat map: cells shaded by their share of the row, counts written in. */
export function confusionHeatmap(
  title: string,
  rows: readonly string[],
  columns: readonly string[],
  counts: readonly (readonly number[])[],
): string {
  const cell = 46;
  const left = 110;
  const top = 90;
  const W = left + cell * columns.length + 80; // room for the slanted column names
  const H = top + cell * rows.length + 10;
  const body = rows
    .map((r, i) => {
      const total = counts[i].reduce((a, b) => a + b, 0);
      const y = top + i * cell;
      const cells = columns
        .map((_, j) => {
          const share = total ? counts[i][j] / total : 0;
          const fill = `rgba(78,121,167,${(0.08 + 0.92 * share).toFixed(3)})`;
          const x = left + j * cell;
          return `<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${total ? fill : '#f4f4f4'}"${r === columns[j] ? ' stroke="#333"' : ''}/><text x="${x + cell / 2 - 1}" y="${y + cell / 2 + 3}" font-size="11" text-anchor="middle" fill="${share > 0.55 ? '#fff' : '#222'}">${counts[i][j]}</text>`;
        })
        .join('');
      return `<text x="${left - 6}" y="${y + cell / 2 + 3}" font-size="11" text-anchor="end">${esc(r)}</text>${cells}`;
    })
    .join('');
  const head = columns
    .map(
      (c, j) =>
        `<text x="${left + j * cell + cell / 2}" y="${top - 8}" font-size="11" text-anchor="start" transform="rotate(-40 ${left + j * cell + cell / 2} ${top - 8})">${esc(c)}</text>`,
    )
    .join('');
  return figure(`${esc(title)} (rows: true class, columns: arg-max output)`, W, H, `${head}${body}`);
}

/**
 * Spike raster of every layer of one clip, stacked (frontend at the bottom as in a network
 * diagram). `raster[t * size + n]` is non-zero when neuron n spiked at step t.
 */
export function spikeRaster(
  title: string,
  layers: readonly { name: string; size: number; raster: Uint8Array }[],
  steps: number,
  dtS: number,
): string {
  const W = 460;
  const neurons = layers.reduce((a, l) => a + l.size, 0);
  const px = Math.max(1, Math.min(3, Math.floor(200 / Math.max(1, neurons))));
  const m = { l: 70, r: 10, t: 8, b: 24 };
  const dx = (W - m.l - m.r) / Math.max(1, steps);
  const heights = layers.map((l) => Math.max(12, l.size * px));
  const H = m.t + heights.reduce((a, h) => a + h + 6, 0) + m.b;
  let y = H - m.b;
  const parts: string[] = [];
  layers.forEach((l, li) => {
    const h = heights[li];
    y -= h;
    const rowH = h / l.size;
    const rects: string[] = [];
    for (let t = 0; t < steps; t++) {
      for (let n = 0; n < l.size; n++) {
        if (l.raster[t * l.size + n])
          rects.push(
            `<rect x="${(m.l + t * dx).toFixed(1)}" y="${(y + (l.size - 1 - n) * rowH).toFixed(1)}" width="${Math.max(1, dx).toFixed(1)}" height="${Math.max(1, rowH - 0.3).toFixed(1)}"/>`,
          );
      }
    }
    parts.push(
      `<rect x="${m.l}" y="${y.toFixed(1)}" width="${W - m.l - m.r}" height="${h.toFixed(1)}" fill="#fafafa" stroke="#ddd"/><g fill="${color(li)}">${rects.join('')}</g><text x="${m.l - 4}" y="${(y + h / 2 + 4).toFixed(1)}" font-size="10" text-anchor="end">${esc(l.name)} (${l.size})</text>`,
    );
    y -= 6;
  });
  const axis = `<text x="${m.l}" y="${H - 6}" font-size="10">0 s</text><text x="${W - m.r}" y="${H - 6}" font-size="10" text-anchor="end">${num(steps * dtS)} s</text>`;
  return figure(esc(title), W, H.toFixed(0), `${parts.join('')}${axis}`);
}
