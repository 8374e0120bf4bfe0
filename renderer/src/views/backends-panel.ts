/**
 * Backends side by side: each WAV file classified whole by model A on the JS runtime and on
 * ONNX Runtime Web, with label, confidence, output spike counts, time per backend and an
 * "identical" / "differs" badge. Live microphone streaming stays on the JS runtime.
 */
import { AUDIO_ACCEPT, decodeAudioFileBytes } from '../audio/decode-audio.js';
import { type AudioItem, itemsFromInput } from '../audio/dropped-files.js';
import { BACKEND_TITLES, type BackendRun, type BackendRunner, type BackendName, sameResult } from '../backends/backend-runner.js';
import { fmtPct } from '../format.js';
import type { AppStore } from '../store/app-store.js';
import { h, replace, setText } from './dom.js';

const BACKENDS: readonly BackendName[] = ['js', 'onnx'];

const fmtMs = (ms: number): string => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);

export class BackendsPanel {
  private items: AudioItem[] = [];
  private generation = 0;
  private readonly status = h('div', { class: 'muted small', 'data-testid': 'backend-status' });
  private readonly table = h('table', { class: 'layers backend-table', 'data-testid': 'backend-table' });
  private readonly input = h('input', {
    type: 'file',
    accept: AUDIO_ACCEPT,
    multiple: true,
    hidden: true,
    'data-testid': 'backend-wav-input',
  }) as HTMLInputElement;

  constructor(
    root: HTMLElement,
    private readonly store: AppStore,
    private readonly runner: BackendRunner,
  ) {
    replace(
      root,
      h('h2', {}, 'Backends'),
      h(
        'p',
        { class: 'muted small' },
        'JS runtime vs ONNX Runtime Web (WASM, loaded on first use): model A, whole clips, the same quantized features on both. ',
        'Live microphone streaming always runs on the JS runtime.',
      ),
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'primary', onclick: () => this.input.click(), 'data-testid': 'backend-open' }, 'Compare WAV files…'),
        h('button', { onclick: () => void this.compare(this.items) }, 'Run again'),
      ),
      this.input,
      this.status,
      this.table,
    );
    this.input.addEventListener('change', () => void this.compare(itemsFromInput(this.input.files)));
    store.watch('models', () => this.items.length && void this.compare(this.items));
  }

  /** Classifies `items` on both backends and shows them side by side (a newer call supersedes). */
  async compare(items: AudioItem[]): Promise<void> {
    this.items = items;
    const gen = ++this.generation;
    const model = this.store.state.models.a?.model;
    replace(this.table, this.head());
    if (!model) return setText(this.status, 'Load a model first.');
    if (!items.length) return setText(this.status, 'No audio files.');
    setText(this.status, `Running ${items.length} file(s) on both backends…`);
    let same = 0;
    for (const item of items) {
      const group = h('tbody', { 'data-testid': 'backend-file', 'data-file': item.name });
      this.table.append(group);
      try {
        const audio = await decodeAudioFileBytes(await item.read(), item.name);
        const runs = await this.runner.classify(model, audio.samples, audio.sampleRateHz, BACKENDS);
        if (gen !== this.generation) return;
        const identical = sameResult(runs[0].result, runs[1].result);
        if (identical) same++;
        replace(group, ...runs.map((r, i) => this.row(item.name, r, i === 0 ? identical : null)));
      } catch (err) {
        if (gen !== this.generation) return;
        replace(group, h('tr', {}, h('td', {}, item.name), h('td', { class: 'bad', colspan: 6 }, (err as Error).message)));
      }
    }
    const start = BACKENDS.map((b) => `${BACKEND_TITLES[b]} ${fmtMs(this.runner.startMs(model, b) ?? 0)}`).join(', ');
    setText(this.status, `${same} of ${items.length} file(s) identical on both backends. Start-up (first use for this model): ${start}.`);
  }

  private head(): HTMLElement {
    const cols = ['file', 'backend', 'label', 'confidence', 'output spikes', 'time', ''];
    return h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', {}, c))));
  }

  private row(file: string, run: BackendRun, identical: boolean | null): HTMLElement {
    const r = run.result;
    const label = r.accepted ? (r.label ?? '–') : `(${r.label}, rejected: ${r.rejectedBy})`;
    return h(
      'tr',
      { 'data-backend': run.backend },
      identical === null ? null : h('td', { rowspan: 2 }, file),
      h('td', {}, BACKEND_TITLES[run.backend]),
      h('td', { 'data-testid': 'label' }, label),
      h('td', {}, fmtPct(r.confidence)),
      h('td', { 'data-testid': 'counts' }, `[${r.spikeCounts.join(', ')}]`),
      h('td', { 'data-testid': 'ms' }, fmtMs(run.ms)),
      identical === null
        ? null
        : h(
            'td',
            { rowspan: 2 },
            h('span', { class: `badge ${identical ? 'ok' : 'bad'}`, 'data-testid': 'backend-badge' }, identical ? 'identical' : 'differs'),
          ),
    );
  }
}
