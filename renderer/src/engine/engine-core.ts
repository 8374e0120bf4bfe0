/**
 * What the engine worker does, as a plain class (tested in Node): one KeywordSpotter per model
 * slot running at the device rate (the runtime resamples to the model rate), detections posted
 * the moment they fire, and everything else (spikes, features, level, power) batched into one
 * `frame` event per display frame.
 */
import {
  KeywordSpotter,
  NwaveModel,
  StreamingDetector,
  softmaxAt,
  withDetectorSettings,
  type ChipConsumption,
  type DetectorSettings,
  errorToJSON,
} from '@nwave/runtime';
import type { ConfidenceSnapshot, DetectorOverrides, EngineEvent, ModelSlot, PowerSnapshot } from './engine-messages.js';
import { chipModel, type ChipChoice } from './chip-choice.js';
import { StepBatcher } from './step-batcher.js';

export interface EngineCoreOptions {
  post(event: EngineEvent, transfer?: Transferable[]): void;
  /** Wall clock, ms since the epoch (performance.timeOrigin + performance.now() in a worker). */
  now(): number;
  /** Minimum time between frame events. @defaultValue 16 */
  frameIntervalMs?: number;
  /** Minimum time between power snapshots. @defaultValue 100 */
  powerIntervalMs?: number;
}

interface Slot {
  model: NwaveModel;
  source: string;
  spotter: KeywordSpotter | null;
  /** Overrides over the file's detector settings ({} = none). */
  overrides: DetectorOverrides;
  /** The detector settings in effect: the file's merged with `overrides`. */
  detector: DetectorSettings;
  /** Rasters of this slot's steps. */
  batcher: StepBatcher | null;
}

interface Capture {
  id: number;
  buf: Float32Array;
  filled: number;
  tap: boolean;
}

const SLOTS: readonly ModelSlot[] = ['a', 'b'];
const toDb = (x: number): number => (x > 1e-6 ? 20 * Math.log10(x) : -120);

export function powerSnapshot(slot: ModelSlot, p: ChipConsumption, inferenceS: number): PowerSnapshot {
  return {
    slot,
    profile: p.profile,
    staticUw: p.staticW * 1e6,
    dynamicUw: p.dynamicW * 1e6,
    totalUw: p.totalW * 1e6,
    energyPerInferenceNj: p.totalW * inferenceS * 1e9,
    inferenceS,
    windowS: p.durationS,
    spikeRateHz: p.spikeRateHz,
    layers: p.layers.map((l) => ({ name: l.name, neurons: l.neurons, rateHz: l.rateHz, frontend: !l.includedInTotal })),
  };
}

/** Each label's softmax confidence over the detector window's counts (the detector's own rule and scale). */
function confidenceSnapshot(slot: ModelSlot, s: Slot, timeS: number): ConfidenceSnapshot {
  const counts = Array.from(s.spotter!.detector.windowCounts);
  const any = counts.some((c) => c > 0);
  const scale = s.detector.countScale ?? 1;
  // A calibrated chip's detector decides on counts times its gains: the meters show the same.
  const scaled = s.spotter!.detector.calibratedWindowCounts;
  return { slot, timeS, counts, probs: scaled.map((_, k) => (any ? softmaxAt(scaled, k, scale) : 0)) };
}

/**
 * The model file's detector settings with `overrides`, checked as the spotter's
 * `setDetectorSettings` will check them (schema, labels, and a window it cannot change), for a
 * slot that has no spotter yet.
 * @throws InvalidArgumentError naming the field
 */
function settingsFor(model: NwaveModel, overrides: DetectorOverrides): DetectorSettings {
  const ck = model.checkpoint;
  const settings = withDetectorSettings(ck, overrides).detector;
  new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, model.dtS, model.outputPopulation).setSettings(settings);
  return settings;
}

export class EngineCore {
  private rate = 0;
  private readonly slots: Record<ModelSlot, Slot | null> = { a: null, b: null };
  private streamSamples = 0;
  private sumSq = 0;
  private peak = 0;
  private levelSamples = 0;
  private lastFrameAt = -Infinity;
  private lastPowerAt = -Infinity;
  private captures: Capture[] = [];
  private pendingTapS = 0;
  private readonly frameMs: number;
  private readonly powerMs: number;

  constructor(private readonly opts: EngineCoreOptions) {
    this.frameMs = opts.frameIntervalMs ?? 16;
    this.powerMs = opts.powerIntervalMs ?? 100;
  }

  get sampleRateHz(): number {
    return this.rate;
  }

  /** Stream time of the input so far, seconds. */
  get streamTimeS(): number {
    return this.rate > 0 ? this.streamSamples / this.rate : 0;
  }

  setSampleRate(rateHz: number): void {
    if (rateHz === this.rate) return;
    this.rate = rateHz;
    for (const s of SLOTS) this.buildSpotter(s);
    this.reset();
  }

  /**
   * Loads (text) or clears (null) the model of a slot, with detector `overrides` in effect from
   * its first step (refused overrides are reported and the file's settings used), running the
   * simulated `chip` of it when one is given; errors are posted, not thrown.
   */
  setModel(slot: ModelSlot, text: string | null, source: string, overrides: DetectorOverrides = {}, chip?: ChipChoice): void {
    if (text === null) {
      this.slots[slot]?.spotter?.release();
      this.slots[slot] = null;
      this.opts.post({ type: 'model-cleared', slot });
      return;
    }
    try {
      const nominal = NwaveModel.fromJSON(text, source);
      const model = chip ? chipModel(nominal, chip) : nominal;
      this.slots[slot]?.spotter?.release();
      let detector = model.checkpoint.detector;
      try {
        detector = settingsFor(model, overrides);
      } catch (err) {
        this.opts.post({ type: 'detector-error', slot, error: errorToJSON(err) });
        overrides = {};
      }
      this.slots[slot] = { model, source, spotter: null, overrides: { ...overrides }, detector, batcher: null };
      this.buildSpotter(slot);
      this.opts.post({
        type: 'model-ready',
        slot,
        source,
        labels: [...model.labels],
        dtS: model.dtS,
        chip: chip ? { index: chip.index, seed: chip.seed, ...(chip.countGains ? { countGains: { ...chip.countGains } } : {}) } : null,
      });
      this.postDetector(slot, 0);
    } catch (err) {
      this.opts.post({ type: 'model-error', slot, source, error: errorToJSON(err) });
    }
  }

  /**
   * Changes the detector settings of a running slot between two chunks
   * (`KeywordSpotter.setDetectorSettings`): the filterbank, network, power meter, stream clock and
   * the detector's window carry on, so a word under way is judged whole by the new settings.
   * Invalid overrides (including another `windowS`) are refused (`detector-error`) and change nothing.
   */
  setDetector(slot: ModelSlot, overrides: DetectorOverrides): void {
    const s = this.slots[slot];
    if (!s) {
      this.opts.post({
        type: 'detector-error',
        slot,
        error: { code: 'STATE', message: `cannot change the detector of model ${slot.toUpperCase()}: no model is loaded` },
      });
      return;
    }
    let detector: DetectorSettings;
    let fromStep = 0;
    try {
      if (s.spotter) {
        fromStep = s.spotter.setDetectorSettings(overrides);
        detector = { ...s.spotter.detector.settings };
      } else {
        detector = settingsFor(s.model, overrides);
      }
    } catch (err) {
      this.opts.post({ type: 'detector-error', slot, error: errorToJSON(err) });
      return;
    }
    s.overrides = { ...overrides };
    s.detector = detector;
    this.postDetector(slot, fromStep);
  }

  private postDetector(slot: ModelSlot, fromStep: number): void {
    const s = this.slots[slot];
    if (!s) return;
    this.opts.post({
      type: 'detector',
      slot,
      source: s.source,
      settings: s.detector,
      overridden: Object.keys(s.overrides).length > 0,
      fromStep,
      fromS: fromStep * s.model.dtS,
    });
  }

  private buildSpotter(slot: ModelSlot): void {
    const s = this.slots[slot];
    if (!s || this.rate <= 0) return;
    s.spotter?.release();
    const model = s.model;
    // Both slots keep their steps: a comparison shows model B's rasters beside model A's.
    const sizes = model.fixedPoint.layers.map((l) => l.size);
    const batcher = new StepBatcher(sizes, model.filterbank.centerFrequenciesHz.length, model.dtS);
    s.batcher = batcher;
    s.spotter = new KeywordSpotter(model, { inputSampleRateHz: this.rate, onStep: (v) => batcher.push(v) });
    if (Object.keys(s.overrides).length) s.spotter.setDetectorSettings(s.overrides); // at step 0: as if built with them
  }

  /** A new stream: stream time 0, spotter state cleared, a pending debug tap starts now. */
  reset(): void {
    for (const s of SLOTS) {
      this.slots[s]?.spotter?.reset();
      this.slots[s]?.batcher?.clear();
    }
    this.streamSamples = 0;
    this.sumSq = this.peak = this.levelSamples = 0;
    for (const c of this.captures) if (c.tap) c.filled = 0; // a tap always starts with the stream
    if (this.pendingTapS > 0 && this.rate > 0) {
      this.captures.push({ id: -1, buf: new Float32Array(Math.round(this.pendingTapS * this.rate)), filled: 0, tap: true });
      this.pendingTapS = 0;
    }
  }

  record(id: number, durationS: number): void {
    if (this.rate <= 0) {
      this.opts.post({ type: 'error', error: { code: 'STATE', message: 'cannot record: no audio is arriving yet' } });
      return;
    }
    this.captures.push({ id, buf: new Float32Array(Math.round(durationS * this.rate)), filled: 0, tap: false });
  }

  debugTap(seconds: number): void {
    this.pendingTapS = seconds;
  }

  /** Runs one chunk of input audio (device rate) through every loaded model. */
  process(samples: Float32Array, arrivedAtMs: number): void {
    if (this.rate <= 0) return;
    this.streamSamples += samples.length;
    const chunkEndS = this.streamSamples / this.rate;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      this.sumSq += v * v;
      const a = v < 0 ? -v : v;
      if (a > this.peak) this.peak = a;
    }
    this.levelSamples += samples.length;
    if (this.captures.length) this.capture(samples);
    for (const slot of SLOTS) {
      const spotter = this.slots[slot]?.spotter;
      if (!spotter) continue;
      const events = spotter.process(samples);
      for (const event of events) this.opts.post({ type: 'detection', slot, event, chunkEndS, arrivedAtMs, postedAtMs: this.opts.now() });
    }
    const now = this.opts.now();
    if (now - this.lastFrameAt >= this.frameMs) this.flushFrame(now);
  }

  private capture(samples: Float32Array): void {
    for (const c of this.captures) {
      const n = Math.min(samples.length, c.buf.length - c.filled);
      c.buf.set(samples.subarray(0, n), c.filled);
      c.filled += n;
    }
    const done = this.captures.filter((c) => c.filled >= c.buf.length);
    if (!done.length) return;
    this.captures = this.captures.filter((c) => c.filled < c.buf.length);
    for (const c of done) {
      const ev: EngineEvent = c.tap
        ? { type: 'debug-tap', samples: c.buf, sampleRateHz: this.rate }
        : { type: 'recorded', id: c.id, samples: c.buf, sampleRateHz: this.rate };
      this.opts.post(ev, [c.buf.buffer]);
    }
  }

  /** Posts the pending steps, the level and (every powerIntervalMs) the power of each model. */
  flushFrame(now = this.opts.now()): void {
    this.lastFrameAt = now;
    const steps = this.slots.a?.batcher?.take() ?? null;
    const compareSteps = this.slots.b?.batcher?.take() ?? null;
    const confidence: ConfidenceSnapshot[] = [];
    for (const slot of SLOTS) {
      const s = this.slots[slot];
      if (s?.spotter) confidence.push(confidenceSnapshot(slot, s, this.streamTimeS));
    }
    const power: PowerSnapshot[] = [];
    if (now - this.lastPowerAt >= this.powerMs) {
      this.lastPowerAt = now;
      for (const slot of SLOTS) {
        const s = this.slots[slot];
        if (s?.spotter) power.push(powerSnapshot(slot, s.spotter.power(), s.model.checkpoint.filterbank.recordingDurationS));
      }
    }
    const n = this.levelSamples;
    const level = { rmsDb: toDb(n ? Math.sqrt(this.sumSq / n) : 0), peakDb: toDb(this.peak), samples: n };
    this.sumSq = this.peak = this.levelSamples = 0;
    const transfer: Transferable[] = [];
    for (const b of [steps, compareSteps]) if (b) transfer.push(b.spikes.buffer, b.features.buffer);
    this.opts.post(
      { type: 'frame', streamTimeS: this.streamTimeS, sampleRateHz: this.rate, level, steps, compareSteps, power, confidence },
      transfer,
    );
  }
}
