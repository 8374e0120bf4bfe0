/**
 * Live keyword spotting on a stream of PCM chunks of any length and (almost) any rate:
 * audio -> FeatureExtractor (resample to the model rate, filterbank) -> FixedPointNetwork ->
 * StreamingDetector, with a rolling PowerMeter. Synchronous and allocation-free per step (an
 * event allocates its KeywordEvent), so it runs inside an AudioWorklet or a worker as well as in
 * Node. The detector's settings can change while it runs (`setDetectorSettings`).
 */
import { StateError } from '../errors.js';
import { FeatureExtractor } from '../dsp/feature-extractor.js';
import type { AudioChunk } from '../dsp/samples.js';
import { StreamingDetector, type KeywordEvent } from '../detect/keyword-detector.js';
import type { DetectorSettings } from '../model/checkpoint-schema.js';
import { withDetectorSettings } from '../model/detector-overrides.js';
import type { FixedPointNetwork } from '../snn/fixed-point-network.js';
import { PowerMeter, type ChipConsumption } from '../power/chip-power.js';
import type { NwaveModel } from './nwave-model.js';

/** What a view sees after each simulation step. All arrays are live views: copy to keep. */
export interface StepView {
  /** Step index since start/reset. */
  step: number;
  /** Stream time at the end of this step, seconds. */
  timeS: number;
  /** Filterbank features of this step (one per channel). */
  features: Float64Array;
  /** Spikes of each layer this step (0/1). */
  spikes: readonly Uint8Array[];
  /** Number of spikes per layer this step. */
  spikeCounts: Int32Array;
  /** Membrane (after reset) of each layer, integer membrane units. */
  membranes: readonly Int32Array[];
}

export interface SpotterOptions {
  /** Rate of the PCM that will be pushed, Hz (a microphone gives 44100 or 48000). */
  inputSampleRateHz: number;
  /** Rolling power window, seconds. Default 1. */
  powerWindowS?: number;
  /** Called after every step (8 ms of audio by default): feed rasters and meters from here. */
  onStep?: (view: StepView) => void;
  /** Called for each detection, in addition to `process`'s return value. */
  onDetection?: (event: KeywordEvent) => void;
}

export class KeywordSpotter {
  readonly model: NwaveModel;
  readonly inputSampleRateHz: number;
  readonly network: FixedPointNetwork;
  readonly detector: StreamingDetector;
  readonly powerMeter: PowerMeter;
  private readonly extractor: FeatureExtractor;
  private readonly onStep?: (view: StepView) => void;
  private readonly onDetection?: (event: KeywordEvent) => void;
  private pending: KeywordEvent[] = [];
  private released = false;
  private readonly handleFrame: (frame: Float64Array) => void;

  constructor(model: NwaveModel, opts: SpotterOptions) {
    this.model = model;
    this.inputSampleRateHz = opts.inputSampleRateHz;
    this.extractor = new FeatureExtractor({ filterbank: model.filterbank, inputSampleRateHz: opts.inputSampleRateHz });
    this.network = model.createNetwork();
    const ck = model.checkpoint;
    this.detector = new StreamingDetector(ck.labels, ck.backgroundLabels, ck.detector, model.dtS, model.outputPopulation);
    this.powerMeter = new PowerMeter(
      model.powerLayers,
      model.dtS,
      Math.max(1, Math.round((opts.powerWindowS ?? 1) / model.dtS)),
      model.chip,
    );
    this.onStep = opts.onStep;
    this.onDetection = opts.onDetection;
    const channels = this.network.inputSize;
    const net = this.network;
    this.handleFrame = (frame: Float64Array) => {
      let level = 0;
      for (let c = 0; c < channels; c++) level += frame[c];
      const out = net.step(frame);
      this.powerMeter.update(net.spikeCounts);
      const event = this.detector.update(out, level / channels);
      if (this.onStep) {
        const step = this.detector.steps - 1;
        this.onStep({
          step,
          timeS: (step + 1) * model.dtS,
          features: frame,
          spikes: net.spikes,
          spikeCounts: net.spikeCounts,
          membranes: net.membranes,
        });
      }
      if (event) {
        this.pending.push(event);
        this.onDetection?.(event);
      }
    };
  }

  /** Labels of the output neurons. */
  get labels(): readonly string[] {
    return this.model.labels;
  }

  /** Stream time processed so far, seconds (whole steps). */
  get timeS(): number {
    return this.detector.steps * this.model.dtS;
  }

  /**
   * Pushes PCM (Float32/Float64 in [-1, 1) or Int16) of any length.
   * @returns the detections completed inside this chunk (usually none).
   */
  process(chunk: AudioChunk): KeywordEvent[] {
    if (this.released) throw new StateError('KeywordSpotter.process called after release()');
    this.extractor.push(chunk, this.handleFrame);
    if (this.pending.length === 0) return EMPTY;
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /**
   * Changes the detector settings of the running stream between two chunks: the model file's
   * settings with `overrides` merged over them (`withDetectorSettings`; each call starts again from
   * the file's, so `{}` restores them). The filterbank, the network, the power meter, the stream
   * clock and the detector's window carry on: only the decision over the window changes. Also
   * callable from `onStep`, to apply from the next step.
   * @returns the first step decided with the new settings (the number of steps processed so far)
   * @throws InvalidArgumentError naming the field, for a value outside the schema, an unknown label
   *   or a `windowS` other than the file's (the window cannot change on a running spotter); the
   *   settings in effect are then left as they were
   */
  setDetectorSettings(overrides: Partial<DetectorSettings>): number {
    if (this.released) throw new StateError('KeywordSpotter.setDetectorSettings called after release()');
    this.detector.setSettings(withDetectorSettings(this.model.checkpoint, overrides).detector);
    return this.detector.steps;
  }

  /**
   * Ends the stream: the detection of a word still being decided when the input stopped (the
   * detector decides once per word, after it). Call it after the last `process` of a finite input.
   * @returns that detection, or nothing.
   */
  flush(): KeywordEvent[] {
    if (this.released) throw new StateError('KeywordSpotter.flush called after release()');
    const event = this.detector.flush();
    if (!event) return EMPTY;
    this.onDetection?.(event);
    return [event];
  }

  /** Projected chip power over the rolling window (estimate). */
  power(): ChipConsumption {
    return this.powerMeter.current();
  }

  /** Back to t = 0 with empty state; detector settings set by `setDetectorSettings` stay in effect. */
  reset(): void {
    this.extractor.reset();
    this.network.reset();
    this.detector.reset();
    this.powerMeter.reset();
    this.pending = [];
  }

  /** Frees the spotter; later calls throw StateError. */
  release(): void {
    this.released = true;
  }
}

const EMPTY: KeywordEvent[] = [];
