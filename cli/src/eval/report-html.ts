/**
 * The `nwave eval --report` page: one self-contained HTML file (inline CSS and SVG, no external
 * asset, no script), so it can be mailed, archived next to a checkpoint or opened offline.
 */
import { barChart, confusionHeatmap, esc, histogram, spikeRaster, xyChart } from '@nwave/data/svg-charts';
import { findChipProfile, powerLabel } from '@nwave/runtime';
import { describeDetector } from '../detector-options.js';
import { p5Text } from '../format.js';
import type { EvalDetails } from './run-eval.js';
import type { MismatchLevel } from './summary.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const fix = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? '—' : x.toFixed(d));
const uW = (w: number) => `${(w * 1e6).toFixed(4)} µW`;

function table(header: string[] | null, rows: (string | number)[][]): string {
  const th = header ? `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>` : '';
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${esc(String(c))}</th>` : `<td>${esc(String(c))}</td>`)).join('')}</tr>`)
    .join('');
  return `<table>${th}${body}</table>`;
}

function summarySection(d: EvalDetails): string {
  const s = d.summary;
  const st = s.streaming;
  const nominal = s.mismatch?.levels.find((l) => l.stddev === s.mismatch!.nominalStddev);
  const rows: (string | number)[][] = [
    ['Model', `${s.model.name} (${s.model.labels.join(', ')})`],
    ['Detector', describeDetector(s.model.detector)],
    [
      'Data',
      `${s.data.dir}: ${s.data.clips} clips (${s.data.keywordClips} keyword, ${s.data.nonKeywordClips} non-keyword)${s.data.skipped ? `, ${s.data.skipped} unreadable` : ''}`,
    ],
    ['Keyword accuracy (full rejection rule)', pct(s.accuracy)],
    ['Keyword arg-max accuracy', pct(s.argmaxAccuracy)],
    ['Non-keyword rejection', pct(s.rejection)],
  ];
  if (st) {
    rows.push(['Stream', `${fix(st.hours * 60, 1)} min, ${st.keywords} keywords inserted`]);
    rows.push(['Misses / false accepts per hour', `${st.misses} (${pct(st.missRate)}) / ${fix(st.falseAcceptsPerHour)}`]);
    rows.push(['Wrong-label rate (another keyword named)', pct(st.wrongLabelRate)]);
    rows.push([
      'False accepts per hour of other speech',
      `${fix(st.falseAcceptsPerHourOfOtherSpeech)} (over ${fix(st.otherSpeechHours * 60, 1)} min of other speech)`,
    ]);
    for (const p of st.detMissRateAt)
      rows.push([
        `DET: miss rate at ≤ ${p.falseAcceptsPerHour} false accepts per hour of other speech`,
        p.missRate === null ? 'not reached' : `${pct(p.missRate)} (threshold ${p.threshold})`,
      ]);
    for (const p of st.missRateAt)
      rows.push([
        `Miss rate at ≤ ${p.falseAcceptsPerHour} false accepts/h`,
        p.missRate === null ? 'not reached' : `${pct(p.missRate)} (threshold ${p.threshold})`,
      ]);
    if (st.latencyMs)
      rows.push([
        'Latency after keyword end (mean / p50 / p90)',
        `${fix(st.latencyMs.mean, 0)} / ${fix(st.latencyMs.p50, 0)} / ${fix(st.latencyMs.p90, 0)} ms`,
      ]);
  }
  if (nominal)
    rows.push([
      `Accuracy on ${s.mismatch!.chips} simulated chips at σ = ${nominal.stddev} (mean / 5th pct with its 90 % interval / min)`,
      `${pct(nominal.mean)} / ${p5Text(nominal)} / ${pct(nominal.min)}`,
    ]);
  if (nominal?.calibrated)
    rows.push([
      `The same chips, each with its output calibration (mean / 5th pct with its 90 % interval / min)`,
      `${pct(nominal.calibrated.mean)} / ${p5Text(nominal.calibrated)} / ${pct(nominal.calibrated.min)}`,
    ]);
  rows.push([
    `Power per inference (mean, 5–95 %), ${powerLabelOf(s.power.profile)}`,
    `${uW(s.power.meanW)} (${uW(s.power.p5W)} – ${uW(s.power.p95W)}), ${(s.power.energyPerInferenceJ * 1e9).toFixed(3)} nJ`,
  ]);
  rows.push(['Throughput', `${s.clipsPerSecond.toFixed(0)} clips/s${st ? `, stream ${st.realTimeFactor.toFixed(0)}x real time` : ''}`]);
  return `<h2>Summary</h2>${table(null, rows)}`;
}

function clipSection(d: EvalDetails): string {
  const s = d.summary;
  const cls = s.perClass.map((c) => [
    c.label,
    c.keyword ? 'keyword' : 'non-keyword',
    c.n,
    pct(c.argmaxRecall),
    c.keyword ? pct(c.accuracy) : pct(c.rejection),
  ]);
  const fold = s.perFolder.map((f) => [f.folder, f.label, f.n, pct(f.argmaxRecall), f.keyword ? pct(f.accuracy) : pct(f.rejection)]);
  const head = ['class', 'kind', 'clips', 'arg-max recall', 'accuracy (keyword) / rejection (other)'];
  return `<h2>Clips</h2>${confusionHeatmap('Confusion matrix', s.confusionRows, s.labels, s.confusion)}<h3>Per class</h3>${table(head, cls)}<h3>Per folder</h3>${table(['folder', 'maps to', 'clips', 'arg-max recall', 'accuracy / rejection'], fold)}`;
}

function speakerSection(d: EvalDetails): string {
  const sp = d.summary.perSpeaker;
  if (sp.length === 0) return '<h2>Per speaker</h2><p>No file names of the form &lt;speaker&gt;_nohash_&lt;n&gt;.</p>';
  // Worst speakers first: those are the voices a user should listen to.
  const ordered = [...sp].sort((a, b) => (a.accuracy ?? 2) - (b.accuracy ?? 2) || (a.rejection ?? 2) - (b.rejection ?? 2));
  const withKw = ordered.filter((r) => r.accuracy !== null);
  const chart = withKw.length
    ? barChart(
        `Keyword accuracy per speaker, worst first (${withKw.length} speakers)`,
        withKw.map((r) => r.accuracy!),
        { max: 1 },
      )
    : '';
  const rows = ordered.map((r) => [r.speaker, r.n, r.keywordClips, pct(r.accuracy), r.nonKeywordClips, pct(r.rejection)]);
  return `<h2>Per speaker</h2>${chart}<details><summary>${sp.length} speakers (table)</summary>${table(['speaker', 'clips', 'keyword clips', 'accuracy', 'non-keyword clips', 'rejection'], rows)}</details>`;
}

function streamingSection(d: EvalDetails): string {
  const st = d.summary.streaming;
  if (!st || !d.streaming) return '';
  const curve = st.curve;
  const faMax = Math.max(10, ...curve.map((p) => p.falseAcceptsPerHour));
  const figs = [
    xyChart(
      'False accepts per hour vs detector threshold',
      [{ name: 'false accepts / h', points: curve.map((p) => [p.threshold, p.falseAcceptsPerHour]) }],
      { xLabel: 'confidence threshold', yLabel: 'false accepts / h', xRange: [0, 1] },
    ),
    xyChart(
      'Miss rate vs false accepts per hour (threshold sweep; 0/h drawn at 0.1/h)',
      [
        {
          name: 'miss rate',
          points: [...curve].sort((a, b) => a.falseAcceptsPerHour - b.falseAcceptsPerHour).map((p) => [p.falseAcceptsPerHour, p.missRate]),
        },
      ],
      {
        xLabel: 'false accepts / h',
        yLabel: 'miss rate',
        xRange: [0.1, faMax],
        logXFloor: 0.1,
        yRange: [0, 1],
        xMarks: [
          { x: 0.5, label: '0.5/h' },
          { x: 1, label: '1/h' },
        ],
      },
    ),
  ];
  const det = st.det;
  figs.push(
    xyChart(
      'DET: miss rate vs false accepts per hour of other speech (threshold sweep; 0/h drawn at 0.1/h)',
      [
        {
          name: 'miss rate',
          points: [...det].sort((a, b) => a.falseAcceptsPerHour - b.falseAcceptsPerHour).map((p) => [p.falseAcceptsPerHour, p.missRate]),
        },
      ],
      {
        xLabel: 'false accepts / h of other speech',
        yLabel: 'miss rate',
        xRange: [0.1, Math.max(300, ...det.map((p) => p.falseAcceptsPerHour))],
        logXFloor: 0.1,
        yRange: [0, 1],
        xMarks: [
          { x: 10, label: '10/h' },
          { x: 50, label: '50/h' },
          { x: 200, label: '200/h' },
        ],
      },
    ),
  );
  const src = st.source
    ? `<p>Stream source: other speech from ${st.source.negatives.map((n) => `<code>${esc(n)}</code>`).join(', ')} (${st.source.split} half, ${st.source.negativeFiles} files, ${fix(st.source.negativeS / 60, 1)} min), keyword clips from ${st.source.keywords ? `<code>${esc(st.source.keywords)}</code>` : 'the data folder'} (${st.source.keywordFiles} files).</p>`
    : '';
  const lat = d.streaming.hits.map((h) => h.latencyS * 1000);
  if (lat.length)
    figs.push(
      histogram('Detection latency after keyword end, ms', lat, {
        lo: Math.floor(Math.min(...lat, 0) / 100) * 100,
        hi: Math.ceil(Math.max(...lat, 100) / 100) * 100,
        bins: 40,
      }),
    );
  const rows = curve.map((p) => [p.threshold, fix(p.falseAcceptsPerHour), pct(p.missRate)]);
  const note = `<p>${fix(st.hours * 60, 1)} min stream (seed ${st.seed}): non-keyword clips back to back, ${st.keywords} keyword clips inserted at known times; a detection counts when it fires between the keyword's start and ${st.toleranceS} s after its end. False accepts are counted over the whole stream; at this length one false accept is ${fix(1 / st.hours, 1)}/h, so a rate of 0/h only says "none in ${fix(st.hours * 60, 1)} min" (use <code>--stream-hours</code> for more).</p>`;
  const detRows = det.map((p) => [p.threshold, fix(p.falseAcceptsPerHour), pct(p.missRate)]);
  return `<h2>Streaming</h2>${note}${src}${figs.join('')}<details><summary>Threshold sweep (table)</summary>${table(['threshold', 'false accepts / h', 'miss rate'], rows)}</details><details><summary>DET (table, per hour of other speech)</summary>${table(['threshold', 'false accepts / h of other speech', 'miss rate'], detRows)}</details>`;
}

function mismatchSection(d: EvalDetails): string {
  const mm = d.summary.mismatch;
  if (!mm) return '';
  const pts = (f: (l: MismatchLevel) => number | null) => mm.levels.map((l): [number, number] => [l.stddev, f(l) ?? Number.NaN]);
  const fig = xyChart(
    `Keyword accuracy vs synaptic mismatch (${mm.chips} chips per level${mm.leakMismatch ? ', leak mismatch on' : ''})`,
    [
      { name: 'mean', points: pts((l) => l.mean) },
      { name: '5th percentile', points: pts((l) => l.p5), dashed: true },
      { name: 'worst chip', points: pts((l) => l.min), dashed: true },
      { name: 'deployed (no mismatch)', points: pts(() => mm.deployed.accuracy), dashed: true },
      ...(mm.calibrationClips
        ? [
            { name: 'calibrated mean', points: pts((l) => l.calibrated?.mean ?? null) },
            { name: 'calibrated 5th percentile', points: pts((l) => l.calibrated?.p5 ?? null), dashed: true },
          ]
        : []),
    ],
    {
      xLabel: 'synaptic mismatch σ (weight units)',
      yLabel: 'keyword accuracy',
      yRange: [0, 1],
      xMarks: [{ x: mm.nominalStddev, label: 'nominal' }],
    },
  );
  const cal = (l: MismatchLevel) => (l.calibrated ? [pct(l.calibrated.mean), p5Text(l.calibrated), pct(l.calibrated.rejectionMean)] : []);
  const rows = mm.levels.map((l) => [
    l.stddev,
    pct(l.mean),
    p5Text(l),
    pct(l.min),
    pct(l.max),
    pct(l.argmaxMean),
    pct(l.rejectionMean),
    ...cal(l),
  ]);
  const calHead = mm.calibrationClips ? ['calibrated mean', 'calibrated 5th pct (90 % interval)', 'calibrated rejection mean'] : [];
  const calText = mm.calibrationClips
    ? ` Calibrated: each chip's output counts per label scaled by the nominal network's mean count over its own on the same ${mm.calibrationClips} unlabeled calibration clips.`
    : '';
  return `<h2>Fabrication mismatch</h2><p>Each simulated chip adds N(0, σ²) to every dense weight before rounding${mm.frontend ? ' (frontend included)' : ''}${mm.leakMismatch ? ' and draws τ<sub>i</sub> = τ·exp(0.1·ε<sub>i</sub>) per neuron' : ''}; chip k keeps its draws across σ. ${mm.clips} clips per chip, seed ${mm.seed}.${calText}</p>${fig}${table(['σ', 'mean', '5th pct (90 % interval)', 'min', 'max', 'arg-max mean', 'rejection mean', ...calHead], rows)}`;
}

function powerSection(d: EvalDetails): string {
  const w = d.outcomes.map((o) => o.powerW * 1e6);
  if (w.length === 0) return '';
  const lo = Math.min(...w);
  const hi = Math.max(...w);
  return `<h2>Power per inference (${powerLabelOf(d.summary.power.profile)}, ${esc(d.summary.power.profile)})</h2>${histogram('Projected power per clip, µW', w, { lo: +lo.toPrecision(3), hi: +(hi > lo ? hi : lo + 1e-6).toPrecision(3), bins: 40 })}`;
}

function rasterSection(d: EvalDetails): string {
  const figs = d.rasters.map((r) =>
    spikeRaster(
      `${r.file}: true ${r.trueLabel}, arg-max ${r.predicted}${r.accepted ? ' (accepted)' : ' (rejected)'}`,
      r.layers,
      r.steps,
      r.dtS,
    ),
  );
  return figs.length ? `<h2>Spike raster examples</h2>${figs.join('')}` : '';
}

/** The whole report page. */
export function renderEvalReport(d: EvalDetails): string {
  const css =
    'body{font:14px/1.4 system-ui,sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f6f6f6}figure{display:inline-block;margin:8px 12px 8px 0;vertical-align:top}figcaption{font-size:12px;color:#444}';
  const s = d.summary;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nwave eval: ${esc(s.model.name)}</title><style>${css}</style></head><body><h1>Evaluation of ${esc(s.model.name)}</h1><p>Every number comes from the runtime's bit-exact fixed-point simulation of <code>${esc(s.model.file)}</code> as deployed. Power figures are projections from the chip profile, not measurements.</p>${summarySection(d)}${clipSection(d)}${speakerSection(d)}${streamingSection(d)}${mismatchSection(d)}${powerSection(d)}${rasterSection(d)}</body></html>\n`;
}

/** The label of a profile's power figures ("uncalibrated" for a profile not fitted to its chip). */
function powerLabelOf(profileId: string): string {
  return powerLabel(findChipProfile(profileId) ?? { calibrated: false });
}
