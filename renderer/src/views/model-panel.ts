/**
 * Model information, side by side for the model and the comparison model: layers, parameter
 * count, filterbank, detector, and the constraint report against the chip profile.
 */
import {
  SIMULATED_CHIP_LIMITS,
  describeChipMismatch,
  describeSimulatedChip,
  type DetectorSettings,
  MAX_CALIBRATION_CLIPS,
  type NwaveModel,
  type SimulatedChip,
} from '@nwave/runtime';
import type { ModelSlot } from '../engine/engine-messages.js';
import { fmtCountGains, fmtFreq } from '../format.js';
import type { AppStore, LiveDetector, LoadedModel } from '../store/app-store.js';
import { describeThreshold } from '../store/detector-thresholds.js';
import { h, replace, setText } from './dom.js';

export interface ModelActions {
  open(slot: ModelSlot): void;
  loadDefault(): void;
  clear(slot: ModelSlot): void;
  /** Run simulated chip `chip` of the slot's model (null: the nominal network). */
  setChip(slot: ModelSlot, chip: SimulatedChip | null): void;
  /** Calibrate the slot's simulated chip on the opened audio files (its output count gains). */
  calibrateChip(slot: ModelSlot): void;
  /** Model A's nominal network beside one of its simulated chips as model B. */
  compareWithChip(chip: SimulatedChip): void;
}

/**
 * Chooses which network a slot runs: the nominal one (the checkpoint's integers) or one simulated
 * fabricated chip (chip K of `nwave eval --chips N --seed S`), so a demo shows what mismatch does.
 */
function chipControls(slot: ModelSlot, m: LoadedModel, actions: ModelActions): HTMLElement {
  const current = m.chip?.choice;
  const input = (name: string, value: number, max: number, label: string) =>
    h('input', {
      type: 'number',
      min: '0',
      max: String(max),
      step: '1',
      value: String(value),
      'aria-label': label,
      'data-testid': `chip-${name}-${slot}`,
    }) as HTMLInputElement;
  const index = input('index', current?.index ?? 0, SIMULATED_CHIP_LIMITS.index, 'simulated chip number');
  const seed = input('seed', current?.seed ?? 1, SIMULATED_CHIP_LIMITS.seed, 'simulated chip seed');
  const choice = (): SimulatedChip => ({ index: Number(index.value), seed: Number(seed.value) });
  return h(
    'fieldset',
    { class: 'chip-select' },
    h('legend', {}, 'Runs as'),
    h(
      'p',
      { class: 'small', 'data-testid': `running-${slot}` },
      current
        ? `${describeSimulatedChip(current)} (${m.model.chip.chip} nominal mismatch: ${describeChipMismatch(m.model)})`
        : 'the nominal network (the checkpoint as written)',
    ),
    h('label', {}, 'chip ', index),
    h('label', {}, ' seed ', seed),
    h(
      'div',
      { class: 'row' },
      h('button', { onclick: () => actions.setChip(slot, choice()), 'data-testid': `chip-run-${slot}` }, 'Run this chip'),
      current
        ? h(
            'button',
            { onclick: () => actions.setChip(slot, { index: current.index + 1, seed: current.seed }), 'data-testid': `chip-next-${slot}` },
            'Next chip',
          )
        : null,
      current
        ? h(
            'button',
            {
              onclick: () => actions.calibrateChip(slot),
              'data-testid': `chip-calibrate-${slot}`,
              title: `Play the same audio through this chip and the nominal network, and scale each label's counts by nominal mean / chip mean: the opened audio files (up to ${MAX_CALIBRATION_CLIPS}; any speech, no labels), as nwave eval --chip-calibration`,
            },
            current.countGains ? 'Calibrate again' : 'Calibrate on the audio files',
          )
        : null,
      current ? h('button', { onclick: () => actions.setChip(slot, null), 'data-testid': `chip-nominal-${slot}` }, 'Nominal') : null,
      slot === 'a'
        ? h(
            'button',
            {
              onclick: () => actions.compareWithChip(choice()),
              'data-testid': 'chip-compare',
              title: 'Model B: this chip of model A, side by side',
            },
            'Compare nominal vs this chip',
          )
        : null,
    ),
    current?.countGains ? h('p', { class: 'small', 'data-testid': `chip-calibration-${slot}` }, calibrationText(m)) : null,
    h('p', { class: 'muted small' }, 'Live and file results; the ONNX backend runs the nominal network.'),
  );
}

/** "calibrated on 12 audio files: _background_ ×1.02, yes ×1.31, no ×0.94" (+ limits hit, files skipped). */
function calibrationText(m: LoadedModel): string {
  const gains = m.chip?.choice.countGains ?? {};
  const note = m.chip?.calibration;
  const files = note ? ` on ${note.files} audio file${note.files === 1 ? '' : 's'}` : '';
  const clamped = note?.clamped.length ? `; at the gain limit: ${note.clamped.join(', ')}` : '';
  const skipped = note?.skipped.count ? `; ${note.skipped.count} skipped (${note.skipped.first})` : '';
  return `calibrated${files}: ${fmtCountGains(gains)}${clamped}${skipped}`;
}

function layerRows(model: NwaveModel): HTMLElement[] {
  return model.checkpoint.network.layers.map((l) => {
    const taus = l.neuron.tausS;
    const tau = Array.isArray(taus)
      ? `${(Math.min(...taus) * 1e3).toFixed(0)}–${(Math.max(...taus) * 1e3).toFixed(0)} ms`
      : `${(taus * 1e3).toFixed(0)} ms`;
    const shape = l.type === 'dense' ? `${l.inputs} → ${l.size}` : `${l.size}`;
    return h(
      'tr',
      {},
      h('td', {}, l.name),
      h('td', {}, l.type),
      h('td', {}, shape),
      h('td', {}, String(l.weights.codes.length)),
      h('td', {}, `${l.weights.bits}-bit ±${l.weights.wMax}`),
      h('td', {}, tau),
    );
  });
}

/** The detector settings in effect (the live view's threshold, when one is set) against the file's. */
function detectorText(file: DetectorSettings, live: LiveDetector | null): string {
  const d = live?.settings ?? file;
  const contrast = d.minInputContrast ? `, input contrast ≥ ${d.minInputContrast} (steady sounds rejected)` : '';
  const gains = fmtCountGains(d.countGains ?? {});
  const calibrated = gains ? `, calibrated chip (counts ${gains})` : '';
  return `window ${d.windowS} s, ${describeThreshold(file, live)}, ≥ ${d.minSpikes} spikes${contrast}${calibrated}, refractory ${d.refractoryS} s`;
}

function describe(m: LoadedModel, detectorLine: HTMLElement): HTMLElement {
  const { model } = m;
  const ck = model.checkpoint;
  const fb = model.filterbank;
  const report = model.constraints();
  return h(
    'div',
    { class: 'model-info', 'data-testid': 'model-info' },
    h('h3', {}, ck.name, ' ', h('span', { class: 'muted small' }, m.name)),
    m.note ? h('p', { class: 'notice' }, m.note) : null,
    ck.description ? h('p', { class: 'muted' }, ck.description) : null,
    h(
      'dl',
      { class: 'kv' },
      h('dt', {}, 'labels'),
      h('dd', {}, ck.labels.map((l) => (ck.backgroundLabels.includes(l) ? `${l} (background)` : l)).join(', ')),
      model.outputPopulation > 1 ? h('dt', {}, 'output') : null,
      model.outputPopulation > 1 ? h('dd', {}, `${model.outputPopulation} neurons per class (population coding)`) : null,
      h('dt', {}, 'parameters'),
      h('dd', { 'data-testid': 'parameter-count' }, model.parameterCount.toLocaleString('en-US')),
      h('dt', {}, 'chip profile'),
      h('dd', { 'data-testid': 'chip-profile' }, `${model.chip.chip} (${model.chip.id})`),
      h('dt', {}, 'filterbank'),
      h(
        'dd',
        {},
        `${fb.centerFrequenciesHz.length} channels, ${fmtFreq(fb.centerFrequenciesHz[0])} – ${fmtFreq(fb.centerFrequenciesHz.at(-1)!)}, Q ${fb.q}, ${fb.sampleRateHz} Hz, ${fb.binS * 1e3} ms bins`,
      ),
      h('dt', {}, 'detector'),
      detectorLine,
    ),
    h(
      'table',
      { class: 'layers' },
      h('thead', {}, h('tr', {}, ...['layer', 'type', 'shape', 'weights', 'precision', 'τ'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...layerRows(model)),
    ),
    h(
      'h4',
      {},
      'Constraint report ',
      h(
        'span',
        { class: report.ok ? 'ok' : 'bad', 'data-testid': 'constraints-verdict' },
        report.ok ? '✓ fits the chip' : `✗ ${report.violations.length} violation(s)`,
      ),
    ),
    h(
      'ul',
      { class: 'constraints' },
      ...report.checked.map((c) =>
        h(
          'li',
          { class: c.ok ? 'ok' : 'bad' },
          h('span', { class: 'rule' }, `${c.ok ? '✓' : '✗'} ${c.rule}`),
          ' ',
          h('span', { class: 'muted' }, c.detail),
        ),
      ),
    ),
  );
}

export class ModelPanel {
  private readonly cols: Record<ModelSlot, HTMLElement> = {
    a: h('div', { class: 'card model-col' }),
    b: h('div', { class: 'card model-col' }),
  };
  /** The detector line of each slot, updated in place as the live threshold moves. */
  private readonly detectorLines: Record<ModelSlot, HTMLElement> = {
    a: h('dd', { 'data-testid': 'detector-settings' }),
    b: h('dd', { 'data-testid': 'detector-settings' }),
  };
  private readonly shown: Record<ModelSlot, LoadedModel | null> = { a: null, b: null };

  constructor(
    root: HTMLElement,
    private readonly store: AppStore,
    private readonly actions: ModelActions,
  ) {
    replace(root, h('div', { class: 'model-grid' }, this.cols.a, this.cols.b));
    store.watch('models', (models) => {
      this.renderSlot('a', models.a);
      this.renderSlot('b', models.b);
    });
    store.watch('detector', (live) => {
      for (const slot of ['a', 'b'] as const) {
        const m = this.shown[slot];
        if (m) setText(this.detectorLines[slot], detectorText(m.model.checkpoint.detector, live[slot]));
      }
    });
  }

  private renderSlot(slot: ModelSlot, m: LoadedModel | null): void {
    this.shown[slot] = m;
    if (m) setText(this.detectorLines[slot], detectorText(m.model.checkpoint.detector, this.store.state.detector[slot]));
    const buttons =
      slot === 'a'
        ? [
            h('button', { class: 'primary', onclick: () => this.actions.open('a'), 'data-testid': 'open-model' }, 'Open model…'),
            h('button', { onclick: () => this.actions.loadDefault() }, 'Bundled default'),
          ]
        : [
            h('button', { onclick: () => this.actions.open('b'), 'data-testid': 'open-compare' }, 'Compare with…'),
            m ? h('button', { onclick: () => this.actions.clear('b') }, 'Stop comparing') : null,
          ];
    replace(
      this.cols[slot],
      h('h2', {}, slot === 'a' ? 'Model' : 'Comparison model'),
      h('div', { class: 'row' }, ...buttons),
      m ? describe(m, this.detectorLines[slot]) : null,
      m
        ? chipControls(slot, m, this.actions)
        : h(
            'p',
            { class: 'muted' },
            slot === 'a'
              ? 'No model loaded.'
              : 'Load a second model to run it side by side on the same input (live detections, power and per-file results).',
          ),
    );
  }
}
