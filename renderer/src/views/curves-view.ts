/** Live training curves: loss, train/validation accuracy and mean firing rate per epoch. */
import type { EpochRow } from '@nwave/electron/shared/ipc-contract';

interface Series {
  label: string;
  color: string;
  value(r: EpochRow): number;
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
  fixedMax?: number;
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

const PANELS: Panel[] = [
  { title: 'loss', unit: '', series: [{ label: 'loss', color: '#ff7b72', value: (r) => r.loss }] },
  {
    title: 'accuracy',
    unit: '%',
    fixedMax: 100,
    series: [
      { label: 'train', color: '#79c0ff', value: (r) => r.trainAccuracy * 100 },
      { label: 'validation', color: '#56d364', value: (r) => r.valAccuracy * 100 },
    ],
  },
  {
    title: 'mean firing rate',
    unit: 'spikes / neuron / step',
    series: [{ label: 'rate', color: '#ffb74d', value: (r) => mean(r.firingRates) }],
  },
];

export class CurvesView {
  readonly canvas: HTMLCanvasElement;

  constructor(parent: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'curves';
    parent.appendChild(this.canvas);
  }

  draw(rows: readonly EpochRow[], epochs: number): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssW = c.clientWidth || 600;
    const cssH = 110 * PANELS.length;
    c.width = Math.round(cssW * dpr);
    c.height = Math.round(cssH * dpr);
    c.style.height = `${cssH}px`;
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    ctx.font = '11px system-ui, sans-serif';
    PANELS.forEach((p, i) => this.drawPanel(ctx, p, rows, Math.max(epochs, rows.length, 2), 0, i * 110, cssW, 104));
  }

  private drawPanel(
    ctx: CanvasRenderingContext2D,
    p: Panel,
    rows: readonly EpochRow[],
    epochs: number,
    x0: number,
    y0: number,
    w: number,
    hgt: number,
  ): void {
    const left = x0 + 44;
    const right = x0 + w - 8;
    const top = y0 + 16;
    const bottom = y0 + hgt - 14;
    const values = rows.flatMap((r) => p.series.map((s) => s.value(r))).filter(Number.isFinite);
    const max = p.fixedMax ?? (Math.max(1e-9, ...values) * 1.1 || 1);
    ctx.strokeStyle = '#30363d';
    ctx.strokeRect(left + 0.5, top + 0.5, right - left, bottom - top);
    ctx.fillStyle = '#9aa4b2';
    ctx.textBaseline = 'top';
    ctx.fillText(`${p.title}${p.unit ? ` (${p.unit})` : ''}`, left, y0 + 2);
    ctx.textAlign = 'right';
    ctx.fillText(max >= 10 ? max.toFixed(0) : max.toPrecision(2), left - 4, top);
    ctx.fillText('0', left - 4, bottom - 10);
    ctx.fillText(`epoch ${rows.length} / ${epochs}`, right, y0 + 2);
    ctx.textAlign = 'left';
    const xOf = (e: number): number => left + ((e - 1) / Math.max(1, epochs - 1)) * (right - left);
    const yOf = (v: number): number => bottom - (Math.max(0, v) / max) * (bottom - top);
    let legendX = left + 120;
    for (const s of p.series) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 1.8;
      ctx.beginPath();
      rows.forEach((r, i) => (i === 0 ? ctx.moveTo(xOf(r.epoch), yOf(s.value(r))) : ctx.lineTo(xOf(r.epoch), yOf(s.value(r)))));
      ctx.stroke();
      if (p.series.length > 1) {
        ctx.fillText(`■ ${s.label}`, legendX, y0 + 2);
        legendX += 80;
      }
    }
  }
}
