/**
 * Parity check: the same clips through the `js` backend (the hand-written runtime) and the `onnx`
 * backend, compared on everything a user sees: per-class output spike counts, per-layer spike
 * totals, and the decision (label, accepted, reason). Used by the tests and `export-onnx --verify`.
 */
import { classifyClips, jsBackend, type ClipResult, type FeatureClip, type NwaveModel } from '@nwave/runtime';
import { onnxBackend } from './ort-backend.js';

/** What is compared for one clip. */
export interface ClipOutcome {
  spikeCounts: number[];
  layerSpikes: number[];
  label: string;
  accepted: boolean;
  rejectedBy?: string;
}

export interface ParityReport {
  clips: number;
  /** True when every clip's outcome is identical on both backends. */
  identical: boolean;
  /** Outcomes per clip, js then onnx. */
  js: ClipOutcome[];
  onnx: ClipOutcome[];
  /** Indices of the clips that differ. */
  mismatches: number[];
}

function outcome(r: ClipResult): ClipOutcome {
  return {
    spikeCounts: r.spikeCounts,
    layerSpikes: r.layerSpikes.map((l) => l.spikes),
    label: r.label,
    accepted: r.accepted,
    ...(r.rejectedBy ? { rejectedBy: r.rejectedBy } : {}),
  };
}

/**
 * Runs `clips` (equal-length feature matrices, e.g. from `model.features`) on both backends.
 * @param modelBytes an `.onnx` export to check (default: export `model` in memory).
 */
export async function checkParity(model: NwaveModel, clips: readonly FeatureClip[], modelBytes?: Uint8Array): Promise<ParityReport> {
  await onnxBackend.init();
  const js = await jsBackend.createSession(model);
  const onnx = await onnxBackend.createSession(model, modelBytes ? { modelBytes } : {});
  try {
    const a = (await classifyClips(js, model, clips)).map(outcome);
    const b = (await classifyClips(onnx, model, clips)).map(outcome);
    const mismatches = a.flatMap((x, i) => (JSON.stringify(x) === JSON.stringify(b[i]) ? [] : [i]));
    return { clips: clips.length, identical: mismatches.length === 0, js: a, onnx: b, mismatches };
  } finally {
    await js.dispose();
    await onnx.dispose();
  }
}
