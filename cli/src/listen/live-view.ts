/**
 * Terminal live view for `nwave listen`: level meter, per-layer firing rates, a short spike
 * raster and projected power. On a TTY it redraws in place with ANSI codes (at most 10 times a
 * second); elsewhere (a pipe, a log file, a serial console) it prints a plain status line now and
 * then, because cursor movement would turn a log into garbage.
 */
import type { StepView } from '@nwave/runtime';

/** What the live view needs to know about the model. */
export interface ViewModel {
  labels: readonly string[];
  layers: readonly { name: string; neurons: number }[];
  dtS: number;
}

/** Activity statistics fed from `KeywordSpotter.onStep` and the audio chunks. */
export class LiveStats {
  /** Smoothed RMS level of the input, dBFS. */
  levelDbfs = -120;
  private readonly window: number;
  private readonly ring: Int32Array;
  private readonly sums: Float64Array;
  private steps = 0;
  /** Raster: per step, output spikes (one bit per label) and the spike count of every layer. */
  readonly rasterSteps: number;
  private readonly rasterOut: Uint8Array;
  private readonly rasterCounts: Int32Array;

  constructor(
    readonly model: ViewModel,
    rasterSpanS = 2,
  ) {
    this.window = Math.max(1, Math.round(1 / model.dtS));
    this.ring = new Int32Array(this.window * model.layers.length);
    this.sums = new Float64Array(model.layers.length);
    this.rasterSteps = Math.max(1, Math.round(rasterSpanS / model.dtS));
    this.rasterOut = new Uint8Array(this.rasterSteps * model.labels.length);
    this.rasterCounts = new Int32Array(this.rasterSteps * model.layers.length);
  }

  /** One simulation step (copies what it keeps: the view's arrays are live). */
  step(v: StepView): void {
    const L = this.model.layers.length;
    const slot = this.steps % this.window;
    const r = this.steps % this.rasterSteps;
    for (let l = 0; l < L; l++) {
      const c = v.spikeCounts[l];
      this.sums[l] += c - this.ring[slot * L + l];
      this.ring[slot * L + l] = c;
      this.rasterCounts[r * L + l] = c;
    }
    const out = v.spikes[L - 1];
    for (let k = 0; k < this.model.labels.length; k++) this.rasterOut[r * this.model.labels.length + k] = out[k];
    this.steps++;
  }

  /** Audio as pushed to the spotter (Int16 or float) at `rateHz`. */
  audio(samples: Int16Array | Float32Array, rateHz: number): void {
    if (samples.length === 0) return;
    const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
    let sq = 0;
    for (let i = 0; i < samples.length; i++) sq += (samples[i] * scale) ** 2;
    const db = 10 * Math.log10(sq / samples.length + 1e-12);
    if (!Number.isFinite(db)) return;
    // Fast attack, slow release (20 dB/s, whatever the chunk size): readable at 10 frames/s.
    this.levelDbfs = db > this.levelDbfs ? db : Math.max(db, this.levelDbfs - (20 * samples.length) / rateHz);
  }

  /** Mean firing rate per neuron of each layer over the last second, Hz. */
  ratesHz(): Record<string, number> {
    const spanS = Math.min(this.steps, this.window) * this.model.dtS;
    return Object.fromEntries(this.model.layers.map((l, i) => [l.name, spanS > 0 ? this.sums[i] / (l.neurons * spanS) : 0]));
  }

  /** Raster rows, oldest left: one density row per non-output layer, one row per output label. */
  raster(columns: number): { name: string; row: string }[] {
    const L = this.model.layers.length;
    const K = this.model.labels.length;
    const bucket = Math.max(1, Math.ceil(this.rasterSteps / columns));
    const cols = Math.min(columns, Math.floor(this.rasterSteps / bucket));
    const newest = this.steps - 1;
    const at = (col: number, b: number) => newest - ((cols - 1 - col) * bucket + b);
    const rows: { name: string; row: string }[] = [];
    const shades = ' .:-=+*#%@';
    for (let l = 0; l < L - 1; l++) {
      let row = '';
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let b = 0; b < bucket; b++) if (at(c, b) >= 0) s += this.rasterCounts[(at(c, b) % this.rasterSteps) * L + l];
        const d = s / (this.model.layers[l].neurons * bucket);
        row += s === 0 ? ' ' : shades[Math.max(1, Math.min(9, Math.round(d * 9)))];
      }
      rows.push({ name: this.model.layers[l].name, row });
    }
    for (let k = 0; k < K; k++) {
      let row = '';
      for (let c = 0; c < cols; c++) {
        let any = 0;
        for (let b = 0; b < bucket; b++) if (at(c, b) >= 0) any |= this.rasterOut[(at(c, b) % this.rasterSteps) * K + k];
        row += any ? '|' : '·';
      }
      rows.push({ name: this.model.labels[k], row });
    }
    return rows;
  }
}

/** Power in the unit that keeps 3-4 significant digits readable. */
export function watts(w: number): string {
  const a = Math.abs(w);
  if (a >= 1e-3) return `${(w * 1e3).toFixed(3)} mW`;
  if (a >= 1e-6) return `${(w * 1e6).toFixed(3)} µW`;
  return `${(w * 1e9).toFixed(3)} nW`;
}

/** Numbers shown on the status lines that the view does not compute itself. */
export interface ViewStatus {
  timeS: number;
  powerW: number;
  detections: number;
  overflows: number;
}

/** Draws LiveStats to a terminal (in place) or as plain status lines. */
export class LiveView {
  private drawn = 0;
  private lastDrawMs = 0;
  private nextPlainS: number;

  constructor(
    readonly stats: LiveStats,
    private readonly tty: boolean,
    private readonly write: (s: string) => void = (s) => void process.stdout.write(s),
    private readonly columns: () => number = () => process.stdout.columns || 80,
    private readonly plainEveryS = 5,
  ) {
    this.nextPlainS = plainEveryS;
  }

  /** The in-place view, one string per line, each at most `width` characters. */
  render(s: ViewStatus, width: number): string[] {
    const pad = 9;
    const label = (n: string) => (n.length > pad - 1 ? n.slice(0, pad - 1) : n).padEnd(pad);
    const meterW = Math.max(10, Math.min(40, width - pad - 14));
    const filled = Math.round(Math.max(0, Math.min(1, (this.stats.levelDbfs + 60) / 60)) * meterW);
    const rates = Object.entries(this.stats.ratesHz()).map(([n, r]) => `${n} ${r.toFixed(1)} Hz`);
    const lines = [
      `${label('level')}${'█'.repeat(filled)}${'░'.repeat(meterW - filled)} ${this.stats.levelDbfs.toFixed(1).padStart(6)} dBFS`,
      `${label('rates')}${rates.join(' · ')} (per neuron, last 1 s)`,
      ...this.stats.raster(Math.max(10, width - pad)).map((r) => `${label(r.name)}${r.row}`),
      `${label('power')}${watts(s.powerW)} projected (estimate) · ${s.timeS.toFixed(1)} s · ${s.detections} detections${s.overflows ? ` · ${s.overflows} overflows` : ''}`,
    ];
    return lines.map((l) => (l.length > width ? l.slice(0, width) : l));
  }

  /** Redraws (TTY, throttled to 10 Hz unless `force`) or prints a plain status line every few seconds of audio. */
  update(s: ViewStatus, force = false): void {
    if (!this.tty) {
      if (s.timeS < this.nextPlainS) return;
      this.nextPlainS = Math.floor(s.timeS / this.plainEveryS + 1) * this.plainEveryS;
      const rates = Object.entries(this.stats.ratesHz())
        .map(([n, r]) => `${n} ${r.toFixed(1)} Hz`)
        .join(', ');
      this.write(
        `[${s.timeS.toFixed(1).padStart(7)} s] level ${this.stats.levelDbfs.toFixed(1)} dBFS  rates ${rates}  power ${watts(s.powerW)} (estimate)\n`,
      );
      return;
    }
    const now = Date.now();
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    const lines = this.render(s, this.columns() - 1);
    // Up to the first line of the previous frame, then rewrite each line and clear what is left.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '\x1b[?25l';
    this.write(`${up}${lines.map((l) => `\x1b[2K${l}\n`).join('')}\x1b[J`);
    this.drawn = lines.length;
  }

  /** A line that scrolls above the view (a detection, a warning). */
  print(line: string, s?: ViewStatus): void {
    if (!this.tty || this.drawn === 0) return this.write(`${line}\n`);
    this.write(`\x1b[${this.drawn}F\x1b[J${line}\n`);
    this.drawn = 0;
    if (s) this.update(s, true);
  }

  /** Removes the view and gives the cursor back, so the summary prints cleanly. */
  close(): void {
    if (!this.tty) return;
    this.write(`${this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : ''}\x1b[?25h`);
    this.drawn = 0;
  }
}
