/** Builds the trainable network Frontend -> HWLayer -> (HWSynapse -> HWLayer)* from a config. */
import { H1V1_ESTIMATE, InvalidArgumentError } from '@nwave/runtime';
import { Frontend, HWLayer, HWNetwork, HWSynapse, Rng, normal, type NwaveModule } from '../layers/index.js';
import { fast_sigmoid } from '../surrogates/index.js';
import type { TrainConfig } from './train-config.js';

export function buildNetwork(
  channels: number,
  classes: number,
  cfg: TrainConfig,
  dtS: number,
  warn: (m: string) => void = () => {},
): HWNetwork {
  const core = Math.min(...H1V1_ESTIMATE.coreSizes);
  if (cfg.recurrent && cfg.hidden.some((n) => n > core)) {
    throw new InvalidArgumentError(`recurrent hidden layers must fit one core (<= ${core} neurons), got --hidden ${cfg.hidden.join(',')}`, {
      field: 'hidden',
    });
  }
  const rng = new Rng(cfg.seed);
  const layers: NwaveModule[] = [
    new Frontend(channels, { init: normal(cfg.frontendInitMean, cfg.frontendInitMean / 10), rng, warn, name: 'frontend' }),
    new HWLayer(channels, cfg.frontendTauS, dtS, {
      name: 'frontend_lif',
      ileak_mismatch: cfg.ileakMismatch,
      spike_grad: fast_sigmoid(cfg.surrogateSlope),
    }),
  ];
  const sizes = [...cfg.hidden, classes * cfg.outputPopulation];
  let prev = channels;
  sizes.forEach((n, i) => {
    const name = i === sizes.length - 1 ? 'output' : sizes.length > 2 ? `hidden${i + 1}` : 'hidden';
    layers.push(new HWSynapse(prev, n, { init: normal(0.1, 0.3), rng, stddev: cfg.stddev, quantization_bits: cfg.bits, name }));
    const hidden = i < sizes.length - 1;
    const taus = hidden && cfg.hiddenTauRangeS ? logSpaced(cfg.hiddenTauRangeS[0], cfg.hiddenTauRangeS[1], n) : cfg.coreTauS;
    // Recurrent weights: same init, quantization and mismatch as the layer's input synapse.
    const recurrent =
      hidden && cfg.recurrent
        ? new HWSynapse(n, n, { init: normal(0, 0.1), rng, stddev: cfg.stddev, quantization_bits: cfg.bits, name: `${name}_rec` })
        : undefined;
    layers.push(
      new HWLayer(n, taus, dtS, {
        name: `${name}_lif`,
        ileak_mismatch: cfg.ileakMismatch,
        spike_grad: fast_sigmoid(cfg.surrogateSlope),
        recurrent,
        learnTaus: cfg.learnTaus,
      }),
    );
    prev = n;
  });
  return new HWNetwork(layers, { mismatchSeed: cfg.seed + 1 });
}

/** n values log-spaced from lo to hi (inclusive). */
function logSpaced(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (n > 1 ? i / (n - 1) : 0));
}
