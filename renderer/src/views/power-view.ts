/**
 * Projected chip power of each loaded model: total, static and dynamic (µW), energy per
 * inference (nJ), a rolling sparkline, and firing rates per layer. Every figure is labelled as
 * an estimate from the chip profile.
 */
import type { ModelSlot, PowerSnapshot } from '../engine/engine-messages.js';
import { ESTIMATE_LABEL, fmtHz, fmtNj, fmtUw } from '../format.js';
import { h, replace, setText } from './dom.js';

const HISTORY = 100; // snapshots (10 s at 10 Hz)

/** A figure cell: the value, then the estimate label in small print. */
function estimated(testId?: string): HTMLElement {
  return h('dd', testId ? { 'data-testid': testId } : {}, h('span', { class: 'value' }, '–'), h('span', { class: 'est' }, ESTIMATE_LABEL));
}

class SlotPower {
  readonly el: HTMLElement;
  private readonly total = h('span', { class: 'big-number', 'data-testid': 'power-total' }, '–');
  private readonly staticEl = estimated();
  private readonly dynamicEl = estimated();
  private readonly energyEl = estimated('energy-per-inference');
  private readonly rateEl = h('dd', {}, '–');
  private readonly profileEl = h('span', { class: 'muted small' });
  private readonly spark = h('canvas', { class: 'sparkline', height: 36 });
  private readonly history: number[] = [];

  constructor(title: string) {
    this.el = h(
      'div',
      { class: 'power-slot' },
      h('div', { class: 'card-subtitle' }, title),
      h('div', { class: 'power-total' }, this.total, h('span', { class: 'unit' }, ' total'), h('span', { class: 'est' }, ESTIMATE_LABEL)),
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'static'),
        this.staticEl,
        h('dt', {}, 'dynamic'),
        this.dynamicEl,
        h('dt', {}, 'energy / inference'),
        this.energyEl,
        h('dt', {}, 'core spike rate'),
        this.rateEl,
      ),
      this.spark,
      this.profileEl,
    );
  }

  update(p: PowerSnapshot): void {
    setText(this.total, fmtUw(p.totalUw));
    setText(this.staticEl.firstChild as HTMLElement, fmtUw(p.staticUw));
    setText(this.dynamicEl.firstChild as HTMLElement, fmtUw(p.dynamicUw));
    setText(this.energyEl.firstChild as HTMLElement, `${fmtNj(p.energyPerInferenceNj)} per ${p.inferenceS} s clip`);
    setText(this.rateEl, `${Math.round(p.spikeRateHz)} spikes/s`);
    setText(this.profileEl, `chip profile ${p.profile}, rolling ${p.windowS.toFixed(1)} s window`);
    this.history.push(p.totalUw);
    if (this.history.length > HISTORY) this.history.shift();
    this.drawSpark();
  }

  private drawSpark(): void {
    const c = this.spark;
    const w = (c.width = c.clientWidth || 240);
    const hgt = c.height;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, w, hgt);
    const max = Math.max(...this.history) * 1.15 || 1;
    ctx.strokeStyle = '#ffb74d';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    this.history.forEach((v, i) => {
      const x = (i / (HISTORY - 1)) * w;
      const y = hgt - 2 - (v / max) * (hgt - 4);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
}

export class PowerView {
  private readonly slots: Record<ModelSlot, SlotPower | null> = { a: null, b: null };
  private readonly body = h('div', { class: 'power-body' });
  private readonly rates = h('div', { class: 'rates', 'data-testid': 'firing-rates' });

  constructor(root: HTMLElement) {
    replace(
      root,
      h('h2', {}, 'Projected chip power'),
      h('p', { class: 'estimate-note' }, 'Projected (estimate) from the model’s chip profile; not a measurement.'),
      this.body,
      h('h3', {}, 'Firing rates per layer'),
      this.rates,
    );
  }

  /** Shows one block per loaded model ('b' only while comparing). */
  setModels(names: Record<ModelSlot, string | null>): void {
    replace(this.body);
    for (const slot of ['a', 'b'] as const) {
      this.slots[slot] = names[slot] ? new SlotPower(slot === 'a' ? names[slot]! : `compare: ${names[slot]}`) : null;
      if (this.slots[slot]) this.body.appendChild(this.slots[slot]!.el);
    }
    replace(this.rates);
  }

  update(p: PowerSnapshot): void {
    this.slots[p.slot]?.update(p);
    if (p.slot === 'a') this.updateRates(p);
  }

  private updateRates(p: PowerSnapshot): void {
    const max = Math.max(20, ...p.layers.map((l) => l.rateHz));
    if (this.rates.childElementCount !== p.layers.length) {
      replace(
        this.rates,
        ...p.layers.map((l) =>
          h(
            'div',
            { class: 'rate-row' },
            h('span', { class: 'rate-name' }, l.name),
            h('span', { class: 'rate-bar' }, h('span', { class: 'rate-fill' })),
            h('span', { class: 'rate-value' }),
          ),
        ),
      );
    }
    p.layers.forEach((l, i) => {
      const row = this.rates.children[i] as HTMLElement;
      (row.querySelector('.rate-fill') as HTMLElement).style.width = `${Math.min(100, (l.rateHz / max) * 100)}%`;
      setText(row.querySelector('.rate-value') as HTMLElement, `${fmtHz(l.rateHz)} / neuron`);
    });
  }
}
