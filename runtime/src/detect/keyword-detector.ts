/**
 * Streaming keyword detector: a sliding window of output spike counts (and of the input level
 * for the activity and input-contrast gates), the shared decision rule, and an utterance-level event:
 *
 * - an accepted decision at a step where a keyword neuron spiked opens a candidate event; so does
 *   an accepted decision at a later step when at least half of the winning keyword's spikes in the
 *   window lie in its last 60 %: a keyword said right after other speech is often accepted only
 *   once that speech's background spikes have left the window, when its own neurons have already
 *   gone quiet (validation speakers, H1v1 default: 65 -> 70 % of such keywords found, 84 -> 88 %
 *   of keywords alone, false accepts on other speech +2 %). While a candidate is open the label
 *   may change (each accepted decision replaces the candidate's: the latest has heard most of the
 *   word), but nothing is emitted yet;
 * - the candidate closes, and its ONE event is emitted, when the word is over: no keyword output
 *   neuron has spiked for `settleS`; or, at the latest, `windowS` after it opened (the window has
 *   then seen everything the word adds);
 * - after an event, a new candidate needs that word to be over (keyword neurons paused for
 *   `settleS`, at least one step, or nothing accepted for a whole window: a word still in the
 *   window cannot fire twice), keyword spikes heard since then, and the end of the refractory
 *   period (a word spoken wholly inside it is not reported afterwards).
 *
 * So a spoken "no" whose first spikes look like "yes" gives one "no" event, not "yes" then "no".
 * `flush` emits a candidate still open at the end of a stream.
 *
 * The window holds spike counts and input levels only, which do not depend on the settings other
 * than `windowS`: `setSettings` changes the decision of a running detector in place.
 */
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_SETTLE_S, type DetectorSettings } from '../model/checkpoint-schema.js';
import { decideInto, makeDecisionContext, newDecision, type DecisionContext } from './decision.js';

/** A late opening looks at the last 60 % of the window ... */
const LATE_OPEN_RECENT_FRACTION = 0.6;
/** ... and needs at least half of the winning keyword's window count there (old spikes are another word's). */
const LATE_OPEN_MIN_SHARE = 0.5;

export interface KeywordEvent {
  label: string;
  index: number;
  /** Softmax confidence of the window counts at the word's decision (its last accepted one), 0..1. */
  confidence: number;
  /** Stream time of the first spike of the winning class inside the window (at the word's decision), seconds. */
  startTime: number;
  /** Stream time at which the event was emitted (end of the step that closed the word), seconds. */
  endTime: number;
  /** Window spike counts per label at the word's decision. */
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
  // Monotonic deque of the window's steps (a ring of W), levels decreasing from the head: the head is the window peak.
  private readonly peakSteps: Float64Array;
  private readonly peakLevels: Float64Array;
  private peakHead = 0;
  private peakLen = 0;
  private pos = 0;
  private filled = 0;
  private stepIndex = 0;
  private lastEventStep = -Infinity;
  private refractorySteps: number;
  /** The window's most recent steps a late opening looks at. */
  private readonly recentSteps: number;
  private settleSteps: number;
  /** Scratch decision of the per-step path (no allocation per step). */
  private readonly decision = newDecision();
  /** This step's input level, for `advance` (see `update`). */
  private inputLevel = 0;
  private readonly population: number;

  // The candidate event (one spoken word), preallocated: no allocation per step.
  private open = false;
  /** False after an event until that word is over (see the module comment). */
  private armed = true;
  /** Step at which the detector last re-armed (-Infinity: armed from the start). */
  private armedStep = -Infinity;
  private openStep = 0;
  private lastAcceptedStep = -Infinity;
  private lastKeywordSpikeStep = -Infinity;
  private bestIndex = 0;
  private bestConfidence = 0;
  private bestStartStep = 0;
  private readonly bestCounts: Int32Array;

  /** @param population output neurons per label (summed), default 1. */
  constructor(labels: readonly string[], backgroundLabels: readonly string[], settings: DetectorSettings, dtS: number, population = 1) {
    this.population = population;
    this.backgroundLabels = [...backgroundLabels];
    this.ctx = makeDecisionContext(labels, this.backgroundLabels, copySettings(settings));
    this.classes = labels.length;
    this.dtS = dtS;
    this.windowSteps = Math.max(1, Math.round(settings.windowS / dtS));
    this.recentSteps = Math.max(1, Math.round(this.windowSteps * LATE_OPEN_RECENT_FRACTION));
    this.refractorySteps = Math.round(settings.refractoryS / dtS);
    this.settleSteps = settleStepsOf(settings, dtS);
    this.ring = new Uint16Array(this.windowSteps * this.classes);
    this.levels = new Float64Array(this.windowSteps);
    this.peakSteps = new Float64Array(this.windowSteps);
    this.peakLevels = new Float64Array(this.windowSteps);
    this.windowCounts = new Int32Array(this.classes);
    this.bestCounts = new Int32Array(this.classes);
  }

  /** Steps processed since the last reset. */
  get steps(): number {
    return this.stepIndex;
  }

  /** The settings in effect (a copy is taken by the constructor and by `setSettings`). */
  get settings(): Readonly<DetectorSettings> {
    return this.ctx.settings;
  }

  /** The window's counts as the decision reads them: times the `countGains` of a calibrated chip. */
  get calibratedWindowCounts(): number[] {
    const g = this.ctx.gains;
    return Array.from(this.windowCounts, (c, k) => (g ? c * g[k] : c));
  }

  /** True while a candidate event (a word being spoken) is open. */
  get candidateOpen(): boolean {
    return this.open;
  }

  /** True when no word holds the detector: none is open and the last one has lapsed (a new one may open). */
  get idle(): boolean {
    return !this.open && this.armed;
  }

  /**
   * Replaces the decision settings (threshold, labelThresholds, countScale, countGains, minSpikes,
   * minInputLevel, minInputContrast, refractoryS, settleS) from the next step on, keeping the window, the step
   * count, an open candidate event and the last event's step: the window's counts and levels do
   * not depend on them. The refractory period after the last event is measured with the new
   * `refractoryS`.
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
    this.settleSteps = settleStepsOf(settings, this.dtS);
  }

  /** Empties the window and restarts at step 0 (an open candidate is dropped); the settings stay. */
  reset(): void {
    this.ring.fill(0);
    this.levels.fill(0);
    this.windowCounts.fill(0);
    this.levelSum = 0;
    this.peakHead = 0;
    this.peakLen = 0;
    this.pos = 0;
    this.filled = 0;
    this.stepIndex = 0;
    this.lastEventStep = -Infinity;
    this.open = false;
    this.armed = true;
    this.armedStep = -Infinity;
    this.lastKeywordSpikeStep = -Infinity;
    this.lastAcceptedStep = -Infinity;
  }

  /**
   * Feeds one step.
   * @param outputSpikes the output layer's spikes (0/1 per neuron; populations are summed per label).
   * @param inputLevel mean filterbank feature of this step.
   * @returns an event when a word's decision is complete, else null.
   */
  update(outputSpikes: ArrayLike<number>, inputLevel: number): KeywordEvent | null {
    // Small enough for V8 to inline into the caller, so the float level is not boxed (a heap
    // number per step) on its way in; the work is in `advance`, which reads it from a field.
    this.inputLevel = inputLevel;
    return this.advance(outputSpikes);
  }

  /**
   * Ends the stream: emits the candidate event still open, if any (its word was cut off by the
   * end of the input). The detector carries on afterwards as after any event.
   */
  flush(): KeywordEvent | null {
    return this.open ? this.close(this.stepIndex - 1) : null;
  }

  private advance(outputSpikes: ArrayLike<number>): KeywordEvent | null {
    const inputLevel = this.inputLevel;
    const K = this.classes;
    const base = this.pos * K;
    const P = this.population;
    const isBackground = this.ctx.isBackground;
    let keywordSpike = false;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = k * P; j < (k + 1) * P; j++) s += outputSpikes[j] ? 1 : 0;
      if (s > 0 && !isBackground[k]) keywordSpike = true;
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
    {
      // The window peak, kept as a monotonic deque (amortized O(1) per step, measured in bench/
      // against scanning the window on demand: 1.0x vs 4x the detector's time with the gate on).
      const W = this.windowSteps;
      if (this.peakLen > 0 && this.peakSteps[this.peakHead] <= step - W) {
        this.peakHead = this.peakHead + 1 === W ? 0 : this.peakHead + 1;
        this.peakLen--;
      }
      while (this.peakLen > 0) {
        let back = this.peakHead + this.peakLen - 1;
        if (back >= W) back -= W;
        if (this.peakLevels[back] > inputLevel) break;
        this.peakLen--;
      }
      let tail = this.peakHead + this.peakLen;
      if (tail >= W) tail -= W;
      this.peakSteps[tail] = step;
      this.peakLevels[tail] = inputLevel;
      this.peakLen++;
    }
    // Fast path (most steps): a background winner, too few spikes or a quiet window cannot be
    // accepted, so skip the softmax.
    const wc = this.windowCounts;
    // A calibrated chip's counts are wc x gains (decideInto applies the same gains). Two loops,
    // no closure: this runs every step.
    const gains = this.ctx.gains;
    let win = 0;
    let winCount = wc[0];
    if (gains) {
      winCount *= gains[0];
      for (let k = 1; k < K; k++) {
        const c = wc[k] * gains[k];
        if (c > winCount) {
          win = k;
          winCount = c;
        }
      }
    } else {
      for (let k = 1; k < K; k++)
        if (wc[k] > winCount) {
          win = k;
          winCount = wc[k];
        }
    }
    let accepted = false;
    const d = this.decision;
    const level = this.levelSum / this.windowSteps;
    const settings = this.ctx.settings;
    // Written as the rejections of decideInto (a NaN level is not rejected there either).
    const rejected = isBackground[win] || winCount < settings.minSpikes || level < settings.minInputLevel;
    if (!rejected) {
      // The window's peak matters only to the input-contrast gate.
      const peak = (settings.minInputContrast ?? 0) > 0 ? this.windowPeak() : level;
      accepted = decideInto(this.ctx, wc, level, peak, d).accepted;
    }

    if (keywordSpike) this.lastKeywordSpikeStep = step;
    if (accepted) this.lastAcceptedStep = step;
    if (this.open) {
      if (accepted) this.keepBest(step);
    } else {
      // Re-armed once the last word is over: its keyword neurons paused for settleS (at least one
      // step), or nothing was accepted for a whole window, so a word cannot fire twice.
      if (
        !this.armed &&
        (step - this.lastKeywordSpikeStep >= Math.max(1, this.settleSteps) || step - this.lastAcceptedStep >= this.windowSteps)
      ) {
        this.armed = true;
        this.armedStep = step;
      }
      // A new word opens on fresh evidence: an accepted decision at a step where a keyword neuron
      // spiked, or one whose keyword's spikes are mostly recent (see the module comment).
      if (!accepted || !this.armed || step - this.lastEventStep <= this.refractorySteps) return null;
      // A late opening also needs keyword spikes heard since the detector re-armed and since the
      // refractory period ended: neither the rest of a word already reported (a long one, closed
      // after a window) nor a word spoken during the refractory period may open it.
      const since = Math.max(this.armedStep, this.lastEventStep + this.refractorySteps);
      if (!keywordSpike && (this.lastKeywordSpikeStep <= since || this.recentShare(d.index) < LATE_OPEN_MIN_SHARE)) return null;
      this.open = true;
      this.armed = false;
      this.openStep = step;
      this.keepBest(step);
    }
    // The word is over: its keyword neurons paused for settleS, or the window is full of it. (A
    // dip of the decision inside a word, e.g. while "yes"-like onsets give way to "no", does not end it.)
    if (step - this.lastKeywordSpikeStep >= this.settleSteps || step - this.openStep + 1 >= this.windowSteps) return this.close(step);
    return null;
  }

  /** Share of class k's window count that lies in the window's most recent steps (0 without any). */
  private recentShare(k: number): number {
    const total = this.windowCounts[k];
    if (total <= 0) return 0;
    const K = this.classes;
    const W = this.windowSteps;
    const n = Math.min(this.recentSteps, this.filled);
    let recent = 0;
    for (let i = 1, slot = this.pos; i <= n; i++) {
      slot = slot === 0 ? W - 1 : slot - 1;
      recent += this.ring[slot * K + k];
    }
    return recent / total;
  }

  /** Largest step level in the window, for the input-contrast gate. */
  private windowPeak(): number {
    const peak = this.peakLevels[this.peakHead];
    // Until the window is full, the contrast is that of the steps heard so far: the start of a
    // stream is not silence, so steady noise from the first step must not look like an onset. The
    // peak is scaled instead of the mean, which the activity gate reads as it always has
    // (peak x filled / W < c x sum / W  <=>  peak < c x sum / filled).
    return this.filled < this.windowSteps ? (peak * this.filled) / this.windowSteps : peak;
  }

  /** Makes the current (accepted) decision the candidate's. */
  private keepBest(step: number): void {
    const d = this.decision;
    this.bestIndex = d.index;
    this.bestConfidence = d.confidence;
    this.bestCounts.set(this.windowCounts);
    this.bestStartStep = this.firstSpikeStep(d.index, step);
  }

  /** Emits the open candidate's event at `step` and starts the refractory period. */
  private close(step: number): KeywordEvent {
    this.open = false;
    this.armed = false;
    this.lastEventStep = step;
    const index = this.bestIndex;
    const confidence = this.bestConfidence;
    this.bestConfidence = 0;
    return {
      label: this.ctx.labels[index],
      index,
      confidence,
      startTime: this.bestStartStep * this.dtS,
      endTime: (step + 1) * this.dtS,
      spikeCounts: Array.from(this.bestCounts),
    };
  }

  /** Absolute step of the oldest spike of class k still inside the window (the current step's if none). */
  private firstSpikeStep(k: number, step: number): number {
    const K = this.classes;
    const W = this.windowSteps;
    const oldest = this.filled < W ? 0 : this.pos; // ring slot of the oldest step
    for (let i = 0; i < this.filled; i++) {
      const slot = (oldest + i) % W;
      if (this.ring[slot * K + k]) return this.stepIndex - this.filled + i;
    }
    return step;
  }
}

function settleStepsOf(settings: DetectorSettings, dtS: number): number {
  return Math.round((settings.settleS ?? DEFAULT_SETTLE_S) / dtS);
}

/** A copy the caller cannot change under the detector (its per-label thresholds are precomputed). */
function copySettings(settings: DetectorSettings): DetectorSettings {
  const copy = { ...settings };
  if (settings.labelThresholds) copy.labelThresholds = { ...settings.labelThresholds };
  if (settings.countGains) copy.countGains = { ...settings.countGains };
  return copy;
}
