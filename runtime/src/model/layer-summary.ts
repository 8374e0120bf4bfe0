/**
 * One summary per layer of a checkpoint: the figures `nwave info` prints and the ONNX exporter
 * writes into its metadata, computed in one place. Formatting is left to the callers.
 */
import type { Checkpoint } from './checkpoint-schema.js';

export interface LayerSummary {
  name: string;
  type: 'frontend' | 'dense';
  /** Inputs to the layer: its own size for the frontend (one filterbank channel per neuron), `inputs` for a dense layer. */
  inputs: number;
  /** Neurons. */
  size: number;
  /** Weight quantization bits. */
  bits: number;
  /** Weight grid half-range. */
  wMax: number;
  /**
   * Trainable weights: one per frontend neuron, inputs x size for a dense layer, plus size x size
   * recurrent weights for a recurrent layer (the codes' lengths).
   */
  parameters: number;
  /** True when the layer has in-core recurrent weights. */
  recurrent: boolean;
  /** Recurrent weights (size x size; 0 for a feed-forward layer), included in `parameters`. */
  recurrentParameters: number;
  /** Membrane time constant(s) in seconds, as in the checkpoint: one number or one per neuron. */
  tausS: number | number[];
  /** Smallest and largest time constant in seconds (equal for a single τ). */
  tauMinS: number;
  tauMaxS: number;
}

/** Summarises every layer of a (validated) checkpoint, in network order. */
export function describeLayers(checkpoint: Checkpoint): LayerSummary[] {
  return checkpoint.network.layers.map((l) => {
    const rec = l.type === 'dense' ? (l.recurrentWeights?.codes.length ?? 0) : 0;
    const t = l.neuron.tausS;
    let tauMinS = Infinity;
    let tauMaxS = -Infinity;
    for (const x of Array.isArray(t) ? t : [t]) {
      tauMinS = Math.min(tauMinS, x);
      tauMaxS = Math.max(tauMaxS, x);
    }
    return {
      name: l.name,
      type: l.type,
      inputs: l.type === 'dense' ? l.inputs : l.size,
      size: l.size,
      bits: l.weights.bits,
      wMax: l.weights.wMax,
      parameters: l.weights.codes.length + rec,
      recurrent: l.type === 'dense' && l.recurrentWeights !== undefined,
      recurrentParameters: rec,
      tausS: Array.isArray(t) ? [...t] : t,
      tauMinS,
      tauMaxS,
    };
  });
}
