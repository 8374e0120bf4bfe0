/** UI-thread handle on the engine worker: typed commands out, typed events in. */
import type { ChipChoice } from './chip-choice.js';
import type { DetectorOverrides, EngineEvent, EngineRequest, ModelSlot } from './engine-messages.js';

export type EngineListener = (event: EngineEvent) => void;

export class EngineClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<EngineListener>();
  private nextRecordingId = 1;
  readonly ready: Promise<void>;

  constructor() {
    this.worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'nwave-engine' });
    let resolveReady!: () => void;
    this.ready = new Promise((r) => (resolveReady = r));
    this.worker.onmessage = (e: MessageEvent<EngineEvent>) => {
      if (e.data.type === 'ready') resolveReady();
      for (const l of this.listeners) l(e.data);
    };
    this.worker.onerror = (e) => {
      for (const l of this.listeners) l({ type: 'error', error: { code: 'STATE', message: `engine worker failed: ${e.message}` } });
    };
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private send(msg: EngineRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  connectAudio(port: MessagePort, sampleRateHz: number): void {
    this.send({ type: 'connect-audio', port, sampleRateHz }, [port]);
  }

  /**
   * `detector`: overrides over the file's detector settings, in effect from the model's first
   * step; `chip`: run that simulated chip of the model (calibrated when it has count gains) instead
   * of the nominal network.
   */
  setModel(slot: ModelSlot, text: string | null, source: string, detector?: DetectorOverrides, chip?: ChipChoice | null): void {
    this.send({ type: 'set-model', slot, text, source, ...(detector ? { detector } : {}), ...(chip ? { chip } : {}) });
  }

  /** Changes the running detector's settings (answered by a `detector` or `detector-error` event). */
  setDetector(slot: ModelSlot, overrides: DetectorOverrides): void {
    this.send({ type: 'set-detector', slot, overrides });
  }

  reset(): void {
    this.send({ type: 'reset' });
  }

  debugTap(seconds: number): void {
    this.send({ type: 'debug-tap', seconds });
  }

  /** Records the next `durationS` seconds of input; resolves with the samples at the device rate. */
  record(durationS: number): Promise<{ samples: Float32Array; sampleRateHz: number }> {
    const id = this.nextRecordingId++;
    return new Promise((resolve, reject) => {
      const off = this.on((ev) => {
        if (ev.type === 'recorded' && ev.id === id) {
          off();
          resolve({ samples: ev.samples, sampleRateHz: ev.sampleRateHz });
        } else if (ev.type === 'error') {
          off();
          reject(new Error(ev.error.message));
        }
      });
      this.send({ type: 'record', id, durationS });
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}
