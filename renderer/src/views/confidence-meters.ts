/**
 * Live per-keyword confidence of one model: for each keyword, its probability over the last
 * seconds (softmax of the detector window's spike counts, the number the detector compares with
 * its threshold) drawn as a trace with the threshold as a line, and the current value.
 */
import type { ConfidenceSnapshot, ModelSlot } from '../engine/engine-messages.js';
import { fmtPct } from '../format.js';
import type { AppStore, LoadedModel } from '../store/app-store.js';
import { h, replace, setText } from './dom.js';

const HISTORY_S = 4;

interface Row {
  label: string;
  index: number;
  el: HTMLElement;
  canvas: HTMLCanvasElement;
  value: HTMLElement;
  threshold: number;
  peak: number;
}

export class ConfidenceMeters {
  private rows: Row[] = [];
  private readonly times: number[] = [];
  private readonly probs: number[][] = [];
  private dirty = false;
  private lastText = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly slot: ModelSlot,
    private readonly store: AppStore,
    private readonly opts: { title?: string; heightPx?: number } = {},
  ) {
    store.watch('models', (m) => this.setModel(m[slot]));
    store.watch('detector', () => this.updateThresholds());
    // A new stream starts the traces afresh; after it ends they stay readable.
    store.watch('source', (src) => src !== 'idle' && this.clear());
  }

  private setModel(m: LoadedModel | null): void {
    const title = this.opts.title === undefined ? h('h2', {}, 'Confidence per keyword') : null;
    this.rows = [];
    this.clear();
    if (!m) {
      replace(this.root, title, h('p', { class: 'muted small' }, 'No model loaded.'));
      return;
    }
    const bg = m.model.checkpoint.backgroundLabels;
    const height = this.opts.heightPx ?? 22;
    this.rows = m.model.labels
      .map((label, index) => ({ label, index }))
      .filter((r) => !bg.includes(r.label))
      .map(({ label, index }) => {
        const canvas = h('canvas', {
          class: 'meter-trace',
          height,
          role: 'img',
          'aria-label': `${label}: confidence over the last ${HISTORY_S} seconds, with the threshold line`,
        }) as HTMLCanvasElement;
        const value = h('span', { class: 'meter-value' }, '0 %');
        const el = h(
          'div',
          { class: 'meter-row', 'data-testid': `meter-${this.slot}-${label}`, 'data-label': label, 'data-value': '0', 'data-peak': '0' },
          h('span', { class: 'meter-word' }, label),
          canvas,
          value,
        );
        return { label, index, el, canvas, value, threshold: m.model.checkpoint.detector.threshold, peak: 0 };
      });
    replace(
      this.root,
      title,
      h('div', { class: 'meter-rows' }, ...this.rows.map((r) => r.el)),
      this.opts.title === undefined
        ? h(
            'p',
            { class: 'muted small meter-note' },
            `Softmax of each word's output spikes in the detector window, last ${HISTORY_S} s; the line is the threshold.`,
          )
        : null,
    );
    this.updateThresholds();
  }

  private updateThresholds(): void {
    const d = this.store.state.detector[this.slot]?.settings ?? this.store.state.models[this.slot]?.model.checkpoint.detector;
    if (!d) return;
    for (const r of this.rows) {
      r.threshold = d.labelThresholds?.[r.label] ?? d.threshold;
      r.el.dataset.threshold = String(r.threshold);
    }
    this.dirty = true;
  }

  clear(): void {
    this.times.length = 0;
    this.probs.length = 0;
    for (const r of this.rows) {
      r.peak = 0;
      r.el.dataset.peak = '0';
    }
    this.dirty = true;
  }

  push(s: ConfidenceSnapshot): void {
    if (s.slot !== this.slot) return;
    if (this.times.length && s.timeS < this.times[this.times.length - 1]) this.clear(); // a new stream
    this.times.push(s.timeS);
    this.probs.push(s.probs);
    while (this.times.length > 2 && this.times[0] < s.timeS - HISTORY_S) {
      this.times.shift();
      this.probs.shift();
    }
    for (const r of this.rows) {
      const p = s.probs[r.index] ?? 0;
      if (p > r.peak) r.peak = p;
    }
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const now = performance.now();
    const writeText = now - this.lastText > 100; // text and data attributes at 10 Hz
    if (writeText) this.lastText = now;
    else this.dirty = true; // the latest values still reach the text within 100 ms
    const latest = this.probs[this.probs.length - 1];
    const t1 = this.times[this.times.length - 1] ?? 0;
    for (const r of this.rows) {
      const p = latest?.[r.index] ?? 0;
      if (writeText) {
        setText(r.value, fmtPct(p));
        r.el.dataset.value = p.toFixed(3);
        r.el.dataset.peak = r.peak.toFixed(3);
        r.el.classList.toggle('over', p >= r.threshold);
      }
      this.drawRow(r, t1);
    }
  }

  private drawRow(r: Row, t1: number): void {
    const c = r.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssH = Number(c.getAttribute('height')) || 22;
    const w = Math.max(1, Math.round(c.clientWidth * dpr));
    const hh = Math.round(cssH * dpr);
    if (c.width !== w || c.height !== hh) {
      c.width = w;
      c.height = hh;
      c.style.height = `${cssH}px`;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const cw = w / dpr;
    ctx.clearRect(0, 0, cw, cssH);
    ctx.fillStyle = '#161c27';
    ctx.fillRect(0, 0, cw, cssH);
    const y = (p: number): number => cssH - 1 - p * (cssH - 2);
    const x = (t: number): number => cw - ((t1 - t) / HISTORY_S) * cw;
    if (this.times.length > 1) {
      ctx.beginPath();
      ctx.moveTo(x(this.times[0]), cssH);
      for (let i = 0; i < this.times.length; i++) ctx.lineTo(x(this.times[i]), y(this.probs[i][r.index] ?? 0));
      ctx.lineTo(cw, cssH);
      ctx.closePath();
      ctx.fillStyle = 'rgba(56, 211, 187, 0.35)';
      ctx.fill();
      ctx.beginPath();
      for (let i = 0; i < this.times.length; i++) ctx.lineTo(x(this.times[i]), y(this.probs[i][r.index] ?? 0));
      ctx.strokeStyle = '#38d3bb';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    ctx.strokeStyle = '#ffb74d';
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(0, Math.round(y(r.threshold)) + 0.5);
    ctx.lineTo(cw, Math.round(y(r.threshold)) + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
