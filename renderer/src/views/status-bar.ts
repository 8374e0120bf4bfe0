/** Bottom bar: the current source, the last error or notice, and the render cost per frame. */
import type { NwaveDebug } from '../debug-hooks.js';
import type { AppStore } from '../store/app-store.js';
import { h, replace, setText } from './dom.js';

export class StatusBar {
  private readonly source = h('span', { class: 'chip', 'data-testid': 'source' });
  private readonly message = h('span', { class: 'status-message', 'data-testid': 'status-message' });
  private readonly perf = h('span', { class: 'muted small' });

  constructor(root: HTMLElement, store: AppStore, debug: NwaveDebug) {
    replace(root, this.source, this.message, this.perf);
    const showSource = (): void => {
      const s = store.state;
      const rate = s.sampleRateHz ? ` · ${s.sampleRateHz} Hz` : '';
      setText(this.source, s.source === 'idle' ? 'idle' : `${s.source === 'mic' ? 'microphone' : 'file'}: ${s.sourceLabel}${rate}`);
      this.source.classList.toggle('live', s.source !== 'idle');
    };
    store.watch('source', showSource);
    store.watch('sampleRateHz', showSource);
    const showMessage = (): void => {
      const { error, notice } = store.state;
      this.message.className = `status-message ${error ? 'error' : notice ? 'notice' : ''}`;
      setText(this.message, error ? `${error.code ? `[${error.code}] ` : ''}${error.message}` : (notice ?? ''));
    };
    store.watch('error', showMessage);
    store.watch('notice', showMessage);
    setInterval(() => {
      const t = debug.frameTimesMs.slice(-120);
      if (!t.length) return;
      const mean = t.reduce((a, b) => a + b, 0) / t.length;
      setText(this.perf, `render ${mean.toFixed(2)} ms/frame`);
    }, 1000);
  }
}
