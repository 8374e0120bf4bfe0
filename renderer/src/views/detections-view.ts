/** The current keyword (large) and the timestamped list of detections with confidence. */
import type { AppStore, DetectionRecord } from '../store/app-store.js';
import { fmtClock, fmtPct, fmtS } from '../format.js';
import { h, replace, setText } from './dom.js';

const SHOW_LIST = 50;
const FRESH_MS = 1800;

export class DetectionsView {
  private readonly keyword: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly list: HTMLElement;
  private fadeTimer = 0;
  private lastId = -1;

  constructor(keywordRoot: HTMLElement, listRoot: HTMLElement, store: AppStore) {
    this.keyword = h('div', { class: 'keyword idle', 'data-testid': 'current-keyword' }, 'listening…');
    this.detail = h('div', { class: 'keyword-detail muted' }, 'Say one of the model’s words.');
    replace(keywordRoot, h('div', { class: 'card-subtitle' }, 'Current keyword'), this.keyword, this.detail);
    this.list = h('ol', { class: 'detections', 'data-testid': 'detections' });
    replace(listRoot, h('h2', {}, 'Detections'), this.list);
    store.watch('detections', (d) => this.render(d));
    store.watch('models', (m) => {
      const labels = m.a?.model.labels.filter((l) => !m.a!.model.checkpoint.backgroundLabels.includes(l)) ?? [];
      setText(this.detail, labels.length ? `Listening for: ${labels.join(', ')}` : 'No model loaded.');
    });
  }

  private render(detections: DetectionRecord[]): void {
    const newest = detections[0];
    if (newest && newest.id !== this.lastId) {
      this.lastId = newest.id;
      if (newest.slot === 'a') this.flash(newest);
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
            h('span', { class: 'det-conf' }, fmtPct(d.event.confidence)),
            h('span', { class: 'det-slot' }, d.slot === 'a' ? 'A' : 'B'),
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
  }
}
