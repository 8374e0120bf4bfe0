/**
 * The loaded model's false-accept / miss trade-off: its streaming DET curve (miss rate against
 * false accepts per hour, from the checkpoint or a dropped `nwave eval --json` report) with the
 * live sensitivity marked, so moving the slider shows what it costs.
 */
import { fmtPct } from '../format.js';
import type { AppStore, LoadedModel } from '../store/app-store.js';
import { detAt, detFromCheckpoint, detFromEvalReport, type DetPoint } from '../store/det-curve.js';
import { fmtThreshold } from '../store/detector-thresholds.js';
import { h, replace, setText } from './dom.js';

const W = 300;
const H = 170;
const PAD = { l: 50, r: 10, t: 8, b: 30 };

const fmtFa = (x: number): string => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));

export class DetView {
  private readonly canvas = h('canvas', {
    class: 'det-plot',
    width: W,
    height: H,
    role: 'img',
    'aria-label': 'DET curve',
  }) as HTMLCanvasElement;
  private readonly readout = h('p', { class: 'det-readout', 'data-testid': 'det-readout', 'aria-live': 'polite' });
  private readonly sourceLine = h('p', { class: 'muted small', 'data-testid': 'det-source' });
  private readonly fileInput = h('input', {
    type: 'file',
    accept: '.json,application/json',
    hidden: true,
    'data-testid': 'det-input',
    'aria-label': 'nwave eval report (JSON)',
  }) as HTMLInputElement;
  private points: DetPoint[] | null = null;
  private model: LoadedModel | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: AppStore,
  ) {
    const open = h(
      'button',
      { type: 'button', class: 'small-button', 'data-testid': 'det-open', onclick: () => this.fileInput.click() },
      'Load eval report…',
    );
    replace(
      root,
      h('h2', {}, 'Misses vs false accepts'),
      this.canvas,
      this.readout,
      h('div', { class: 'row' }, open, this.fileInput),
      this.sourceLine,
    );
    this.fileInput.addEventListener('change', () => {
      const f = this.fileInput.files?.[0];
      if (f) void f.text().then((t) => this.loadReport(t, f.name));
      this.fileInput.value = '';
    });
    root.addEventListener('dragover', (e) => e.preventDefault());
    root.addEventListener('drop', (e) => {
      e.preventDefault();
      const f = e.dataTransfer?.files[0];
      if (f) void f.text().then((t) => this.loadReport(t, f.name));
    });
    store.watch('models', (m) => {
      if (m.a === this.model) return;
      this.model = m.a;
      this.fromModel();
    });
    store.watch('detector', () => this.render());
  }

  /** A `nwave eval --json` report for the live model (replaces the curve until another model loads). */
  loadReport(text: string, name: string): void {
    try {
      this.points = detFromEvalReport(text, name);
      setText(this.sourceLine, `From ${name} (nwave eval --json).`);
      this.render();
    } catch (err) {
      this.store.fail(err);
      setText(this.sourceLine, (err as Error).message);
    }
  }

  private fromModel(): void {
    const m = this.model;
    this.points = null;
    if (!m) setText(this.sourceLine, '');
    else
      try {
        this.points = detFromCheckpoint(m.model.checkpoint.provenance, m.name);
        setText(
          this.sourceLine,
          this.points
            ? `From ${m.name} (provenance.metrics.streamingDet).`
            : `${m.name} carries no DET curve: load the JSON of nwave eval --json for it.`,
        );
      } catch (err) {
        setText(this.sourceLine, (err as Error).message);
      }
    this.render();
  }

  private threshold(): number | null {
    return this.store.state.detector.a?.settings.threshold ?? this.model?.model.checkpoint.detector.threshold ?? null;
  }

  private render(): void {
    const ctx = this.canvas.getContext('2d');
    const pts = this.points;
    const t = this.threshold();
    if (!ctx) return;
    ctx.clearRect(0, 0, W, H);
    this.canvas.hidden = !pts || t === null;
    if (!pts || t === null) {
      setText(this.readout, 'No DET curve for this model.');
      delete this.readout.dataset.threshold;
      this.canvas.setAttribute('aria-label', 'DET curve: none loaded');
      return;
    }
    const at = detAt(pts, t);
    this.readout.dataset.threshold = String(t);
    this.readout.dataset.missRate = String(at.missRate);
    this.readout.dataset.falseAcceptsPerHour = String(at.falseAcceptsPerHour);
    const text = `At threshold ${fmtThreshold(t)}: misses ${fmtPct(at.missRate)} of words, ${fmtFa(at.falseAcceptsPerHour)} false accepts per hour.`;
    setText(this.readout, text);
    this.canvas.setAttribute('aria-label', `DET curve, miss rate against false accepts per hour. ${text}`);
    // x: false accepts per hour on a log scale (0 plotted at the lowest decade).
    const faMax = Math.max(1, ...pts.map((p) => p.falseAcceptsPerHour));
    const positive = pts.map((p) => p.falseAcceptsPerHour).filter((v) => v > 0);
    const lo = Math.pow(10, Math.floor(Math.log10(Math.min(0.1, ...positive))));
    const hi = Math.pow(10, Math.ceil(Math.log10(faMax)));
    const pw = W - PAD.l - PAD.r;
    const ph = H - PAD.t - PAD.b;
    const x = (fa: number): number => PAD.l + ((Math.log10(Math.max(lo, fa)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * pw;
    const y = (m: number): number => PAD.t + (1 - m) * ph;
    ctx.font = '10px system-ui, sans-serif';
    ctx.strokeStyle = '#2b3442';
    ctx.fillStyle = '#9aa4b2';
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let d = lo; d <= hi * 1.0001; d *= 10) {
      const xx = Math.round(x(d)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xx, PAD.t);
      ctx.lineTo(xx, PAD.t + ph);
      ctx.stroke();
      ctx.textAlign = xx > W - 14 ? 'right' : 'center';
      ctx.fillText(fmtFa(d), Math.min(xx, W - 2), PAD.t + ph + 3);
    }
    ctx.textAlign = 'center';
    ctx.fillText('false accepts per hour', PAD.l + pw / 2, PAD.t + ph + 15);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const m of [0, 0.25, 0.5, 0.75, 1]) {
      const yy = Math.round(y(m)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.l, yy);
      ctx.lineTo(PAD.l + pw, yy);
      ctx.stroke();
      ctx.fillText(`${m * 100} %`, PAD.l - 4, yy);
    }
    ctx.save();
    ctx.translate(8, PAD.t + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText('miss rate', 0, 0);
    ctx.restore();
    ctx.strokeStyle = '#38d3bb';
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const p of pts) ctx.lineTo(x(p.falseAcceptsPerHour), y(p.missRate));
    ctx.stroke();
    ctx.fillStyle = '#ffb74d';
    ctx.beginPath();
    ctx.arc(x(at.falseAcceptsPerHour), y(at.missRate), 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#0b0e14';
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}
