/**
 * After-word activity: does the network go quiet once a word is over? The streaming detector ends
 * a word when no keyword output neuron has spiked for `settleS`; a model whose keyword neurons
 * keep firing in the silence after a word only ends it a whole window later, so its streaming
 * detections come late (missed, plus a false accept) although its whole-clip accuracy is fine.
 */
import { DEFAULT_SETTLE_S, type NwaveModel } from '@nwave/runtime';

/** Default silence appended after each clip, seconds. */
export const AFTER_WORD_TAIL_S = 0.5;

/** Share of words above which streaming detections are expected to come late (trainer warning). */
export const AFTER_WORD_WARN_SHARE = 0.2;

export interface AfterWordActivity {
  /** Clips measured. */
  clips: number;
  /** Silence after each clip, seconds. */
  tailS: number;
  /** Pause that ends a word (the detector's `settleS`, at least one step), seconds. */
  settleS: number;
  /** Share of clips whose keyword output neurons never pause for `settleS` in the tail (0 without clips). */
  noPauseShare: number;
  /** Mean output-layer spikes per step over the tail. */
  outputSpikesPerStep: number;
  /** Mean hidden-layer spikes per step over the tail (all layers between frontend and output). */
  hiddenSpikesPerStep: number;
}

/**
 * Runs each (keyword) clip from rest through the runtime's fixed-point network, followed by
 * `tailS` of zero features (silence: the frontend gets no input current), and measures the
 * activity in that silence.
 */
export function afterWordActivity(
  model: NwaveModel,
  clips: readonly { features: ArrayLike<number>; frames: number }[],
  opts: { tailS?: number } = {},
): AfterWordActivity {
  const tailS = opts.tailS ?? AFTER_WORD_TAIL_S;
  const dtS = model.dtS;
  const tailSteps = Math.max(1, Math.round(tailS / dtS));
  const settleSteps = Math.max(1, Math.round((model.checkpoint.detector.settleS ?? DEFAULT_SETTLE_S) / dtS));
  const net = model.createNetwork();
  const C = net.inputSize;
  const last = net.model.layers.length - 1;
  // Output neuron j belongs to label floor(j / population); background labels' neurons do not hold a word open.
  const P = model.outputPopulation;
  const background = new Set(model.checkpoint.backgroundLabels);
  const keywordNeuron = Uint8Array.from({ length: net.model.layers[last].size }, (_, j) =>
    background.has(model.labels[Math.floor(j / P)]) ? 0 : 1,
  );
  const frame = new Float64Array(C);
  const silence = new Float64Array(C);
  let noPause = 0;
  let outSpikes = 0;
  let hiddenSpikes = 0;
  for (const clip of clips) {
    net.reset();
    for (let t = 0; t < clip.frames; t++) {
      for (let c = 0; c < C; c++) frame[c] = clip.features[t * C + c];
      net.step(frame);
    }
    let quiet = 0;
    let paused = false;
    for (let t = 0; t < tailSteps; t++) {
      net.step(silence);
      const n = net.spikeCounts[last];
      outSpikes += n;
      for (let li = 1; li < last; li++) hiddenSpikes += net.spikeCounts[li];
      let keyword = false;
      const act = net.active[last];
      for (let k = 0; k < n && !keyword; k++) keyword = keywordNeuron[act[k]] === 1;
      quiet = keyword ? 0 : quiet + 1;
      if (quiet >= settleSteps) paused = true;
    }
    if (!paused) noPause++;
  }
  const steps = clips.length * tailSteps;
  return {
    clips: clips.length,
    tailS: tailSteps * dtS,
    settleS: settleSteps * dtS,
    noPauseShare: clips.length ? noPause / clips.length : 0,
    outputSpikesPerStep: steps ? outSpikes / steps : 0,
    hiddenSpikesPerStep: steps ? hiddenSpikes / steps : 0,
  };
}

/** One line for logs and reports, e.g. "keyword neurons never pause in 12 % of 50 words (…)". */
export function describeAfterWordActivity(a: AfterWordActivity): string {
  return (
    `keyword neurons never pause for ${fmtS(a.settleS)} in ${(a.noPauseShare * 100).toFixed(0)} % of ${a.clips} keyword clips ` +
    `(output ${a.outputSpikesPerStep.toFixed(2)}, hidden ${a.hiddenSpikesPerStep.toFixed(2)} spikes/step in the ${fmtS(a.tailS)} of silence after them)`
  );
}

/** The warning for a share above {@link AFTER_WORD_WARN_SHARE} (null below it): the trainer and `nwave eval` print it. */
export function afterWordWarning(a: AfterWordActivity): string | null {
  return a.noPauseShare > AFTER_WORD_WARN_SHARE ? AFTER_WORD_WARNING : null;
}

/** Why a high share matters, for warnings. */
export const AFTER_WORD_WARNING =
  'the model keeps firing after words end, so streaming detections will come late or be missed (the detector waits for a pause); retraining with the after-word quiet term (--tail-silence 0.5 --lam-tail 1) fixes it, as may another seed (see README)';

function fmtS(s: number): string {
  return `${+s.toFixed(2)} s`;
}
