/**
 * Work a checkpoint implies, bounded before anything runs: a valid-looking file with a one-hour
 * clip, a microsecond bin or thousands of neurons per layer would make `info` or `classify`
 * run for minutes and allocate gigabytes. Checked by `parseCheckpoint` after the schema.
 */
import type { Checkpoint } from './checkpoint-schema.js';

/** Longest whole clip, seconds (keyword spotting clips are ~1 s; long audio is streamed). */
export const MAX_CLIP_S = 60;
/** Most simulation steps in one whole clip (60 s at a 1 ms bin). */
export const MAX_CLIP_STEPS = 60_000;
/** Most synapse updates in one whole-clip inference (steps × synapses; ~1e6 for the default model). */
export const MAX_CLIP_SYNAPSE_STEPS = 1e10;

/** The first limit `ck` exceeds, as `{ field, problem }`, or undefined. */
export function clipWorkProblem(ck: Checkpoint): { field: string; problem: string } | undefined {
  const fb = ck.filterbank;
  if (fb.recordingDurationS > MAX_CLIP_S)
    return {
      field: 'filterbank.recordingDurationS',
      problem: `clip length ${fb.recordingDurationS} s is longer than ${MAX_CLIP_S} s (long audio is streamed, not classified whole)`,
    };
  const steps = Math.round(fb.recordingDurationS / fb.binS);
  if (steps > MAX_CLIP_STEPS)
    return {
      field: 'filterbank.binS',
      problem: `${steps} steps per clip (${fb.recordingDurationS} s / ${fb.binS} s) is more than ${MAX_CLIP_STEPS}`,
    };
  const synapses = ck.network.layers.reduce(
    (s, l) => s + l.weights.codes.length + (l.type === 'dense' ? (l.recurrentWeights?.codes.length ?? 0) : 0),
    0,
  );
  if (steps * synapses > MAX_CLIP_SYNAPSE_STEPS)
    return {
      field: 'network.layers',
      problem: `${steps} steps x ${synapses} synapses per clip is more than ${MAX_CLIP_SYNAPSE_STEPS.toExponential(0)} updates`,
    };
  return undefined;
}
