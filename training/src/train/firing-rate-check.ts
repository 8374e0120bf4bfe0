/** The tutorial's initial firing-rate check: healthy 10-60 % (frontend) / 10-50 % (core) before training. */
import * as tf from '@tensorflow/tfjs';
import type { HWNetwork } from '../layers/index.js';
import type { Batch } from '@nwave/data';

export interface RateCheck {
  layer: string;
  rate: number;
  verdict: 'ok' | 'silent' | 'low' | 'saturated' | 'high';
  advice?: string;
}

export function checkInitialFiringRates(net: HWNetwork, batches: Iterable<Batch>, maxBatches = 3): RateCheck[] {
  const names = net.hwLayers().map((l) => l.name);
  const sums = names.map(() => 0);
  let n = 0;
  for (const b of batches) {
    if (n >= maxBatches) break;
    const rates = tf.tidy(() => net.forward(tf.tensor3d(b.x, b.shape)).spikes.map((s) => tf.mean(s).dataSync()[0]));
    rates.forEach((r, i) => (sums[i] += r));
    n++;
  }
  return names.map((layer, i) => {
    const rate = n ? sums[i] / n : 0;
    const hi = i === 0 ? 0.6 : 0.5;
    if (rate < 0.005)
      return {
        layer,
        rate,
        verdict: 'silent',
        advice: 'raise the incoming weights (init mean) or the input gain; a silent layer passes no gradient',
      };
    if (rate < 0.05) return { layer, rate, verdict: 'low', advice: 'consider a larger init mean or longer tau' };
    const saturated = 0.9; // (not a chip number)
    if (rate > saturated)
      return {
        layer,
        rate,
        verdict: 'saturated',
        advice: 'lower the init mean/std or the input gain; saturated neurons carry no information',
      };
    if (rate > hi) return { layer, rate, verdict: 'high' };
    return { layer, rate, verdict: 'ok' };
  });
}
