/**
 * The chart kinds the trainer's `svg-plot.ts` lacks (its line chart plots against epoch index):
 * x-y curves with real x values, a confusion heat map and spike rasters. Same style (inline SVG
 * in a `<figure>`, same palette), same `esc`, so both reports look alike. Candidates to move next
 * to `svg-plot.ts` once that lives in a shared place.
 */
import { esc } from '../../../training/src/train/svg-plot.js';

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const num = (v: number) => String(+v.toPrecision(3));

export interface XySeries {
  name: string;
  points: [number, number][];
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

/** Line chart of (x, y) points, one polyline with dots per series. */
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
      const c = COLORS[k % COLORS.length];
      const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      const poly = `<polyline fill="none" stroke="${c}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ')}"/>`;
      return (
        poly +
        pts
          .map(
            (p) =>
              `<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="2.5" fill="${c}"><title>${esc(s.name)}: (${num(p[0])}, ${num(p[1])})</title></circle>`,
          )
          .join('')
      );
    })
    .join('');
  const legend = series
    .map((s, k) => {
      // Names side by side, each as wide as its text (~6 px per character at 11 px).
      const x = m.l + 6 + series.slice(0, k).reduce((w, p) => w + p.name.length * 6.5 + 16, 0);
      return `<text x="${x}" y="${m.t - 9}" fill="${COLORS[k % COLORS.length]}" font-size="11">${esc(s.name)}</text>`;
    })
    .join('');
  const marks = (opts.xMarks ?? [])
    .filter((mk) => mk.x >= x0 && mk.x <= x1)
    .map(
      (mk, i) =>
        `<line x1="${X(mk.x).toFixed(1)}" x2="${X(mk.x).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#999" stroke-dasharray="3 3"/><text x="${(X(mk.x) + 3).toFixed(1)}" y="${m.t + 11 + 11 * i}" font-size="10" fill="#777">${esc(mk.label)}</text>`,
    )
    .join('');
  const ticks = [0, 0.5, 1];
  const yt = ticks
    .map(
      (k) =>
        `<text x="${m.l - 4}" y="${(Y(y0 + k * (y1 - y0)) + 4).toFixed(1)}" text-anchor="end" font-size="10">${num(y0 + k * (y1 - y0))}</text>`,
    )
    .join('');
  const xTicks =
    floor === undefined
      ? ticks.map((k) => x0 + k * (x1 - x0))
      : Array.from({ length: Math.floor(tx1) - Math.ceil(tx0) + 1 }, (_, i) => 10 ** (Math.ceil(tx0) + i));
  const xt = xTicks
    .map((v) => `<text x="${X(v).toFixed(1)}" y="${H - m.b + 13}" text-anchor="middle" font-size="10">${num(v)}</text>`)
    .join('');
  const axes = `<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" font-size="10" text-anchor="middle">${esc(opts.xLabel)}</text><text x="12" y="${(m.t + H - m.b) / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">${esc(opts.yLabel)}</text>`;
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>${marks}${yt}${xt}${axes}${lines}${legend}</svg></figure>`;
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
  return `<figure><figcaption>${esc(title)} (rows: true class, columns: arg-max output)</figcaption><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${head}${body}</svg></figure>`;
}

/** Spike raster of every layer of one clip, stacked (frontend at the bottom as in a network diagram). */
export function spikeRaster(
  title: string,
  layers: readonly { name: string; size: number; raster: Uint8Array }[],
  steps: number,
  dtS: number,
): string {
  const W = 460;
  const px = Math.max(
    1,
    Math.min(
      3,
      Math.floor(
        200 /
          Math.max(
            1,
            layers.reduce((a, l) => a + l.size, 0),
          ),
      ),
    ),
  );
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
      `<rect x="${m.l}" y="${y.toFixed(1)}" width="${W - m.l - m.r}" height="${h.toFixed(1)}" fill="#fafafa" stroke="#ddd"/><g fill="${COLORS[li % COLORS.length]}">${rects.join('')}</g><text x="${m.l - 4}" y="${(y + h / 2 + 4).toFixed(1)}" font-size="10" text-anchor="end">${esc(l.name)} (${l.size})</text>`,
    );
    y -= 6;
  });
  const axis = `<text x="${m.l}" y="${H - 6}" font-size="10">0 s</text><text x="${W - m.r}" y="${H - 6}" font-size="10" text-anchor="end">${num(steps * dtS)} s</text>`;
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H.toFixed(0)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}${axis}</svg></figure>`;
}
