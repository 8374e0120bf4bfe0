/**
 * A scrolling time-by-rows image on a canvas, for spike rasters and the filterbank heatmap.
 *
 * New steps are written as pixel columns into a ring image (one column per 8 ms step); each
 * frame uploads only the new columns (`putImageData` with a dirty rect) and draws the ring with
 * two `drawImage` calls, so the cost per frame does not grow with the window or the neuron count.
 */

export interface ScrollPlotOptions {
  title: string;
  rows: number;
  /** Label per row (drawn in the gutter when rows are tall enough; undefined rows unlabelled). */
  rowLabels?: (string | undefined)[];
  /** Steps shown. */
  columns: number;
  dtS: number;
  /** Draw row 0 at the bottom (filterbank: low frequencies at the bottom). */
  flipRows?: boolean;
  heightPx: number;
  background: number;
}

const GUTTER_PX = 72;
const AXIS_PX = 16;
const TITLE_PX = 15;

/** RGBA bytes as the little-endian uint32 an ImageData's Uint32Array view holds. */
export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export class ScrollPlot {
  readonly canvas: HTMLCanvasElement;
  readonly opts: ScrollPlotOptions;
  private readonly ring: HTMLCanvasElement;
  private readonly ringCtx: CanvasRenderingContext2D;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;
  private writeCol = 0;
  private dirtyFrom = -1;
  private dirtyCount = 0;
  /** Stream time at the right edge (end of the newest step), s. */
  private lastTimeS = 0;

  constructor(parent: HTMLElement, opts: ScrollPlotOptions) {
    this.opts = opts;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'scroll-plot';
    this.canvas.style.height = `${opts.heightPx}px`;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', opts.title);
    parent.appendChild(this.canvas);
    this.ring = document.createElement('canvas');
    this.ring.width = opts.columns;
    this.ring.height = opts.rows;
    this.ringCtx = this.ring.getContext('2d')!;
    this.image = this.ringCtx.createImageData(opts.columns, opts.rows);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.pixels.fill(opts.background);
    this.ringCtx.putImageData(this.image, 0, 0);
  }

  /**
   * Appends `count` steps. `pixel(step, row)` returns the colour of one cell.
   * @param endTimeS stream time at the end of the last appended step
   */
  append(count: number, endTimeS: number, pixel: (step: number, row: number) => number): void {
    const { columns, rows, flipRows } = this.opts;
    const start = Math.max(0, count - columns);
    for (let s = start; s < count; s++) {
      const col = this.writeCol;
      for (let r = 0; r < rows; r++) this.pixels[(flipRows ? rows - 1 - r : r) * columns + col] = pixel(s, r);
      if (this.dirtyFrom < 0) this.dirtyFrom = col;
      this.dirtyCount = Math.min(columns, this.dirtyCount + 1);
      this.writeCol = (col + 1) % columns;
    }
    this.lastTimeS = endTimeS;
  }

  /** Clears the image (new stream). */
  clear(): void {
    this.pixels.fill(this.opts.background);
    this.ringCtx.putImageData(this.image, 0, 0);
    this.writeCol = 0;
    this.dirtyFrom = -1;
    this.dirtyCount = 0;
    this.lastTimeS = 0;
  }

  private flushDirty(): void {
    if (this.dirtyFrom < 0) return;
    const { columns, rows } = this.opts;
    const first = Math.min(this.dirtyCount, columns - this.dirtyFrom);
    this.ringCtx.putImageData(this.image, 0, 0, this.dirtyFrom, 0, first, rows);
    if (first < this.dirtyCount) this.ringCtx.putImageData(this.image, 0, 0, 0, 0, this.dirtyCount - first, rows);
    this.dirtyFrom = -1;
    this.dirtyCount = 0;
  }

  /** Redraws the visible canvas (call once per animation frame). */
  draw(): void {
    this.flushDirty();
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(c.clientWidth * dpr));
    const hgt = Math.max(1, Math.round(this.opts.heightPx * dpr));
    if (c.width !== w || c.height !== hgt) {
      c.width = w;
      c.height = hgt;
    }
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const cssW = w / dpr;
    const plotW = cssW - GUTTER_PX;
    const plotTop = TITLE_PX;
    const plotH = this.opts.heightPx - AXIS_PX - TITLE_PX;
    ctx.clearRect(0, 0, cssW, this.opts.heightPx);
    ctx.imageSmoothingEnabled = false;
    // The ring's oldest column is at writeCol: draw [writeCol, end) then [0, writeCol).
    const { columns } = this.opts;
    const colW = plotW / columns;
    const tail = columns - this.writeCol;
    ctx.drawImage(this.ring, this.writeCol, 0, tail, this.opts.rows, GUTTER_PX, plotTop, tail * colW, plotH);
    if (this.writeCol > 0)
      ctx.drawImage(this.ring, 0, 0, this.writeCol, this.opts.rows, GUTTER_PX + tail * colW, plotTop, this.writeCol * colW, plotH);
    this.drawLabels(ctx, plotTop, plotH);
    this.drawAxis(ctx, plotW, plotTop + plotH);
  }

  private drawLabels(ctx: CanvasRenderingContext2D, plotTop: number, plotH: number): void {
    const { rows, rowLabels, flipRows, title } = this.opts;
    ctx.fillStyle = '#9aa4b2';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillText(title, 4, 1);
    const rowH = plotH / rows;
    if (!rowLabels) return;
    let lastY = -Infinity;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#c9d1d9';
    for (let r = 0; r < rows; r++) {
      const label = rowLabels[r];
      if (!label) continue;
      const y = plotTop + ((flipRows ? rows - 1 - r : r) + 0.5) * rowH;
      if (Math.abs(y - lastY) < 11) continue; // labels never overlap, however thin the rows
      lastY = y;
      ctx.fillText(label, 4, y, GUTTER_PX - 8);
    }
  }

  private drawAxis(ctx: CanvasRenderingContext2D, plotW: number, plotH: number): void {
    const windowS = this.opts.columns * this.opts.dtS;
    const t1 = this.lastTimeS;
    const t0 = t1 - windowS;
    const tick = windowS > 8 ? 2 : windowS > 3 ? 1 : 0.5;
    ctx.strokeStyle = '#30363d';
    ctx.fillStyle = '#8b949e';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    const placed: string[] = [];
    ctx.beginPath();
    ctx.moveTo(GUTTER_PX, plotH + 0.5);
    ctx.lineTo(GUTTER_PX + plotW, plotH + 0.5);
    for (let t = Math.ceil(Math.max(0, t0) / tick) * tick; t <= t1 + 1e-9; t += tick) {
      const x = Math.round(GUTTER_PX + ((t - t0) / windowS) * plotW) + 0.5;
      ctx.moveTo(x, plotH);
      ctx.lineTo(x, plotH + 4);
      // Labels near either end are aligned to stay whole inside the canvas ("2 s", never "2").
      const text = `${Number.isInteger(t) ? t : t.toFixed(1)} s`;
      const half = ctx.measureText(text).width / 2;
      const right = GUTTER_PX + plotW;
      ctx.textAlign = x + half > right ? 'right' : x - half < GUTTER_PX ? 'left' : 'center';
      const at = ctx.textAlign === 'right' ? right - 1 : ctx.textAlign === 'left' ? GUTTER_PX : x;
      ctx.fillText(text, at, plotH + 4);
      const left = ctx.textAlign === 'right' ? at - 2 * half : ctx.textAlign === 'left' ? at : at - half;
      placed.push(`${text}@${left.toFixed(1)}:${(left + 2 * half).toFixed(1)}`);
    }
    ctx.stroke();
    ctx.textAlign = 'left';
    // Where each time label was drawn (css px), for the e2e check that none is cut.
    const axis = placed.join('|');
    if (this.canvas.dataset.axis !== axis) this.canvas.dataset.axis = axis;
  }
}
