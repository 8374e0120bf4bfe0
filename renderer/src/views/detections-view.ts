/**
 * One model's current keyword (large) and its timestamped detections with confidence. There is
 * one view per model slot; in a comparison each model's list sits in its own pane, so a row needs
 * no model tag.
 */
import type { ModelSlot } from '../engine/engine-messages.js';
import type { AppStore, DetectionRecord, LoadedModel } from '../store/app-store.js';
import { fmtClock, fmtPct, fmtS } from '../format.js';
import { h, replace, setText } from './dom.js';

const SHOW_LIST = 50;
const FRESH_MS = 1800;

export class DetectionsView {
  readonly keyword: HTMLElement;
  private readonly detail: HTMLElement;
  /** The list; the app moves it between the side column (one model) and the model's pane (comparison). */
  readonly listCard: HTMLElement;
  private readonly list: HTMLElement;
  private fadeTimer = 0;
  private lastId = -1;
  private onFlash: ((d: DetectionRecord) => void) | null = null;

  constructor(
    keywordRoot: HTMLElement,
    private readonly slot: ModelSlot,
    store: AppStore,
  ) {
    this.keyword = h('div', { class: 'keyword idle', 'data-testid': `current-keyword-${slot}`, 'aria-live': 'polite' }, 'listening…');
    this.detail = h('div', { class: 'keyword-detail muted' }, 'Say one of the model’s words.');
    replace(keywordRoot, h('div', { class: 'card-subtitle' }, 'Current keyword'), this.keyword, this.detail);
    this.list = h('ol', {
      class: 'detections',
      'data-testid': `detections-${slot}`,
      'aria-label': `Detections of model ${slot.toUpperCase()}`,
    });
    this.listCard = h('div', { class: 'detections-block' }, h('h2', {}, 'Detections'), this.list);
    store.watch('detections', (d) => this.render(d.filter((x) => x.slot === slot)));
    store.watch('models', (m) => this.showWords(m[slot]));
  }

  /** Called with every new detection of this slot (the presentation layout mirrors it). */
  onDetection(fn: (d: DetectionRecord) => void): void {
    this.onFlash = fn;
  }

  private showWords(m: LoadedModel | null): void {
    const labels = m?.model.labels.filter((l) => !m.model.checkpoint.backgroundLabels.includes(l)) ?? [];
    setText(this.detail, labels.length ? `Listening for: ${labels.join(', ')}` : 'No model loaded.');
  }

  private render(detections: DetectionRecord[]): void {
    const newest = detections[0];
    if (newest && newest.id !== this.lastId) {
      this.lastId = newest.id;
      this.flash(newest);
    }
    if (!detections.length) {
      replace(this.list, h('li', { class: 'muted empty' }, 'No detections yet.'));
      return;
    }
    replace(
      this.list,
      ...detections
        .slice(0, SHOW_LIST)
        .map((d) =>
          h(
            'li',
            { class: `detection slot-${d.slot}`, 'data-label': d.event.label, 'data-slot': d.slot },
            h('span', { class: 'det-time', title: `stream time; ${fmtClock(d.receivedAt)}` }, fmtS(d.event.endTime)),
            h('span', { class: 'det-label' }, d.event.label),
            h('span', { class: 'det-conf', title: 'confidence (softmax of the window spike counts)' }, fmtPct(d.event.confidence)),
          ),
        ),
    );
  }

  private flash(d: DetectionRecord): void {
    setText(this.keyword, d.event.label);
    this.keyword.className = 'keyword fresh';
    void this.keyword.offsetWidth; // restart the CSS animation
    this.keyword.classList.add('pulse');
    setText(this.detail, `${fmtPct(d.event.confidence)} confidence · at ${fmtS(d.event.endTime)} · ${fmtClock(d.receivedAt)}`);
    clearTimeout(this.fadeTimer);
    this.fadeTimer = window.setTimeout(() => (this.keyword.className = 'keyword stale'), FRESH_MS);
    this.onFlash?.(d);
  }
}
