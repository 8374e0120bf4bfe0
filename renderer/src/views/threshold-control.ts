/**
 * The live view's sensitivity control: the detector's confidence threshold for model A, changed
 * on the running detector as the slider moves (no microphone restart, rasters carry on) and
 * remembered per model. Starts from what the engine runs the model with (the remembered value,
 * else the model file's threshold).
 */
import type { AppStore, LiveDetector, LoadedModel } from '../store/app-store.js';
import { fmtThreshold, rememberedThreshold, sliderThreshold, THRESHOLD_SLIDER } from '../store/detector-thresholds.js';
import { h, replace, setText } from './dom.js';

export interface ThresholdActions {
  /** Runs model A with this threshold from now on (null: the model file's settings). */
  apply(threshold: number | null): void;
  /** Remembers it for model A's model (null: forgets it). */
  persist(threshold: number | null): void;
}

export class ThresholdControl {
  private readonly slider = h('input', {
    type: 'range',
    id: 'threshold-slider',
    min: String(THRESHOLD_SLIDER.min),
    max: String(THRESHOLD_SLIDER.max),
    step: String(THRESHOLD_SLIDER.step),
    disabled: true,
    'aria-describedby': 'threshold-hint',
    'data-testid': 'threshold-slider',
  }) as HTMLInputElement;
  private readonly readout = h('output', { for: 'threshold-slider', class: 'threshold-value', 'data-testid': 'threshold-value' }, '–');
  private readonly resetButton = h('button', { type: 'button', 'data-testid': 'threshold-reset', disabled: true }, 'Reset to model');
  private readonly hint = h('p', { id: 'threshold-hint', class: 'muted small' }, 'No model loaded.');
  private model: LoadedModel | null = null;
  /** The threshold asked for (null: the file's), and the last one sent to the engine. */
  private chosen: number | null = null;
  private sent: number | null = null;
  /** False until the engine confirmed the settings of a newly loaded model. */
  private synced = false;

  constructor(
    root: HTMLElement,
    private readonly store: AppStore,
    private readonly actions: ThresholdActions,
  ) {
    replace(
      root,
      h('h2', {}, 'Sensitivity'),
      h('label', { for: 'threshold-slider', class: 'field-label' }, 'Confidence threshold'),
      h('div', { class: 'row threshold-row' }, this.slider, this.readout),
      h('div', { class: 'row' }, this.resetButton),
      this.hint,
    );
    this.slider.addEventListener('input', () => this.onSlider(false));
    // 'change' ends a drag or a keyboard step: the value is remembered then, not on every move.
    this.slider.addEventListener('change', () => this.onSlider(true));
    this.resetButton.addEventListener('click', () => this.reset());
    store.watch('models', (m) => {
      if (m.a === this.model) return;
      this.model = m.a;
      this.synced = false;
      this.render();
    });
    store.watch('detector', (d) => this.onDetector(d.a));
    store.watch('settings', () => this.model && this.render()); // "remembered" once the write is done
  }

  private onDetector(live: LiveDetector | null): void {
    if (this.synced || !live || !this.model) return;
    // First confirmation for this model: start from what the engine runs (remembered or file).
    this.synced = true;
    this.chosen = live.overridden ? live.settings.threshold : null;
    this.sent = this.chosen;
    this.render();
  }

  private onSlider(commit: boolean): void {
    const t = sliderThreshold(this.slider.value);
    if (t === null || !this.model) return;
    this.chosen = t;
    if (t !== this.sent) {
      this.sent = t;
      this.actions.apply(t);
    }
    if (commit) this.actions.persist(t);
    this.render();
  }

  private reset(): void {
    if (!this.model) return;
    this.chosen = null;
    this.sent = null;
    this.actions.apply(null);
    this.actions.persist(null);
    this.render();
  }

  private render(): void {
    const m = this.model;
    this.slider.disabled = !m || !this.synced;
    this.resetButton.disabled = !m || this.chosen === null;
    if (!m) {
      setText(this.readout, '–');
      setText(this.hint, 'No model loaded.');
      return;
    }
    const file = m.model.checkpoint.detector;
    const value = this.chosen ?? file.threshold;
    // The thumb cannot leave the slider's range; the readout always shows the exact value.
    if (sliderThreshold(this.slider.value) !== sliderThreshold(value)) this.slider.value = String(value);
    setText(this.readout, fmtThreshold(value));
    this.slider.setAttribute('aria-valuetext', fmtThreshold(value));
    const perLabel = file.labelThresholds && Object.keys(file.labelThresholds).length ? ' (its per-word thresholds are replaced)' : '';
    setText(
      this.hint,
      this.chosen === null
        ? `${m.model.checkpoint.name}: the model's own threshold. Higher: fewer false alarms, more missed words.`
        : `${m.model.checkpoint.name}: chosen here (model file: ${fmtThreshold(file.threshold)}${perLabel}), ${
            // A demo profile's starting value is not the user's choice until the slider moves.
            rememberedThreshold(this.store.state.settings?.detectorThresholds, m.model.checkpoint.name) === this.chosen
              ? 'remembered for this model'
              : 'for this session'
          }.`,
    );
  }
}
