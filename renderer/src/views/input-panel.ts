/** Microphone controls: device picker, start/stop, level meter, permission problems explained. */
import type { NwaveApi } from '@nwave/electron/shared/ipc-contract';
import type { AudioEngine } from '../audio/audio-engine.js';
import type { AppStore } from '../store/app-store.js';
import { h, replace, setText } from './dom.js';
import { LevelMeter } from './level-meter.js';

export class InputPanel {
  readonly meter: LevelMeter;
  private readonly select = h('select', { 'aria-label': 'Microphone', 'data-testid': 'device' }) as HTMLSelectElement;
  private readonly button = h('button', { class: 'primary', 'data-testid': 'mic-toggle' }, 'Start microphone');
  private readonly message = h('div', { class: 'mic-message', role: 'status' });

  constructor(
    root: HTMLElement,
    private readonly api: NwaveApi,
    private readonly audio: AudioEngine,
    private readonly store: AppStore,
  ) {
    const meterRoot = h('div', { class: 'level' });
    replace(
      root,
      h('h2', {}, 'Microphone'),
      h('label', { class: 'field' }, h('span', {}, 'Input device'), this.select),
      this.button,
      meterRoot,
      this.message,
    );
    this.meter = new LevelMeter(meterRoot);
    this.button.addEventListener('click', () => void this.toggle());
    this.select.addEventListener('change', () => {
      void this.api.updateSettings({ inputDeviceId: this.select.value }).catch((e) => this.store.fail(e));
      if (this.audio.source === 'mic') void this.start();
    });
    store.watch('source', (s) => {
      setText(this.button, s === 'mic' ? 'Stop microphone' : 'Start microphone');
      this.button.classList.toggle('active', s === 'mic');
    });
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.refreshDevices());
    void this.refreshDevices();
  }

  /** Fills the picker (device labels are only visible after permission). */
  async refreshDevices(): Promise<void> {
    const devices = await this.audio.listInputs().catch(() => []);
    const want = this.store.state.settings?.inputDeviceId ?? '';
    replace(
      this.select,
      h('option', { value: '' }, 'System default'),
      ...devices
        .filter((d) => d.deviceId && d.deviceId !== 'default')
        .map((d, i) => h('option', { value: d.deviceId }, d.label || `Microphone ${i + 1}`)),
    );
    this.select.value = Array.from(this.select.options).some((o) => o.value === want) ? want : '';
  }

  async toggle(): Promise<void> {
    if (this.audio.source === 'mic') {
      this.audio.stop();
      this.store.set('source', 'idle');
      setText(this.message, '');
      return;
    }
    await this.start();
  }

  private async start(): Promise<void> {
    setText(this.message, 'Opening the microphone…');
    this.message.className = 'mic-message';
    try {
      if (this.store.state.info?.shell === 'electron') {
        const access = await this.api.requestMicrophoneAccess();
        if (access === 'denied' || access === 'restricted') {
          throw new Error(
            'The system denies this app the microphone. Allow it in System Settings → Privacy & Security → Microphone, then restart the app.',
          );
        }
      }
      const label = this.select.selectedOptions[0]?.textContent ?? undefined;
      await this.audio.startMic(this.select.value, label);
      this.meter.reset();
      this.store.set('source', 'mic');
      this.store.set('sourceLabel', label ?? 'microphone');
      this.store.set('sampleRateHz', this.audio.sampleRateHz);
      setText(this.message, `Listening at ${this.audio.sampleRateHz} Hz (resampled to the model rate).`);
      await this.refreshDevices();
    } catch (err) {
      this.store.set('source', 'idle');
      this.message.className = 'mic-message error';
      setText(this.message, (err as Error).message);
    }
  }
}
