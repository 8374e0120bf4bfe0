/** Compact model card on the Live tab: what is listening, and quick model switching. */
import { describeSimulatedChip } from '@nwave/runtime';
import type { AppStore, LoadedModel } from '../store/app-store.js';
import { h, replace } from './dom.js';
import type { ModelActions } from './model-panel.js';

function summary(m: LoadedModel | null, title: string): HTMLElement {
  if (!m) return h('p', { class: 'muted small' }, `${title}: none`);
  const { model } = m;
  const report = model.constraints();
  const words = model.labels.filter((l) => !model.checkpoint.backgroundLabels.includes(l));
  return h(
    'dl',
    { class: 'kv' },
    h('dt', {}, title),
    h('dd', {}, h('strong', {}, model.checkpoint.name), h('span', { class: 'muted small' }, ` ${m.name}`)),
    h('dt', {}, 'words'),
    h('dd', {}, words.join(', ')),
    h('dt', {}, 'size'),
    h(
      'dd',
      {},
      // "64r": a layer with in-core recurrence (its recurrent weights are counted in the parameters).
      `${model.fixedPoint.layers.map((l) => `${l.size}${l.recurrentWeights ? 'r' : ''}`).join('-')} neurons, ${model.parameterCount.toLocaleString('en-US')} parameters`,
    ),
    h('dt', {}, 'chip'),
    h(
      'dd',
      { class: report.ok ? 'ok' : 'bad' },
      // The chip and its profile id (h1v1-estimate, h1v2-estimate, ...): the rules and power figures depend on it.
      `${report.ok ? `✓ fits ${model.chip.chip}` : `✗ ${report.violations.length} constraint violation(s) on ${model.chip.chip}`} (${model.chip.id})`,
    ),
    m.chip ? h('dt', {}, 'runs as') : null,
    m.chip ? h('dd', { 'data-testid': 'summary-chip' }, describeSimulatedChip(m.chip.choice)) : null,
  );
}

export class ModelSummary {
  constructor(root: HTMLElement, store: AppStore, actions: ModelActions) {
    const body = h('div', {});
    replace(
      root,
      h('h2', {}, 'Model'),
      body,
      h(
        'div',
        { class: 'row' },
        h('button', { onclick: () => actions.open('a') }, 'Open model…'),
        h('button', { onclick: () => actions.open('b') }, 'Compare…'),
      ),
    );
    store.watch('models', (m) => replace(body, summary(m.a, 'model'), m.b ? summary(m.b, 'compare') : null));
  }
}
