/**
 * The live plots of one model: the filterbank heatmap and one spike raster per layer (frontend,
 * hidden..., output), all scrolling together with a time axis in seconds. Compact (a comparison:
 * two models side by side on one screen) halves the plot heights.
 */
import type { NwaveModel } from '@nwave/runtime';
import type { StepBatch } from '../engine/engine-messages.js';
import { fmtFreq } from '../format.js';
import { h, replace } from './dom.js';
import { rgba, ScrollPlot } from './scroll-plot.js';

const BACKGROUND = rgba(13, 17, 23);
const LAYER_COLORS = [rgba(56, 211, 187), rgba(163, 139, 250), rgba(255, 183, 77), rgba(96, 165, 250)];

/** 256-step dark-to-bright palette (black -> indigo -> magenta -> orange -> pale yellow). */
function palette(): Uint32Array {
  const stops = [
    [13, 17, 23],
    [59, 15, 112],
    [140, 41, 129],
    [222, 73, 104],
    [254, 159, 109],
    [252, 253, 191],
  ];
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    const c = stops[k].map((v, j) => Math.round(v + (stops[k + 1][j] - v) * f));
    out[i] = rgba(c[0], c[1], c[2]);
  }
  return out;
}

export class LivePlots {
  private readonly root: HTMLElement;
  private plots: ScrollPlot[] = [];
  private heatmap: ScrollPlot | null = null;
  private readonly colors = palette();
  /** Feature level mapped to the top of the palette (follows peaks, decays over ~20 s). */
  private featureScale = 20;
  private layerSizes: number[] = [];
  private model: NwaveModel | null = null;
  private compact = false;
  spikesSeen = 0;

  constructor(
    root: HTMLElement,
    private windowS: number,
  ) {
    this.root = root;
  }

  setWindow(windowS: number, model: NwaveModel | null): void {
    this.windowS = windowS;
    this.setModel(model);
  }

  /** Smaller plots (two models side by side); rebuilds the plots when it changes. */
  setCompact(compact: boolean): void {
    if (compact === this.compact) return;
    this.compact = compact;
    this.setModel(this.model);
  }

  /** Rebuilds the plots for a model's layers and filterbank (or empties them). */
  setModel(model: NwaveModel | null): void {
    replace(this.root);
    this.model = model;
    this.plots = [];
    this.heatmap = null;
    this.spikesSeen = 0;
    if (!model) {
      this.root.appendChild(h('p', { class: 'muted' }, 'Load a model to see its spike rasters.'));
      return;
    }
    const columns = Math.round(this.windowS / model.dtS);
    const centers = model.filterbank.centerFrequenciesHz;
    this.heatmap = new ScrollPlot(this.root, {
      title: 'filterbank',
      rows: centers.length,
      rowLabels: centers.map((f, i) => (i % 3 === 0 ? fmtFreq(f) : undefined)),
      columns,
      dtS: model.dtS,
      flipRows: true,
      heightPx: this.compact ? 62 : 140,
      background: BACKGROUND,
    });
    const layers = model.fixedPoint.layers;
    this.layerSizes = layers.map((l) => l.size);
    layers.forEach((layer, i) => {
      const isOutput = i === layers.length - 1;
      // Output neurons come in populations of `outputPopulation` per class: label each group once.
      const pop = model.outputPopulation;
      // Frontend neuron i listens to filter i: same frequency labels and orientation as the heatmap.
      const frontend = layer.type === 'frontend' && layer.size === centers.length;
      const rowLabels = isOutput
        ? Array.from({ length: layer.size }, (_, r) => (r % pop === Math.floor(pop / 2) ? model.labels[Math.floor(r / pop)] : undefined))
        : frontend
          ? centers.map((f, r) => (r % 4 === 0 ? fmtFreq(f) : undefined))
          : Array.from({ length: layer.size }, (_, r) => (r % 8 === 0 ? `#${r}` : undefined));
      const rows = isOutput
        ? Math.min(150, Math.max(45, 18 * model.labels.length, 3 * layer.size))
        : Math.min(130, Math.max(45, layer.size * 4));
      const heightPx = 31 + (this.compact ? Math.min(rows, 32) : rows);
      const plot = new ScrollPlot(this.root, {
        title: `${layer.name} (${layer.size} ${layer.type === 'frontend' ? 'channels' : 'neurons'})`,
        rows: layer.size,
        rowLabels,
        flipRows: frontend,
        columns,
        dtS: model.dtS,
        heightPx,
        background: BACKGROUND,
      });
      plot.canvas.dataset.layer = layer.name;
      this.plots.push(plot);
    });
  }

  /** Appends a batch of steps to every plot. */
  push(batch: StepBatch): void {
    const endS = (batch.firstStep + batch.count) * batch.dtS;
    const neurons = batch.layerSizes.reduce((a, b) => a + b, 0);
    if (batch.layerSizes.length !== this.layerSizes.length) return; // a batch of the previous model
    let offset = 0;
    this.plots.forEach((plot, l) => {
      const color = LAYER_COLORS[Math.min(l, LAYER_COLORS.length - 1)];
      const base = offset;
      plot.append(batch.count, endS, (s, r) => {
        if (batch.spikes[s * neurons + base + r]) {
          this.spikesSeen++;
          return color;
        }
        return BACKGROUND;
      });
      offset += batch.layerSizes[l];
    });
    if (this.heatmap) {
      const C = batch.channels;
      let peak = 0;
      for (let i = 0; i < batch.features.length; i++) if (batch.features[i] > peak) peak = batch.features[i];
      this.featureScale = Math.max(20, peak > this.featureScale ? peak : this.featureScale * 0.998);
      // Square-root (gamma 0.5) scale: the tuned channel stands out, leakage stays visible.
      const k = 1 / this.featureScale;
      this.heatmap.append(
        batch.count,
        endS,
        (s, r) => this.colors[Math.min(255, Math.round(Math.sqrt(Math.max(0, batch.features[s * C + r]) * k) * 255))],
      );
    }
  }

  clear(): void {
    this.heatmap?.clear();
    for (const p of this.plots) p.clear();
  }

  draw(): void {
    this.heatmap?.draw();
    for (const p of this.plots) p.draw();
  }
}
