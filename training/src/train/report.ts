/**
 * Training report beside the checkpoint: `<name>.history.json` (every number) and a
 * self-contained `<name>.report.html` with SVG plots (loss components, accuracy, firing rates per
 * layer and per neuron, weight histograms against the chip's weight limit, confusion matrices).
 */
import { NwaveModel, codesToWeights, getChipProfile, runClip, type Checkpoint } from '@nwave/runtime';
import { writeFileAtomic } from '@nwave/runtime/node';
import type { HWNetwork } from '../layers/index.js';
import { barChart, esc, histogram, lineChart } from '@nwave/data/svg-charts';
import type { EvalItem, EvalResult } from '@nwave/data/evaluate';
import type { RateCheck } from './firing-rate-check.js';
import type { EpochRow } from './trainer.js';

export interface ReportInput {
  history: EpochRow[];
  val: EvalResult;
  test: EvalResult | null;
  floatVal: number;
  floatTest: number | null;
  initialRates: RateCheck[];
  checkpoint: Checkpoint;
  net: HWNetwork;
  /** Validation clips (features) for the per-neuron rates. */
  valItems: readonly EvalItem[];
  steps: number;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

function confusionTable(title: string, r: EvalResult, labels: string[]): string {
  const head = `<tr><th>true \\ predicted</th>${labels.map((l) => `<th>${esc(l)}</th>`).join('')}<th>recall</th></tr>`;
  const rows = r.confusion
    .map(
      (row, i) =>
        `<tr><th>${esc(r.rowLabels[i])}</th>${row.map((c, j) => `<td${i === j ? ' class="d"' : ''}>${c}</td>`).join('')}<td>${pct(r.perClass[i].recall)}</td></tr>`,
    )
    .join('');
  return `<h3>${esc(title)}</h3><table>${head}${rows}</table>`;
}

/** Writes history JSON and the HTML report; returns the HTML path. */
export async function writeTrainingReport(out: string, r: ReportInput): Promise<string> {
  const base = out.replace(/\.nwave\.json$|\.json$/, '');
  await writeFileAtomic(
    `${base}.history.json`,
    JSON.stringify(
      {
        history: r.history,
        val: { ...r.val, predictions: undefined },
        test: r.test && { ...r.test, predictions: undefined },
        floatVal: r.floatVal,
        floatTest: r.floatTest,
        initialRates: r.initialRates,
      },
      null,
      1,
    ),
  );
  const h = r.history;
  const ck = r.checkpoint;
  const labels = ck.labels;
  const layerNames = r.net.hwLayers().map((l) => l.name);
  const model = new NwaveModel(ck);
  const charts = [
    lineChart(
      'Loss components (training)',
      [
        { name: 'cross-entropy', values: h.map((e) => e.components.ce) },
        { name: 'topology', values: h.map((e) => e.components.topology) },
        { name: 'magnitude', values: h.map((e) => e.components.magnitude) },
        { name: 'firing rate', values: h.map((e) => e.components.firingRate) },
      ],
      { log: true },
    ),
    lineChart('Accuracy', [
      { name: 'train (float)', values: h.map((e) => e.trainAccuracy) },
      { name: 'val (runtime)', values: h.map((e) => e.valAccuracy) },
      { name: 'val (float)', values: h.map((e) => e.valFloatAccuracy) },
      { name: 'val balanced', values: h.map((e) => e.valBalancedAccuracy) },
    ]),
    lineChart(
      'Firing rate per layer (spikes / neuron / step, training)',
      layerNames.map((n, i) => ({ name: n, values: h.map((e) => e.firingRates[i] ?? 0) })),
    ),
  ];
  const chip = getChipProfile(ck.chipProfile);
  const weightFigs = ck.network.layers.map((l) => {
    const limit = chip.synapse[l.type === 'frontend' ? 'frontend' : 'core'].wMax;
    return histogram(
      `Weights of ${l.name} (${l.weights.bits} bits), ${chip.chip} limit ±${limit}`,
      codesToWeights(l.weights.codes, l.weights.bits, l.weights.wMax),
      { limits: [-limit, limit] },
    );
  });
  const rateFigs = perNeuronRates(model, r).map((rates, i) =>
    barChart(`Firing rate per neuron, ${model.fixedPoint.layers[i].name} (runtime, validation clips)`, rates, { max: 1 }),
  );
  const m = ck.provenance.metrics ?? {};
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>nwave-ts training report: ${esc(ck.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}figure{display:inline-block;margin:8px}figcaption{font-size:13px;font-weight:600}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}td.d{background:#e8f4e8;font-weight:600}.note{color:#666;font-size:12px}</style></head><body>
<h1>Training report: ${esc(ck.name)}</h1>
<p>Labels: ${labels.map(esc).join(', ')}; best epoch ${esc(String(m.bestEpoch ?? '—'))} of ${h.length}. All accuracies below marked "runtime" are measured by the fixed-point runtime on the exported checkpoint.</p>
<table><tr><th></th><th>validation</th><th>test</th></tr>
<tr><th>accuracy (runtime, arg-max)</th><td>${pct(r.val.accuracy)}</td><td>${pct(r.test?.accuracy ?? null)}</td></tr>
<tr><th>float model accuracy (tfjs)</th><td>${pct(r.floatVal)}</td><td>${pct(r.floatTest)}</td></tr>
<tr><th>keyword accuracy (with rejection rule)</th><td>${pct(r.val.keywordAccuracy)}</td><td>${pct(r.test?.keywordAccuracy ?? null)}</td></tr>
<tr><th>background rejected</th><td>${pct(r.val.rejection)}</td><td>${pct(r.test?.rejection ?? null)}</td></tr>
<tr><th>projected power per clip (estimate)</th><td>${(r.val.power.meanW * 1e6).toFixed(4)} µW</td><td>${r.test ? (r.test.power.meanW * 1e6).toFixed(4) + ' µW' : '—'}</td></tr>
<tr><th>energy per inference (estimate)</th><td>${(r.val.power.energyPerInferenceJ * 1e9).toFixed(2)} nJ</td><td>${r.test ? (r.test.power.energyPerInferenceJ * 1e9).toFixed(2) + ' nJ' : '—'}</td></tr></table>
<p class="note">Power figures are projections from chip profile ${esc(ck.chipProfile)} (estimates, not measurements).</p>
<h2>Curves</h2>${charts.join('')}
<h2>Initial firing rates</h2><table><tr><th>layer</th><th>rate</th><th>verdict</th></tr>${r.initialRates.map((x) => `<tr><td>${esc(x.layer)}</td><td>${pct(x.rate)}</td><td>${esc(x.verdict)}${x.advice ? ` — ${esc(x.advice)}` : ''}</td></tr>`).join('')}</table>
<h2>Confusion</h2>${confusionTable('Validation (runtime)', r.val, labels)}${r.test ? confusionTable('Test (runtime)', r.test, labels) : ''}
<h2>Firing rates per neuron</h2>${rateFigs.join('')}
<h2>Weights</h2>${weightFigs.join('')}
<h2>Per-epoch table</h2><table><tr><th>epoch</th><th>loss</th><th>CE</th><th>topology</th><th>magnitude</th><th>FR</th><th>train</th><th>val (runtime)</th><th>val (float)</th><th>compliant</th></tr>
${h.map((e) => `<tr><td>${e.epoch}</td><td>${e.loss.toFixed(4)}</td><td>${e.components.ce.toFixed(4)}</td><td>${e.components.topology.toFixed(4)}</td><td>${e.components.magnitude.toFixed(5)}</td><td>${e.components.firingRate.toFixed(4)}</td><td>${pct(e.trainAccuracy)}</td><td>${pct(e.valAccuracy)}</td><td>${pct(e.valFloatAccuracy)}</td><td>${e.compliant ? 'yes' : 'no'}</td></tr>`).join('')}</table>
</body></html>`;
  const file = `${base}.report.html`;
  await writeFileAtomic(file, html);
  return file;
}

/** Per-neuron spikes per step from the runtime on up to 100 validation clips. */
function perNeuronRates(model: NwaveModel, r: ReportInput): number[][] {
  const net = model.createNetwork();
  const sums = model.fixedPoint.layers.map((l) => new Array<number>(l.size).fill(0));
  const items = r.valItems.slice(0, 100);
  for (const it of items) {
    const run = runClip(net, it.features, r.steps);
    run.counts.forEach((c, li) => c.forEach((v, j) => (sums[li][j] += v / r.steps / items.length)));
  }
  return sums;
}
