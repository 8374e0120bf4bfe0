/**
 * Mismatch-robust training after Büchel et al. 2022, "Network insensitivity to parameter noise
 * via adversarial regularization" (Rockpool's `training.adversarial_jax`). Besides the task loss
 * of the nominal network, the loss asks that one simulated chip gives the same detector output:
 *
 *   L = task(nominal) + λ · KL(softmax(nominal windows) ‖ softmax(chip windows))
 *
 * The chip: every core synapse (recurrent ones included, not the frontend: as the runtime's
 * `sampleChipInstance`) deviates by Δ = σ·ε, then `attackSteps` sign-gradient ascent steps of
 * a·σ/steps each move Δ towards the chip whose detector disagrees most with the nominal one (so Δ
 * stays within a·σ of the random draw; a = `attackSize`, 1 in the paper). The windows are the detector's: class spike counts in every
 * window times countScale, so the term matches the confidence the detector thresholds. Plain
 * noise injection trains the mean chip; this term penalises how far a chip's decisions move.
 */
import * as tf from '@tensorflow/tfjs';
import { prepare_net, type HWNetwork, type Rng, type ScanImpl } from '../layers/index.js';
import { windowCounts, type DetectorLossOptions } from '../losses/detector-loss.js';

/** Settings of the robustness term. */
export interface MismatchRobustness {
  /** λ, weight of the KL term. */
  weight: number;
  /** σ of the simulated chip's synaptic deviation, weight units. */
  sigma: number;
  /** Sign-gradient ascent steps on Δ (0: the random draw alone). */
  attackSteps: number;
  /** How far the ascent may move each weight in all, as a fraction of σ. @defaultValue 1 */
  attackSize?: number;
}

/** The detector's window settings the term reads. */
export type WindowOptions = Pick<DetectorLossOptions, 'windowSteps' | 'strideSteps' | 'population'>;

/**
 * Log-softmax of the detector's window logits.
 * @param spikes - output spikes `[B, T, K·P]`
 * @param countScale - the detector's softmax temperature
 * @returns `[B, nW, K]`
 */
export function windowLogProbs(spikes: tf.Tensor3D, det: WindowOptions, countScale: number): tf.Tensor3D {
  return tf.tidy(() =>
    tf.logSoftmax(tf.mul(windowCounts(spikes, det.windowSteps, det.strideSteps, det.population ?? 1), countScale) as tf.Tensor3D),
  );
}

/**
 * Mean over samples and windows of KL(p ‖ q).
 * @param logP - `[B, nW, K]` log-probabilities of the reference
 * @param logQ - same shape
 */
export function meanWindowKl(logP: tf.Tensor3D, logQ: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 2)));
}

/**
 * Output spikes of the chip whose core synapses have effective weights `base + Δ` (run after
 * `prepare_net`; `base` are the effective weights it built, so the gradient reaches the weights).
 */
export function chipForward(
  net: HWNetwork,
  x: tf.Tensor3D,
  base: readonly tf.Tensor[],
  deltas: readonly tf.Tensor[],
  impl: ScanImpl,
): tf.Tensor3D {
  net.synapses().forEach((s, i) => s.useEffective(tf.add(base[i], deltas[i])));
  const { spikes } = net.forward(x, { prepare: false, impl });
  return spikes[spikes.length - 1];
}

/**
 * One simulated chip for a batch: Δ per core synapse, a random draw at σ moved `attackSteps`
 * times by a·σ/steps along the sign of ∂KL/∂Δ (a = `attackSize`).
 * @returns Δ per `net.synapses()` entry (the caller disposes them)
 */
export function adversarialChip(
  net: HWNetwork,
  batch: { x: Float32Array; shape: [number, number, number] },
  det: WindowOptions,
  countScale: number,
  opts: MismatchRobustness,
  rng: Rng,
  impl: ScanImpl = 'fused',
): tf.Tensor[] {
  const syns = net.synapses();
  const draw = () => syns.map((s) => tf.tensor(rng.normalArray(s.weight.size, 0, opts.sigma), s.weight.shape, 'float32'));
  if (opts.attackSteps <= 0) return draw();
  const step = ((opts.attackSize ?? 1) * opts.sigma) / opts.attackSteps;
  return tf.tidy(() => {
    const x = tf.tensor3d(batch.x, batch.shape);
    prepare_net(net);
    const base = syns.map((s) => s.effectiveWeight());
    const { spikes } = net.forward(x, { prepare: false, impl });
    const nominal = windowLogProbs(spikes[spikes.length - 1], det, countScale);
    let deltas = draw();
    for (let i = 0; i < opts.attackSteps; i++) {
      const g = tf.grads((...ds: tf.Tensor[]) =>
        meanWindowKl(nominal, windowLogProbs(chipForward(net, x, base, ds, impl), det, countScale)),
      )(deltas);
      deltas = deltas.map((d, k) => tf.add(d, tf.mul(tf.sign(g[k]), step)));
    }
    // Every effective weight built here is freed with this scope; the next forward prepares anew.
    return deltas;
  });
}
