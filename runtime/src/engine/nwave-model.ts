/**
 * A loaded checkpoint, ready to run: integer tables, chip profile, decision rule. Whole-clip
 * classification lives here; live streaming is `KeywordSpotter` (created from a model).
 */
import type { Checkpoint } from '../model/checkpoint-schema.js';
import { parseCheckpoint } from '../model/checkpoint.js';
import { getChipProfile, type ChipProfile } from '../model/chip-profile.js';
import { checkConstraints, type ConstraintReport } from '../model/constraints.js';
import { describeLayers } from '../model/layer-summary.js';
import { compileFixedPoint, type FixedPointModel } from '../snn/fixed-point-format.js';
import { FixedPointNetwork } from '../snn/fixed-point-network.js';
import { runClip } from '../snn/run-clip.js';
import { clipInputLevels, decide, makeDecisionContext, populationCounts, type Decision, type DecisionContext } from '../detect/decision.js';
import { getChipConsumption, type ChipConsumption } from '../power/chip-power.js';
import { computeFeatures, type FilterbankConfig } from '../dsp/filterbank.js';
import { resample } from '../dsp/resample.js';
import type { AudioChunk } from '../dsp/samples.js';

export interface ClipResult extends Decision {
  /** Output spike count per class (summed over each label's population). */
  spikeCounts: number[];
  /** Total spikes per layer over the clip. */
  layerSpikes: { name: string; neurons: number; spikes: number }[];
  /** Mean filterbank feature over the clip (activity gate input). */
  meanInputLevel: number;
  /** Largest step level over the clip (a step's mean filterbank feature; input-contrast gate input). */
  peakInputLevel: number;
  /** Projected chip power for this clip (estimate). */
  power: ChipConsumption;
  /** Per-layer rasters [T][N] when requested. */
  rasters?: Uint8Array[];
  steps: number;
}

export class NwaveModel {
  readonly checkpoint: Checkpoint;
  readonly fixedPoint: FixedPointModel;
  readonly chip: ChipProfile;
  readonly decision: DecisionContext;
  readonly filterbank: Required<FilterbankConfig>;
  private clipNet?: FixedPointNetwork;

  /**
   * @param fixedPoint integer tables to run instead of the checkpoint's own, e.g. one simulated
   *   chip from `sampleChipInstance` (same layer shapes as the checkpoint).
   */
  constructor(checkpoint: Checkpoint, source = '<checkpoint>', fixedPoint?: FixedPointModel) {
    this.checkpoint = checkpoint;
    this.chip = getChipProfile(checkpoint.chipProfile, source);
    this.fixedPoint = fixedPoint ?? compileFixedPoint(checkpoint, this.chip);
    this.decision = makeDecisionContext(checkpoint.labels, checkpoint.backgroundLabels, checkpoint.detector);
    const fb = checkpoint.filterbank;
    this.filterbank = { sampleRateHz: fb.sampleRateHz, centerFrequenciesHz: fb.centerFrequenciesHz, q: fb.q, binS: fb.binS, gain: fb.gain };
  }

  /** Parses and compiles checkpoint JSON text (or a parsed object). */
  static fromJSON(input: string | unknown, source?: string): NwaveModel {
    return new NwaveModel(parseCheckpoint(input, source), source);
  }

  get labels(): readonly string[] {
    return this.checkpoint.labels;
  }

  /** Output neurons per label (1 unless the checkpoint uses a population readout). */
  get outputPopulation(): number {
    return this.checkpoint.network.outputPopulation ?? 1;
  }

  get dtS(): number {
    return this.checkpoint.filterbank.binS;
  }

  /** Core + frontend layer descriptions for power figures. */
  get powerLayers(): { name: string; neurons: number; frontend: boolean }[] {
    return this.fixedPoint.layers.map((l) => ({ name: l.name, neurons: l.size, frontend: l.type === 'frontend' }));
  }

  /** Trainable parameter count (one weight per frontend channel + dense matrices), as the SDK counts. */
  get parameterCount(): number {
    return describeLayers(this.checkpoint).reduce((a, l) => a + l.parameters, 0);
  }

  /** Constraint report against the checkpoint's chip profile. */
  constraints(): ConstraintReport {
    return checkConstraints(this.checkpoint, this.chip);
  }

  /** A fresh network simulator (own state), e.g. for a stream. */
  createNetwork(): FixedPointNetwork {
    return new FixedPointNetwork(this.fixedPoint);
  }

  /** Resamples to the model rate and pads (end) or trims (keeps the start) to the training clip length. */
  prepareClip(samples: AudioChunk, sampleRateHz: number): Float64Array {
    const rate = this.filterbank.sampleRateHz;
    const audio = resample(samples, sampleRateHz, rate);
    const n = Math.round(this.checkpoint.filterbank.recordingDurationS * rate);
    const out = new Float64Array(n);
    out.set(audio.length > n ? audio.subarray(0, n) : audio);
    return out;
  }

  /** Filterbank features of a prepared clip, row-major [T][C]. */
  features(samples: AudioChunk, sampleRateHz: number): { data: Float32Array; frames: number; channels: number } {
    return computeFeatures(this.prepareClip(samples, sampleRateHz), this.filterbank);
  }

  /**
   * Whole-clip classification as the tutorial's `accuracy`: reset, run the clip, arg-max of the
   * output spike counts, then the detector's rejection rule (background class, gates, threshold).
   */
  classify(samples: AudioChunk, sampleRateHz: number, opts: { record?: boolean } = {}): ClipResult {
    const f = this.features(samples, sampleRateHz);
    return this.classifyFeatures(f.data, f.frames, opts);
  }

  /** Same as `classify`, on precomputed features [T][C]. */
  classifyFeatures(features: ArrayLike<number>, steps: number, opts: { record?: boolean } = {}): ClipResult {
    this.clipNet ??= this.createNetwork();
    const run = runClip(this.clipNet, features, steps, opts.record ?? false);
    const { mean: meanInputLevel, peak: peakInputLevel } = clipInputLevels(features, steps, this.clipNet.inputSize);
    const out = populationCounts(run.counts[run.counts.length - 1], this.outputPopulation, new Int32Array(this.labels.length));
    const d = decide(this.decision, out, meanInputLevel, peakInputLevel);
    const layerSpikes = this.fixedPoint.layers.map((l, i) => ({ name: l.name, neurons: l.size, spikes: run.totals[i] }));
    const power = getChipConsumption(
      layerSpikes.map((l, i) => ({ ...l, frontend: this.fixedPoint.layers[i].type === 'frontend' })),
      steps * this.dtS,
      this.chip,
    );
    return {
      ...d,
      spikeCounts: Array.from(out),
      layerSpikes,
      meanInputLevel,
      peakInputLevel,
      power,
      steps,
      ...(run.rasters ? { rasters: run.rasters } : {}),
    };
  }
}
