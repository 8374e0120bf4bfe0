/** Builds the trainable network Frontend -> HWLayer -> (HWSynapse -> HWLayer)* from a config. */
import { Frontend, HWLayer, HWNetwork, HWSynapse, Rng, normal, type NwaveModule } from '../layers/index.js';
import type { TrainConfig } from './train-config.js';

export function buildNetwork(channels: number, classes: number, cfg: TrainConfig, dtS: number, warn: (m: string) => void = () => {}): HWNetwork {
  const rng = new Rng(cfg.seed);
  const layers: NwaveModule[] = [
    new Frontend(channels, { init: normal(0.1, 0.01), rng, warn, name: 'frontend' }),
    new HWLayer(channels, cfg.frontendTauS, dtS, { name: 'frontend_lif', ileak_mismatch: cfg.ileakMismatch }),
  ];
  const sizes = [...cfg.hidden, classes];
  let prev = channels;
  sizes.forEach((n, i) => {
    const name = i === sizes.length - 1 ? 'output' : sizes.length > 2 ? `hidden${i + 1}` : 'hidden';
    layers.push(new HWSynapse(prev, n, { init: normal(0.1, 0.3), rng, stddev: cfg.stddev, quantization_bits: cfg.bits, name }));
    layers.push(new HWLayer(n, cfg.coreTauS, dtS, { name: `${name}_lif`, ileak_mismatch: cfg.ileakMismatch }));
    prev = n;
  });
  return new HWNetwork(layers, { mismatchSeed: cfg.seed + 1 });
}
