/**
 * Streaming keyword detector: a sliding window of output spike counts (and of the input level
 * for the activity gate), the shared decision rule, and a refractory period. A class that fired
 * is held until its decision lapses (its spikes leave the window), so one spoken word gives one
 * event however long the window keeps seeing it.
 *
 * The window holds spike counts and input levels only, which do not depend on the settings other
 * than `windowS`: `setSettings` changes the decision of a running detector in place.
 */
import { InvalidArgumentError } from '../errors.js';
import type { DetectorSettings } from '../model/checkpoint-schema.js';
import { decideInto, makeDecisionContext, newDecision, type DecisionContext } from './decision.js';

export interface KeywordEvent {
  label: string;
  index: number;
  /** Softmax confidence of the window counts, 0..1. */
  confidence: number;
  /** Stream time of the first spike of the winning class inside the window, seconds. */
  startTime: number;
  /** Stream time at which the detection fired (end of the current step), seconds. */
  endTime: number;
  /** Window spike counts per output neuron. */
  spikeCounts: number[];
}

export class StreamingDetector {
  readonly windowSteps: number;
  readonly dtS: number;
  /** Spike counts of each output neuron inside the window (live view). */
  readonly windowCounts: Int32Array;
  /** Decision settings in effect (replaced by `setSettings`). */
  private ctx: DecisionContext;
  private readonly backgroundLabels: readonly string[];
  private readonly classes: number;
  private readonly ring: Uint16Array;
  private readonly levels: Float64Array;
  private levelSum = 0;
  private pos = 0;
  private filled = 0;
  private stepIndex = 0;
  private lastEventStep = -Infinity;
  /** Class that fired last; it must leave the window before it can fire again (one event per word). */
  private heldIndex = -1;
  private refractorySteps: number;
  /** Scratch decision of the per-step path (no allocation per step). */
  private readonly decision = newDecision();
  /** This step's input level, for `advance` (see `update`). */
  private inputLevel = 0;

  private readonly population: number;

  /** @param population output neurons per label (summed), default 1. */
  constructor(labels: readonly string[], backgroundLabels: readonly string[], settings: DetectorSettings, dtS: number, population = 1) {
    this.population = population;
    this.backgroundLabels = [...backgroundLabels];
    this.ctx = makeDecisionContext(labels, this.backgroundLabels, copySettings(settings));
    this.classes = labels.length;
    this.dtS = dtS;
    this.windowSteps = Math.max(1, Math.round(settings.windowS / dtS));
    this.refractorySteps = Math.round(settings.refractoryS / dtS);
    this.ring = new Uint16Array(this.windowSteps * this.classes);
    this.levels = new Float64Array(this.windowSteps);
    this.windowCounts = new Int32Array(this.classes);
  }

  /** Steps processed since the last reset. */
  get steps(): number {
    return this.stepIndex;
  }

  /** The settings in effect (a copy is taken by the constructor and by `setSettings`). */
  get settings(): Readonly<DetectorSettings> {
    return this.ctx.settings;
  }

  /**
   * Replaces the decision settings (threshold, labelThresholds, countScale, minSpikes,
   * minInputLevel, refractoryS) from the next step on, keeping the window, the step count, the
   * held class and the last event's step: the window's counts and levels do not depend on them.
   * A class held under the old settings stays held until its decision lapses under the new ones;
   * the refractory period after the last event is measured with the new `refractoryS`.
   * Not schema-checked here: KeywordSpotter.setDetectorSettings validates through
   * withDetectorSettings.
   * @throws InvalidArgumentError when `settings.windowS` differs (the window's ring is sized by it:
   *   use a new detector or KeywordSpotter for another window)
   */
  setSettings(settings: DetectorSettings): void {
    const windowS = this.ctx.settings.windowS;
    if (settings.windowS !== windowS)
      throw new InvalidArgumentError(
        `detector windowS: cannot change on a running detector (${windowS} s -> ${settings.windowS} s; its window is sized by it): use a new KeywordSpotter for another window`,
        { field: 'windowS', value: settings.windowS, expected: windowS },
      );
    this.ctx = makeDecisionContext(this.ctx.labels, this.backgroundLabels, copySettings(settings));
    this.refractorySteps = Math.round(settings.refractoryS / this.dtS);
  }

  /** Empties the window and restarts at step 0; the settings stay. */
  reset(): void {
    this.ring.fill(0);
    this.levels.fill(0);
    this.windowCounts.fill(0);
    this.levelSum = 0;
    this.pos = 0;
    this.filled = 0;
    this.stepIndex = 0;
    this.lastEventStep = -Infinity;
    this.heldIndex = -1;
  }

  /**
   * Feeds one step.
   * @param outputSpikes the output layer's spikes (0/1 per neuron; populations are summed per label).
   * @param inputLevel mean filterbank feature of this step.
   * @returns an event when a keyword is detected, else null.
   */
  update(outputSpikes: ArrayLike<number>, inputLevel: number): KeywordEvent | null {
    // Small enough for V8 to inline into the caller, so the float level is not boxed (a heap
    // number per step) on its way in; the work is in `advance`, which reads it from a field.
    this.inputLevel = inputLevel;
    return this.advance(outputSpikes);
  }

  private advance(outputSpikes: ArrayLike<number>): KeywordEvent | null {
    const inputLevel = this.inputLevel;
    const K = this.classes;
    const base = this.pos * K;
    const P = this.population;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = k * P; j < (k + 1) * P; j++) s += outputSpikes[j] ? 1 : 0;
      this.windowCounts[k] += s - this.ring[base + k];
      this.ring[base + k] = s;
    }
    this.levelSum += inputLevel - this.levels[this.pos];
    this.levels[this.pos] = inputLevel;
    this.pos++;
    if (this.pos === this.windowSteps) {
      this.pos = 0;
      // Recompute exactly once per window so float drift cannot build up over hours.
      let s = 0;
      for (let i = 0; i < this.windowSteps; i++) s += this.levels[i];
      this.levelSum = s;
    }
    if (this.filled < this.windowSteps) this.filled++;
    const step = this.stepIndex++;
    // Fast path (most steps): a background winner, too few spikes or a quiet window cannot be
    // accepted, so skip the softmax and the Decision object.
    const wc = this.windowCounts;
    let win = 0;
    for (let k = 1; k < K; k++) if (wc[k] > wc[win]) win = k;
    if (
      this.ctx.isBackground[win] ||
      wc[win] < this.ctx.settings.minSpikes ||
      this.levelSum / this.windowSteps < this.ctx.settings.minInputLevel
    ) {
      this.heldIndex = -1;
      return null;
    }
    const d = decideInto(this.ctx, wc, this.levelSum / this.windowSteps, this.decision);
    if (!d.accepted || d.index !== this.heldIndex) this.heldIndex = -1; // re-arm once the word has left the window
    if (!d.accepted || d.index === this.heldIndex) return null;
    if (step - this.lastEventStep <= this.refractorySteps) return null;
    this.lastEventStep = step;
    this.heldIndex = d.index;
    return {
      label: d.label,
      index: d.index,
      confidence: d.confidence,
      startTime: this.firstSpikeStep(d.index) * this.dtS,
      endTime: (step + 1) * this.dtS,
      spikeCounts: Array.from(this.windowCounts),
    };
  }

  /** Absolute step of the oldest spike of class k still inside the window. */
  private firstSpikeStep(k: number): number {
    const K = this.classes;
    const W = this.windowSteps;
    const oldest = this.filled < W ? 0 : this.pos; // ring slot of the oldest step
    for (let i = 0; i < this.filled; i++) {
      const slot = (oldest + i) % W;
      if (this.ring[slot * K + k]) return this.stepIndex - this.filled + i;
    }
    return this.stepIndex - 1;
  }
}

/** A copy the caller cannot change under the detector (its per-label thresholds are precomputed). */
function copySettings(settings: DetectorSettings): DetectorSettings {
  const copy = { ...settings };
  if (settings.labelThresholds) copy.labelThresholds = { ...settings.labelThresholds };
  return copy;
}
