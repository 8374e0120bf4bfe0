/** Records the user's own examples of a word from the microphone into the data folder. */
import type { NwaveApi } from '@nwave/electron/shared/ipc-contract';
import type { EngineClient } from '../engine/engine-client.js';
import type { AppStore } from '../store/app-store.js';
import { h, replace, setText } from './dom.js';

export class Recorder {
  private readonly word = h('input', {
    type: 'text',
    placeholder: 'word, e.g. yes',
    'aria-label': 'Word to record',
    size: 12,
  }) as HTMLInputElement;
  private readonly seconds = h('input', {
    type: 'number',
    min: 0.25,
    max: 10,
    step: 0.25,
    value: '1',
    'aria-label': 'Seconds per example',
  }) as HTMLInputElement;
  private readonly button = h('button', { type: 'button', class: 'primary' }, 'Record example');
  private readonly status = h('div', { class: 'muted small', role: 'status' });

  constructor(
    root: HTMLElement,
    private readonly api: NwaveApi,
    private readonly engine: EngineClient,
    private readonly store: AppStore,
    private readonly dataFolder: () => string,
    /** After a take is saved (the class list's clip counts refresh). */
    private readonly onSaved: () => void = () => undefined,
  ) {
    replace(
      root,
      h('h3', {}, 'Record your own examples'),
      h(
        'p',
        { class: 'muted small' },
        'Each take is saved as DATA/<word>/rec-<time>.wav (16 kHz) in the data folder above. Start the microphone on the Live tab first.',
      ),
      h(
        'div',
        { class: 'row' },
        h('label', { class: 'field inline' }, h('span', {}, 'word'), this.word),
        h('label', { class: 'field inline' }, h('span', {}, 'seconds'), this.seconds),
        this.button,
      ),
      this.status,
    );
    const off = store.watch('settings', (s) => {
      if (!s) return;
      this.word.value = s.recordWord;
      this.seconds.value = String(s.recordSeconds);
      queueMicrotask(() => off());
    });
    const save = (): void => {
      const recordSeconds = Number(this.seconds.value);
      void this.api
        .updateSettings({ recordWord: this.word.value.trim(), ...(recordSeconds >= 0.25 && recordSeconds <= 10 ? { recordSeconds } : {}) })
        .catch(() => undefined);
    };
    this.word.addEventListener('change', save);
    this.seconds.addEventListener('change', save);
    this.button.addEventListener('click', () => void this.record());
  }

  private async record(): Promise<void> {
    const word = this.word.value.trim();
    const folder = this.dataFolder();
    if (!folder) return setText(this.status, 'Choose a data folder first.');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(word)) return setText(this.status, 'A word is 1–64 letters, digits, "_" or "-".');
    if (this.store.state.source !== 'mic') return setText(this.status, 'Start the microphone first (Live tab).');
    const seconds = Math.min(10, Math.max(0.25, Number(this.seconds.value) || 1));
    this.button.disabled = true;
    try {
      for (let n = 3; n > 0; n--) {
        setText(this.status, `Get ready… ${n}`);
        await new Promise((r) => setTimeout(r, 400));
      }
      setText(this.status, `Recording “${word}” for ${seconds} s — speak now`);
      const { samples, sampleRateHz } = await this.engine.record(seconds);
      const saved = await this.api.saveRecording({ folder: folder, word, sampleRateHz, samples });
      setText(this.status, `Saved ${saved.file} (${saved.clips} clips of “${word}” now).`);
      this.onSaved();
    } catch (err) {
      setText(this.status, `Not saved: ${(err as Error).message}`);
    } finally {
      this.button.disabled = false;
    }
  }
}
