/**
 * The app controller: builds the views, loads models, routes engine events (detections at once,
 * everything else once per animation frame) and runs the render loop.
 */
import { NwaveModel } from '@nwave/runtime';
import type { ModelFile, NwaveApi } from '@nwave/electron/shared/ipc-contract';
import { AudioEngine } from './audio/audio-engine.js';
import { BackendRunner } from './backends/backend-runner.js';
import { installDebugHooks, recordFrameTime } from './debug-hooks.js';
import { EngineClient } from './engine/engine-client.js';
import type { EngineEvent, LevelSnapshot, ModelSlot, StepBatch } from './engine/engine-messages.js';
import { AppStore } from './store/app-store.js';
import { rememberedThreshold, rememberThreshold, thresholdOverrides } from './store/detector-thresholds.js';
import { BackendsPanel } from './views/backends-panel.js';
import { $, h } from './views/dom.js';
import { DetectionsView } from './views/detections-view.js';
import { FilesPanel } from './views/files-panel.js';
import { InputPanel } from './views/input-panel.js';
import { LivePlots } from './views/live-plots.js';
import { ModelPanel } from './views/model-panel.js';
import { ModelSummary } from './views/model-summary.js';
import { PowerView } from './views/power-view.js';
import { TrainingPanel } from './views/training-panel.js';
import { StatusBar } from './views/status-bar.js';
import { ThresholdControl } from './views/threshold-control.js';

export class App {
  readonly store = new AppStore();
  readonly engine = new EngineClient();
  readonly audio = new AudioEngine(this.engine);
  private readonly debug = installDebugHooks(this.engine);
  private readonly plots: LivePlots;
  private readonly power: PowerView;
  private readonly input: InputPanel;
  private pendingSteps: StepBatch[] = [];
  private pendingLevel: LevelSnapshot | null = null;
  private detectionId = 0;
  /** Thresholds waiting to be written (model name -> threshold, null = forget), and the write chain. */
  private readonly thresholdsToSave = new Map<string, number | null>();
  private thresholdSaves: Promise<void> = Promise.resolve();

  readonly api: NwaveApi;

  constructor(rawApi: NwaveApi) {
    const s = this.store;
    // Every settings write refreshes the store, so views always read what is on disk.
    this.api = {
      ...rawApi,
      updateSettings: async (patch) => {
        const next = await rawApi.updateSettings(patch);
        s.set('settings', next);
        return next;
      },
    };
    const api = this.api;
    this.plots = new LivePlots($('#plots'), 4);
    this.power = new PowerView($('#power-card'));
    this.input = new InputPanel($('#input-card'), api, this.audio, s);
    new DetectionsView($('#keyword-card'), $('#detections-card'), s);
    const runner = new BackendRunner();
    const backendsCard = h('div', { class: 'card backends-card', 'data-testid': 'backends-card' });
    const backends = new BackendsPanel(backendsCard, s, runner);
    new FilesPanel($('#files-card'), api, this.audio, s, runner, (items) => {
      $<HTMLButtonElement>('[data-tab=model]').click();
      void backends.compare(items);
    });
    const modelActions = {
      open: (slot: ModelSlot) => void this.openModel(slot),
      loadDefault: () => void this.loadDefault(),
      clear: (slot: ModelSlot) => this.clearModel(slot),
    };
    new ModelPanel($('#tab-model'), s, modelActions);
    $('#tab-model').append(backendsCard);
    new ModelSummary($('#model-card'), s, modelActions);
    new ThresholdControl($('#threshold-card'), s, {
      apply: (threshold) => this.setThreshold(threshold),
      persist: (threshold) => this.persistThreshold(threshold),
    });
    new TrainingPanel($('#tab-training'), api, this.engine, s, (path) => this.loadPath('a', path));
    new StatusBar($('#statusbar'), s, this.debug);
    s.watch('models', (m) => {
      this.plots.setModel(m.a?.model ?? null);
      this.power.setModels({ a: m.a?.name ?? null, b: m.b?.name ?? null });
      runner.retain([m.a?.model, m.b?.model]);
    });
    s.watch('source', (source) => source !== 'idle' && this.plots.clear()); // a new stream starts at 0 s
    this.engine.on((ev) => this.onEngine(ev));
    requestAnimationFrame(this.frame);
  }

  async start(): Promise<void> {
    const api = this.api;
    const [info, settings] = await Promise.all([api.getAppInfo(), api.getSettings()]);
    this.store.set('info', info);
    this.store.set('settings', settings);
    const windowSelect = $<HTMLSelectElement>('#raster-window');
    windowSelect.value = String(settings.rasterWindowS);
    windowSelect.addEventListener('change', () => {
      const rasterWindowS = Number(windowSelect.value);
      this.plots.setWindow(rasterWindowS, this.store.state.models.a?.model ?? null);
      void api.updateSettings({ rasterWindowS }).catch((e) => this.store.fail(e));
    });
    this.plots.setWindow(settings.rasterWindowS, null);
    await this.input.refreshDevices();
    if (settings.modelPath) await this.loadPath('a', settings.modelPath).catch(() => this.loadDefault());
    else await this.loadDefault();
    if (settings.compareModelPath) await this.loadPath('b', settings.compareModelPath).catch(() => undefined);
    api.rendererReady();
  }

  /**
   * Compiles a model on this thread (info, whole-clip results) and in the engine worker (live).
   * Model A runs with the threshold remembered for its name, if any.
   */
  loadModelFile(slot: ModelSlot, file: ModelFile): void {
    try {
      const model = NwaveModel.fromJSON(file.text, file.path ?? file.name);
      const remembered = slot === 'a' ? rememberedThreshold(this.store.state.settings?.detectorThresholds, model.checkpoint.name) : null;
      this.store.setDetector(slot, null); // until the engine confirms the new model's settings
      this.store.setModel(slot, { model, name: file.name, path: file.path, text: file.text, ...(file.note ? { note: file.note } : {}) });
      this.engine.setModel(slot, file.text, file.path ?? file.name, thresholdOverrides(remembered));
      this.store.set('notice', file.note ?? null);
      this.store.set('error', null);
      const key = slot === 'a' ? 'modelPath' : 'compareModelPath';
      if (!file.bundled && file.path) void this.api.updateSettings({ [key]: file.path }).catch(() => undefined);
      if (file.bundled && slot === 'a' && this.store.state.settings?.modelPath)
        void this.api.updateSettings({ modelPath: null }).catch(() => undefined);
    } catch (err) {
      this.store.fail(err);
    }
  }

  async loadPath(slot: ModelSlot, path: string): Promise<void> {
    try {
      this.loadModelFile(slot, await this.api.readModel(path));
    } catch (err) {
      this.store.fail(err);
      throw err;
    }
  }

  async loadDefault(): Promise<void> {
    try {
      this.loadModelFile('a', await this.api.loadDefaultModel());
    } catch (err) {
      this.store.fail(err);
    }
  }

  async openModel(slot: ModelSlot): Promise<void> {
    try {
      const file = await this.api.openModelDialog();
      if (file) this.loadModelFile(slot, file);
    } catch (err) {
      this.store.fail(err);
    }
  }

  /** Model A's detector threshold from now on (null: the model file's settings); the microphone keeps running. */
  setThreshold(threshold: number | null): void {
    if (!this.store.state.models.a) return;
    this.debug.detectorRequestedAtMs = performance.timeOrigin + performance.now();
    this.engine.setDetector('a', thresholdOverrides(threshold));
  }

  /**
   * Remembers model A's threshold under its model name in the settings (null: forgets it). Writes
   * go one at a time, each with the latest values, so quick keyboard steps cannot land out of order.
   */
  persistThreshold(threshold: number | null): void {
    const m = this.store.state.models.a;
    if (!m) return;
    this.thresholdsToSave.set(m.model.checkpoint.name, threshold);
    this.thresholdSaves = this.thresholdSaves
      .then(async () => {
        if (!this.thresholdsToSave.size) return;
        const saved = this.store.state.settings?.detectorThresholds ?? {};
        let next = saved;
        for (const [name, t] of this.thresholdsToSave) next = rememberThreshold(next, name, t);
        this.thresholdsToSave.clear();
        if (JSON.stringify(next) !== JSON.stringify(saved)) await this.api.updateSettings({ detectorThresholds: next });
      })
      .catch((e) => this.store.fail(e));
  }

  clearModel(slot: ModelSlot): void {
    this.store.setDetector(slot, null);
    this.store.setModel(slot, null);
    this.engine.setModel(slot, null, '');
    if (slot === 'b') void this.api.updateSettings({ compareModelPath: null }).catch(() => undefined);
  }

  private onEngine(ev: EngineEvent): void {
    switch (ev.type) {
      case 'frame':
        if (ev.steps) this.pendingSteps.push(ev.steps);
        this.pendingLevel = ev.level;
        this.debug.sampleRateHz = ev.sampleRateHz;
        for (const p of ev.power) {
          this.store.setPower(p);
          this.power.update(p);
          this.debug.power[p.slot] = p;
        }
        break;
      case 'detection': {
        const receivedAtMs = performance.timeOrigin + performance.now();
        const e = ev.event;
        this.debug.detections.push({
          slot: ev.slot,
          label: e.label,
          confidence: e.confidence,
          startTimeS: e.startTime,
          endTimeS: e.endTime,
          chunkEndS: ev.chunkEndS,
          arrivedAtMs: ev.arrivedAtMs,
          postedAtMs: ev.postedAtMs,
          receivedAtMs,
        });
        this.store.addDetection({
          id: this.detectionId++,
          slot: ev.slot,
          event: e,
          receivedAt: new Date(),
          pipelineMs: receivedAtMs - ev.arrivedAtMs,
        });
        break;
      }
      case 'detector': {
        const m = this.store.state.models[ev.slot];
        // An answer about the model this slot had before a new one was loaded is stale.
        if (m && (m.path ?? m.name) === ev.source) this.store.setDetector(ev.slot, { settings: ev.settings, overridden: ev.overridden });
        this.debug.detectorUpdates.push({
          slot: ev.slot,
          threshold: ev.settings.threshold,
          overridden: ev.overridden,
          fromStep: ev.fromStep,
          fromS: ev.fromS,
          requestedAtMs: this.debug.detectorRequestedAtMs,
          receivedAtMs: performance.timeOrigin + performance.now(),
        });
        break;
      }
      case 'detector-error':
      case 'model-error':
        this.store.fail(ev.error);
        break;
      case 'error':
        this.store.fail(ev.error);
        break;
    }
  }

  private readonly frame = (): void => {
    const t0 = performance.now();
    for (const batch of this.pendingSteps) {
      this.plots.push(batch);
      this.debug.stepsDrawn += batch.count;
    }
    const drew = this.pendingSteps.length > 0;
    this.pendingSteps = [];
    if (this.pendingLevel) {
      this.input.meter.update(this.pendingLevel, this.audio.sampleRateHz || 48000, this.store.state.source === 'mic');
      this.pendingLevel = null;
    }
    if (drew) {
      this.plots.draw();
      this.debug.spikesDrawn = this.plots.spikesSeen;
      recordFrameTime(this.debug, performance.now() - t0);
    }
    requestAnimationFrame(this.frame);
  };
}
