/**
 * Streaming keyword detector: a sliding window of output spike counts (and of the input level
 * for the activity gate), the shared decision rule, and a refractory period. A class that fired
 * is held until its decision lapses (its spikes leave the window), so one spoken word gives one
 * event however long the window keeps seeing it.
 */
import type { DetectorSettings } from '../model/checkpoint-schema.js';
import { decide, makeDecisionContext, type DecisionContext } from './decision.js';

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
  private readonly ctx: DecisionContext;
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
  private readonly refractorySteps: number;

  private readonly population: number;

  /** @param population output neurons per label (summed), default 1. */
  constructor(labels: readonly string[], backgroundLabels: readonly string[], settings: DetectorSettings, dtS: number, population = 1) {
    this.population = population;
    this.ctx = makeDecisionContext(labels, backgroundLabels, settings);
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
    const d = decide(this.ctx, wc, this.levelSum / this.windowSteps);
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
