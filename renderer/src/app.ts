/**
 * The app controller: builds the views, loads models, routes engine events (detections at once,
 * everything else once per animation frame) and runs the render loop. With a second model loaded
 * the Live tab is a comparison: each model's keyword, confidence meters, rasters and detections
 * in its own pane, side by side. A demo profile (profile/) chooses models, title, sensitivity,
 * panels and the presentation layout at start.
 */
import {
  InvalidArgumentError,
  MAX_CALIBRATION_CLIPS,
  NwaveModel,
  calibrateOutputGains,
  simulatedChip,
  type CalibrationClip,
} from '@nwave/runtime';
import type { ModelFile, NwaveApi } from '@nwave/electron/shared/ipc-contract';
import type { LoadedDemoProfile } from '@nwave/electron/shared/demo-profile';
import { AudioEngine } from './audio/audio-engine.js';
import { BackendRunner } from './backends/backend-runner.js';
import { installDebugHooks, recordFrameTime } from './debug-hooks.js';
import { decodeAudioFileBytes } from './audio/decode-audio.js';
import { chipModel, type ChipChoice } from './engine/chip-choice.js';
import { EngineClient } from './engine/engine-client.js';
import type { EngineEvent, LevelSnapshot, ModelSlot, StepBatch } from './engine/engine-messages.js';
import { fmtUw } from './format.js';
import { profileFromFiles, profileFromUrl, profileUrlFromQuery } from './profile/profile-sources.js';
import { AppStore, runningTitle, type ChipCalibrationNote, type LoadedModel } from './store/app-store.js';
import { pickedModel, rememberPickedModel } from './store/model-memory.js';
import { rememberedThreshold, rememberThreshold, thresholdOverrides } from './store/detector-thresholds.js';
import { BackendsPanel } from './views/backends-panel.js';
import { ConfidenceMeters } from './views/confidence-meters.js';
import { DetView } from './views/det-view.js';
import { $, h, setText } from './views/dom.js';
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
  private readonly plots: Record<ModelSlot, LivePlots>;
  private readonly meters: ConfidenceMeters[] = [];
  private readonly power: PowerView;
  private readonly files: FilesPanel;
  private readonly input: InputPanel;
  private readonly detections: Record<ModelSlot, DetectionsView>;
  private pendingSteps: Record<ModelSlot, StepBatch[]> = { a: [], b: [] };
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
    this.plots = { a: new LivePlots($('#plots'), 4), b: new LivePlots($('#plots-b'), 4) };
    this.power = new PowerView($('#power-card'));
    this.input = new InputPanel($('#input-card'), api, this.audio, s);
    this.detections = { a: new DetectionsView($('#keyword-card-a'), 'a', s), b: new DetectionsView($('#keyword-card-b'), 'b', s) };
    $('#pane-detections-b').append(this.detections.b.listCard);
    this.meters.push(new ConfidenceMeters($('#meters-card-a'), 'a', s), new ConfidenceMeters($('#meters-card-b'), 'b', s));
    this.meters.push(new ConfidenceMeters($('#kiosk-meters'), 'a', s, { title: '', heightPx: 44 }));
    new DetView($('#det-card'), s);
    this.setupPresentation();
    const runner = new BackendRunner();
    const backendsCard = h('div', { class: 'card backends-card', 'data-testid': 'backends-card' });
    const backends = new BackendsPanel(backendsCard, s, runner);
    this.files = new FilesPanel($('#files-card'), api, this.audio, s, runner, (items) => {
      $<HTMLButtonElement>('[data-tab=model]').click();
      void backends.compare(items);
    });
    const modelActions = {
      open: (slot: ModelSlot) => void this.openModel(slot),
      loadDefault: () => void this.loadDefault(),
      clear: (slot: ModelSlot) => this.clearModel(slot),
      setChip: (slot: ModelSlot, chip: ChipChoice | null) => this.setChip(slot, chip),
      calibrateChip: (slot: ModelSlot) => void this.calibrateChip(slot),
      compareWithChip: (chip: ChipChoice) => this.compareWithChip(chip),
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
      this.showComparison(!!m.b);
      if (m.a?.model !== this.shownModels.a) this.plots.a.setModel((this.shownModels.a = m.a?.model ?? null));
      if (m.b?.model !== this.shownModels.b) this.plots.b.setModel((this.shownModels.b = m.b?.model ?? null));
      setText($('[data-testid=pane-title-a]'), m.a ? `Model A · ${runningTitle(m.a)}` : 'Model A');
      setText($('[data-testid=pane-title-b]'), m.b ? `Model B · ${runningTitle(m.b)}` : 'Model B');
      this.power.setModels({ a: m.a ? runningTitle(m.a, m.a.name) : null, b: m.b ? runningTitle(m.b, m.b.name) : null });
      runner.retain([m.a?.model, m.b?.model]);
    });
    s.watch('source', (source) => {
      if (source === 'idle') return;
      this.plots.a.clear(); // a new stream starts at 0 s
      this.plots.b.clear();
    });
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
      for (const slot of ['a', 'b'] as const) this.plots[slot].setWindow(rasterWindowS, this.store.state.models[slot]?.model ?? null);
      void api.updateSettings({ rasterWindowS }).catch((e) => this.store.fail(e));
    });
    this.plots.a.setWindow(settings.rasterWindowS, null);
    this.plots.b.setWindow(settings.rasterWindowS, null);
    await this.input.refreshDevices();
    const profile = await this.startProfile();
    if (profile) this.applyProfile(profile);
    else await this.restoreModels();
    api.rendererReady();
  }

  /** The models of the last session: by path (settings), else as this browser remembered them. */
  private async restoreModels(): Promise<void> {
    const settings = this.store.state.settings!;
    const picked = { a: pickedModel('a'), b: pickedModel('b') };
    if (settings.modelPath) await this.loadPath('a', settings.modelPath).catch(() => this.loadDefault());
    else if (picked.a) this.loadModelFile('a', { path: null, name: picked.a.name, text: picked.a.text, bundled: false });
    else await this.loadDefault();
    if (settings.compareModelPath) await this.loadPath('b', settings.compareModelPath).catch(() => undefined);
    else if (picked.b) this.loadModelFile('b', { path: null, name: picked.b.name, text: picked.b.text, bundled: false });
  }

  /** The profile to start with: `?profile=<url>` first, then the one main chose (flag, env, menu, bundled). */
  private async startProfile(): Promise<LoadedDemoProfile | null> {
    try {
      const url = profileUrlFromQuery(location.href);
      if (url) return await profileFromUrl(url);
      return await this.api.getDemoProfile();
    } catch (err) {
      this.store.fail(err);
      return null;
    }
  }

  /**
   * Applies a demo profile: its models (not remembered as the user's own choice), its title, the
   * starting sensitivity, the panels it shows and its layout.
   */
  applyProfile(loaded: LoadedDemoProfile): void {
    const p = loaded.profile;
    const opts = { remember: false, threshold: p.sensitivity ?? null };
    this.loadModelFile('a', { ...loaded.models.a, bundled: false }, opts);
    if (loaded.models.b) this.loadModelFile('b', { ...loaded.models.b, bundled: false }, opts);
    else if (this.store.state.models.b) this.clearModel('b', false);
    setText($('#app-title'), p.title);
    setText($('#app-subtitle'), p.subtitle ?? 'spiking keyword spotting');
    setText($('[data-testid=kiosk-title]'), p.title);
    document.title = `${p.title} · nwave`;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('#tab-live [data-panel]')))
      el.classList.toggle('profile-hidden', !!p.panels && !p.panels.includes(el.dataset.panel as never));
    const [left, right] = Array.from(document.querySelectorAll<HTMLElement>('#tab-live > .column.side'));
    const empty = (col: HTMLElement): boolean =>
      Array.from(col.querySelectorAll('[data-panel]')).every((el) => el.classList.contains('profile-hidden'));
    left.classList.toggle('profile-hidden', empty(left));
    right.classList.toggle('profile-hidden', empty(right));
    $('#tab-live').classList.toggle('no-left', empty(left));
    $('#tab-live').classList.toggle('no-right', empty(right));
    document.body.dataset.profile = loaded.source;
    this.setPresentation(p.layout === 'presentation');
    this.store.set('notice', `Demo profile: ${p.title} (${loaded.source})`);
  }

  private readonly shownModels: Record<ModelSlot, NwaveModel | null> = { a: null, b: null };

  /** Two panes side by side (a comparison) or model A alone with its detections in the side column. */
  private showComparison(on: boolean): void {
    document.body.classList.toggle('comparing', on);
    $('#pane-b').hidden = !on;
    this.plots.a.setCompact(on);
    this.plots.b.setCompact(on);
    const home = on ? $('#pane-detections-a') : $('#detections-card');
    if (this.detections.a.listCard.parentElement !== home) home.append(this.detections.a.listCard);
    $('#pane-detections-a').hidden = !on;
  }

  /** The presentation layout: one huge keyword, the per-keyword meters and the power figure. */
  private setupPresentation(): void {
    const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'kiosk-mic' }, 'Start listening');
    const exit = h('button', { type: 'button', 'data-testid': 'kiosk-exit' }, 'Exit presentation (Esc)');
    $('#kiosk').append(h('div', { class: 'row kiosk-actions' }, start, exit));
    start.addEventListener('click', () => void this.input.toggle());
    this.store.watch('source', (src) => setText(start, src === 'mic' ? 'Stop listening' : 'Start listening'));
    exit.addEventListener('click', () => this.setPresentation(false));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && document.body.classList.contains('presentation')) this.setPresentation(false);
    });
    let kioskFade = 0;
    this.detections.a.onDetection((d) => {
      const kw = $('[data-testid=kiosk-keyword]');
      setText(kw, d.event.label);
      kw.className = 'kiosk-keyword fresh';
      void kw.offsetWidth; // restart the CSS animation
      kw.classList.add('pulse');
      clearTimeout(kioskFade);
      kioskFade = window.setTimeout(() => (kw.className = 'kiosk-keyword stale'), 2500);
      setText($('[data-testid=kiosk-detail]'), `${Math.round(d.event.confidence * 100)} % confidence`);
    });
    const profileButton = $<HTMLButtonElement>('#open-profile');
    const profileInput = $<HTMLInputElement>('#profile-input');
    profileButton.addEventListener('click', () => profileInput.click());
    profileInput.addEventListener('change', () => {
      const files = Array.from(profileInput.files ?? []);
      profileInput.value = '';
      if (files.length)
        void profileFromFiles(files).then(
          (p) => this.applyProfile(p),
          (err: unknown) => this.store.fail(err),
        );
    });
  }

  setPresentation(on: boolean): void {
    document.body.classList.toggle('presentation', on);
    $('#kiosk').hidden = !on;
    $('#tab-live').classList.toggle('presentation-hidden', on);
    if (on) {
      $<HTMLButtonElement>('[data-tab=live]').click();
      $<HTMLButtonElement>('[data-testid=kiosk-mic]').focus();
    }
  }

  /**
   * Compiles a model on this thread (info, whole-clip results) and in the engine worker (live).
   * Model A runs with the threshold remembered for its name, if any.
   */
  loadModelFile(slot: ModelSlot, file: ModelFile, opts: { remember?: boolean; threshold?: number | null } = {}): void {
    const remember = opts.remember ?? true;
    try {
      const model = NwaveModel.fromJSON(file.text, file.path ?? file.name);
      const remembered =
        slot !== 'a' ? null : (opts.threshold ?? rememberedThreshold(this.store.state.settings?.detectorThresholds, model.checkpoint.name));
      this.store.setDetector(slot, null); // until the engine confirms the new model's settings
      this.store.setModel(slot, { model, name: file.name, path: file.path, text: file.text, ...(file.note ? { note: file.note } : {}) });
      this.engine.setModel(slot, file.text, file.path ?? file.name, thresholdOverrides(remembered));
      this.store.set('notice', file.note ?? null);
      this.store.set('error', null);
      if (!remember) return; // a demo profile's models are not the user's own choice
      const key = slot === 'a' ? 'modelPath' : 'compareModelPath';
      if (!file.bundled && file.path) void this.api.updateSettings({ [key]: file.path }).catch(() => undefined);
      // A model picked in the browser has no path: this browser keeps it for the next reload.
      rememberPickedModel(slot, !file.bundled && !file.path ? { name: file.name, text: file.text } : null);
      if (!file.bundled && !file.path && this.store.state.settings?.[key])
        void this.api.updateSettings({ [key]: null }).catch(() => undefined);
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

  /**
   * Runs simulated chip `chip` of a slot's model (null: the nominal network again), live and in
   * file results; the slot's stream state restarts, its sensitivity is kept.
   */
  setChip(slot: ModelSlot, chip: ChipChoice | null, calibration?: ChipCalibrationNote): void {
    const m = this.store.state.models[slot];
    if (!m) return;
    try {
      const next: LoadedModel = { model: m.model, name: m.name, path: m.path, text: m.text, ...(m.note ? { note: m.note } : {}) };
      if (chip) next.chip = { choice: { ...chip }, model: chipModel(m.model, chip), ...(calibration ? { calibration } : {}) };
      const live = this.store.state.detector[slot];
      this.store.setDetector(slot, null); // until the engine confirms
      this.store.setModel(slot, next);
      this.engine.setModel(slot, m.text, m.path ?? m.name, thresholdOverrides(live?.overridden ? live.settings.threshold : null), chip);
      this.store.set('error', null);
    } catch (err) {
      this.store.fail(err);
    }
  }

  /**
   * Calibrates the simulated chip a slot runs on the audio files of the Files panel (the first
   * MAX_CALIBRATION_CLIPS; no labels needed): each label's counts scaled by the nominal network's
   * mean over the chip's on the same clips (`calibrateOutputGains`, as `nwave eval --chip-calibration`),
   * then the calibrated chip runs live and in file results. Files that cannot be decoded are skipped
   * and counted; the chip keeps running uncalibrated when none can be.
   */
  async calibrateChip(slot: ModelSlot): Promise<void> {
    const m = this.store.state.models[slot];
    const chip = m?.chip;
    if (!m || !chip) return;
    try {
      const items = this.files.audioItems.slice(0, MAX_CALIBRATION_CLIPS);
      if (!items.length)
        throw new InvalidArgumentError(
          'chip calibration: open some audio files first (Audio files, on the Live tab): any speech, no labels needed',
          {
            field: 'files',
          },
        );
      const clips: CalibrationClip[] = [];
      const skipped: ChipCalibrationNote['skipped'] = { count: 0 };
      for (const item of items) {
        try {
          const audio = await decodeAudioFileBytes(await item.read(), item.name);
          const f = m.model.features(audio.samples, audio.sampleRateHz);
          clips.push({ features: f.data, frames: f.frames });
        } catch (err) {
          skipped.count++;
          const msg = (err as Error).message;
          skipped.first ??= msg.includes(item.name) ? msg : `${item.name}: ${msg}`; // decoder errors name the file
        }
      }
      if (!clips.length)
        throw new InvalidArgumentError(`chip calibration: none of the ${items.length} audio files could be read (${skipped.first})`, {
          field: 'files',
        });
      const { index, seed } = chip.choice;
      const cal = calibrateOutputGains(m.model, simulatedChip(m.model, { index, seed }), clips);
      // The slot may have changed while the files were decoded: calibrate only the chip asked for.
      if (this.store.state.models[slot] !== m) return;
      this.setChip(slot, { index, seed, countGains: cal.countGains }, { files: clips.length, skipped, clamped: cal.clamped });
    } catch (err) {
      this.store.fail(err);
    }
  }

  /** Model A's nominal network beside one of its simulated chips (model B): what fabrication mismatch does, live. */
  compareWithChip(chip: ChipChoice): void {
    const a = this.store.state.models.a;
    if (!a) return;
    this.loadModelFile('b', { name: a.name, path: a.path, text: a.text, bundled: false }, { remember: false });
    this.setChip('b', chip);
  }

  clearModel(slot: ModelSlot, remember = true): void {
    this.store.setDetector(slot, null);
    this.store.setModel(slot, null);
    this.engine.setModel(slot, null, '');
    if (slot === 'b' && remember) {
      rememberPickedModel('b', null);
      void this.api.updateSettings({ compareModelPath: null }).catch(() => undefined);
    }
  }

  private onEngine(ev: EngineEvent): void {
    switch (ev.type) {
      case 'frame':
        if (ev.steps) this.pendingSteps.a.push(ev.steps);
        if (ev.compareSteps) this.pendingSteps.b.push(ev.compareSteps);
        this.pendingLevel = ev.level;
        this.debug.sampleRateHz = ev.sampleRateHz;
        for (const c of ev.confidence) for (const m of this.meters) m.push(c);
        for (const p of ev.power) {
          this.store.setPower(p);
          this.power.update(p);
          this.debug.power[p.slot] = p;
          if (p.slot === 'a') setText($('[data-testid=kiosk-power]'), fmtUw(p.totalUw));
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
    for (const batch of this.pendingSteps.a) {
      this.plots.a.push(batch);
      this.debug.stepsDrawn += batch.count;
    }
    for (const batch of this.pendingSteps.b) this.plots.b.push(batch);
    const drewA = this.pendingSteps.a.length > 0;
    const drewB = this.pendingSteps.b.length > 0;
    const drew = drewA || drewB;
    this.pendingSteps = { a: [], b: [] };
    for (const m of this.meters) m.draw();
    if (this.pendingLevel) {
      this.input.meter.update(this.pendingLevel, this.audio.sampleRateHz || 48000, this.store.state.source === 'mic');
      this.pendingLevel = null;
    }
    if (drew) {
      if (drewA) this.plots.a.draw();
      if (drewB) this.plots.b.draw();
      this.debug.spikesDrawn = this.plots.a.spikesSeen;
      recordFrameTime(this.debug, performance.now() - t0);
    }
    requestAnimationFrame(this.frame);
  };
}
