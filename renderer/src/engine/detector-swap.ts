/**
 * Changing a running KeywordSpotter's detector settings (threshold and the other deployment-time
 * settings of `withDetectorSettings`) without rebuilding the spotter: the filterbank and the
 * network keep their state, so the stream clock, the rasters and the power meter carry on, and
 * only the detector (a sliding window over the output spikes) is replaced.
 *
 * This relies on KeywordSpotter reading `this.detector` at every step (it does: see
 * runtime/src/engine/keyword-spotter.ts); the e2e test `live-threshold` checks the result against
 * the runtime offline. A `KeywordSpotter.setDetectorSettings()` in the runtime would replace it.
 */
import { StreamingDetector, type DetectorSettings, type KeywordEvent, type KeywordSpotter } from '@nwave/runtime';

/**
 * A StreamingDetector that starts `stepOffset` steps into the stream: its window, hold and
 * refractory state start empty, while its step count and event times continue the stream's.
 */
export class ContinuedDetector extends StreamingDetector {
  constructor(
    labels: readonly string[],
    backgroundLabels: readonly string[],
    readonly settings: DetectorSettings,
    dtS: number,
    population: number,
    private stepOffset: number,
  ) {
    super(labels, backgroundLabels, settings, dtS, population);
  }

  override get steps(): number {
    return super.steps + this.stepOffset;
  }

  /** A new stream starts at step 0. */
  override reset(): void {
    super.reset();
    this.stepOffset = 0;
  }

  override update(outputSpikes: ArrayLike<number>, inputLevel: number): KeywordEvent | null {
    const event = super.update(outputSpikes, inputLevel);
    if (event && this.stepOffset) {
      // Times are whole steps: shift in steps, so they equal an unswapped detector's to the bit.
      event.startTime = (Math.round(event.startTime / this.dtS) + this.stepOffset) * this.dtS;
      event.endTime = (Math.round(event.endTime / this.dtS) + this.stepOffset) * this.dtS;
    }
    return event;
  }
}

/**
 * Gives `spotter` a fresh detector with `settings` from its next step on (at once, between two
 * chunks). The new detector's window starts empty, so a word in progress is judged on the part
 * heard after the change.
 * @returns the step from which the new settings apply
 */
export function replaceDetector(spotter: KeywordSpotter, settings: DetectorSettings): number {
  const model = spotter.model;
  const ck = model.checkpoint;
  const fromStep = spotter.detector.steps;
  const next = new ContinuedDetector(ck.labels, ck.backgroundLabels, settings, model.dtS, model.outputPopulation, fromStep);
  (spotter as { detector: StreamingDetector }).detector = next;
  return fromStep;
}
