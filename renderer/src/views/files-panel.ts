/**
 * Audio files instead of the microphone: drop audio files (WAV, FLAC, MP3, OGG...) or folders (or open them), play them
 * through the same engine with playback to the speakers, and see each file's whole-clip result
 * for the loaded model(s) side by side. The result is decided with the threshold the live view
 * runs each model with (the Sensitivity slider), and says which threshold that is; moving the
 * slider re-decides the shown results from their spike counts (no re-run).
 */
import { decide, makeDecisionContext, type ClipResult } from '@nwave/runtime';
import { AUDIO_ACCEPT, decodeAudioFileBytes } from '../audio/decode-audio.js';
import type { NwaveApi } from '@nwave/electron/shared/ipc-contract';
import { type AudioItem, itemsFromDrop, itemsFromInput } from '../audio/dropped-files.js';
import type { AudioEngine } from '../audio/audio-engine.js';
import { BACKEND_TITLES, type BackendName, type BackendRunner } from '../backends/backend-runner.js';
import { fmtPct } from '../format.js';
import { runningModel, type AppStore, type LoadedModel } from '../store/app-store.js';
import { fmtThreshold } from '../store/detector-thresholds.js';
import type { ModelSlot } from '../engine/engine-messages.js';
import { h, replace, setText } from './dom.js';

export class FilesPanel {
  private items: AudioItem[] = [];
  private playing = -1;
  private stopRequested = false;
  private readonly list = h('ol', { class: 'playlist', 'data-testid': 'playlist', 'aria-label': 'Audio files' });
  /** Whole-clip results shown per row, kept to re-decide them when the threshold moves. */
  private readonly results = new Map<
    HTMLElement,
    { parts: { slot: ModelSlot; model: LoadedModel; r: ClipResult }[]; backend: BackendName }
  >();
  private readonly status = h('div', { class: 'muted small' });
  private readonly fileInput = h('input', {
    type: 'file',
    accept: AUDIO_ACCEPT,
    multiple: true,
    hidden: true,
    'data-testid': 'wav-input',
  }) as HTMLInputElement;
  private readonly folderInput = h('input', { type: 'file', webkitdirectory: true, hidden: true }) as HTMLInputElement;
  private readonly backend = h(
    'select',
    {
      'aria-label': 'File backend',
      'data-testid': 'file-backend',
      title: 'Backend of the whole-clip file results. Playback rasters and live microphone streaming always run on the JS runtime.',
    },
    ...(Object.keys(BACKEND_TITLES) as BackendName[]).map((b) => h('option', { value: b }, BACKEND_TITLES[b])),
  ) as HTMLSelectElement;

  constructor(
    root: HTMLElement,
    private readonly api: NwaveApi,
    private readonly audio: AudioEngine,
    private readonly store: AppStore,
    private readonly runner: BackendRunner,
    private readonly compareBackends: (items: AudioItem[]) => void,
  ) {
    const drop = h('div', { class: 'dropzone', 'data-testid': 'dropzone' }, 'Drop WAV files or a folder here');
    const playAll = h('button', { type: 'button', onclick: () => void this.playFrom(0) }, 'Play all');
    const stop = h('button', { type: 'button', onclick: () => this.stop() }, 'Stop');
    replace(
      root,
      h('h2', {}, 'Audio files'),
      drop,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', onclick: () => this.fileInput.click() }, 'Open WAV…'),
        h('button', { type: 'button', onclick: () => void this.openFolder() }, 'Open folder…'),
        playAll,
        stop,
      ),
      h(
        'div',
        { class: 'row' },
        h('label', { class: 'field inline small' }, h('span', {}, 'file results on'), this.backend),
        h(
          'button',
          { type: 'button', onclick: () => this.compareBackends(this.items), 'data-testid': 'compare-backends' },
          'Compare backends',
        ),
      ),
      h('div', { class: 'muted small' }, 'Live microphone: JS runtime'),
      this.fileInput,
      this.folderInput,
      this.status,
      this.list,
    );
    this.fileInput.addEventListener('change', () => this.setItems(itemsFromInput(this.fileInput.files), true));
    this.folderInput.addEventListener('change', () => this.setItems(itemsFromInput(this.folderInput.files), false));
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      if (e.dataTransfer) void itemsFromDrop(e.dataTransfer).then((items) => this.setItems(items, true));
    });
    store.watch('detector', () => {
      for (const [row, shown] of this.results) this.renderResult(row, shown.parts, shown.backend);
    });
  }

  /** The files opened (in list order), for the model panel's chip calibration. */
  get audioItems(): readonly AudioItem[] {
    return this.items;
  }

  private async openFolder(): Promise<void> {
    if (!this.store.state.info?.dialogs) return this.folderInput.click();
    const dir = await this.api.pickFolder('audio');
    if (!dir) return;
    const listing = await this.api.scanAudioFolder(dir);
    const api = this.api;
    this.setItems(
      listing.files.map((f) => ({ name: f.name, read: async () => (await api.readAudioFile(f.path)).data })),
      false,
    );
    if (listing.skipped.length)
      setText(this.status, `${listing.files.length} files; ${listing.skipped.length} skipped (${listing.skipped[0].reason})`);
  }

  private setItems(items: AudioItem[], autoplay: boolean): void {
    this.items = items;
    this.results.clear();
    setText(this.status, items.length ? `${items.length} audio file${items.length > 1 ? 's' : ''}` : 'No audio files found.');
    replace(
      this.list,
      ...items.map((it, i) =>
        h(
          'li',
          { 'data-index': i },
          h('button', { type: 'button', class: 'link file-name', title: it.name, onclick: () => void this.playFrom(i, true) }, it.name),
          h('span', { class: 'result muted' }),
        ),
      ),
    );
    if (autoplay && items.length) void this.playFrom(0);
  }

  stop(): void {
    this.stopRequested = true;
    if (this.store.state.source === 'file') {
      this.audio.stop();
      this.store.set('source', 'idle');
    }
  }

  /** Plays items from `start` (only that one when `single`), classifying each with the loaded models. */
  async playFrom(start: number, single = false): Promise<void> {
    this.stopRequested = false;
    for (let i = start; i < this.items.length && !this.stopRequested; i++) {
      const item = this.items[i];
      const row = this.list.children[i] as HTMLElement | undefined;
      try {
        const audio = await decodeAudioFileBytes(await item.read(), item.name);
        this.mark(i);
        void this.showResult(row, audio.samples, audio.sampleRateHz);
        this.store.set('source', 'file');
        this.store.set('sourceLabel', item.name);
        const play = this.audio.playSamples(audio.samples, audio.sampleRateHz);
        this.store.set('sampleRateHz', this.audio.sampleRateHz);
        await play;
        if (this.audio.source !== 'idle') break; // the microphone (or another file) took over
      } catch (err) {
        this.store.fail(err);
        if (row) setText(row.querySelector('.result') as HTMLElement, (err as Error).message);
      }
      if (single) break;
    }
    this.mark(-1);
    if (this.store.state.source === 'file') this.store.set('source', 'idle');
  }

  private mark(i: number): void {
    if (this.playing >= 0) this.list.children[this.playing]?.classList.remove('playing');
    this.playing = i;
    if (i >= 0) this.list.children[i]?.classList.add('playing');
  }

  private async showResult(row: HTMLElement | undefined, samples: Float32Array, rate: number): Promise<void> {
    if (!row) return;
    const out = row.querySelector('.result') as HTMLElement;
    const backend = this.backend.value as BackendName;
    const parts: { slot: ModelSlot; model: LoadedModel; r: ClipResult }[] = [];
    try {
      for (const slot of ['a', 'b'] as const) {
        const m = this.store.state.models[slot];
        if (!m) continue;
        const r =
          backend === 'js'
            ? runningModel(m).classify(samples, rate)
            : (await this.runner.classify(m.model, samples, rate, [backend]))[0].result;
        parts.push({ slot, model: m, r });
      }
      this.results.set(row, { parts, backend });
      this.renderResult(row, parts, backend);
    } catch (err) {
      this.store.fail(err);
      setText(out, (err as Error).message);
    }
  }

  /** The result under each model's live detector settings (the slider's threshold when one is chosen). */
  private renderResult(row: HTMLElement, parts: { slot: ModelSlot; model: LoadedModel; r: ClipResult }[], backend: BackendName): void {
    const out = row.querySelector('.result') as HTMLElement;
    const comparing = parts.length > 1;
    const text = parts.map(({ slot, model, r }) => {
      if (this.store.state.models[slot] !== model) return `${slot.toUpperCase()}: (model changed, play again)`;
      const live = this.store.state.detector[slot];
      const settings = live?.settings ?? model.model.checkpoint.detector;
      const ck = model.model.checkpoint;
      const d = live?.overridden
        ? decide(makeDecisionContext(ck.labels, ck.backgroundLabels, settings), r.spikeCounts, r.meanInputLevel, r.peakInputLevel)
        : r;
      const verdict = d.accepted ? d.label : `(${d.label}, rejected: ${d.rejectedBy})`;
      const at = `threshold ${fmtThreshold(settings.threshold)}${live?.overridden ? ' (sensitivity)' : ''}`;
      return `${comparing ? `${slot.toUpperCase()}: ` : ''}${verdict} ${fmtPct(d.confidence)}, ${at}`;
    });
    setText(out, `${text.join(' · ')}${backend === 'js' ? '' : ` (${BACKEND_TITLES[backend]})`}`);
    out.title = 'Whole-clip result, decided with the threshold the live view runs this model with';
  }
}
