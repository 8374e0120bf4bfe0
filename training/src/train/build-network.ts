/**
 * The trainable network of a config, in two steps over ONE description: `describeNetwork`
 * (config + chip → {@link NetworkDescription}: layer names, sizes, taus snapped to the chip,
 * bits, ranges; checked against the chip's cores before any training) and `buildNetworkFrom`
 * (description → modules named after its layers). `networkToCheckpoint` exports the same
 * description back.
 */
import {
  InvalidArgumentError,
  buildCheckpoint,
  checkConstraints,
  logSpacedCenters,
  snapTau,
  type ChipProfile,
  type FloatLayer,
} from '@nwave/runtime';
import { resolveTrainChip } from '../chip.js';
import { Frontend, HWLayer, HWNetwork, HWSynapse, Rng, normal, type NetworkDescription, type NwaveModule } from '../layers/index.js';
import type { LayerDescription } from '../layers/network-description.js';
import { fast_sigmoid } from '../surrogates/index.js';
import type { TrainConfig } from './train-config.js';

/** Checker rules about the network's shape (the rest need trained weights). */
const STRUCTURE_RULES = new Set(['core-capacity', 'recurrent-core', 'core-placement']);

/** Bits of one synapse kind: the config's, at most the chip's. */
function bitsFor(chip: ChipProfile, kind: 'frontend' | 'core', asked: number | null): number {
  const max = chip.synapse[kind].maxBits;
  const bits = asked ?? max;
  if (bits > max)
    throw new InvalidArgumentError(
      `${kind === 'core' ? 'bits' : 'frontendBits'} ${bits}: ${chip.chip} ${kind} weights have at most ${max} bits`,
      {
        field: kind === 'core' ? 'bits' : 'frontendBits',
        value: bits,
      },
    );
  return bits;
}

/** Taus on the chip's tau rule; one warning per layer when a tau moves more than the rule allows. */
function snapTaus(chip: ChipProfile, layer: string, taus: number | number[], warn: (m: string) => void): number | number[] {
  const list = typeof taus === 'number' ? [taus] : taus;
  const snapped = list.map((t) => snapTau(chip, t));
  const rule = chip.neuron.tau;
  const moved = snapped
    .map((s, i) => [list[i], s] as const)
    .filter(([, s]) => rule.kind === 'snapped' && s.relativeMove > rule.warnRelativeMove);
  if (moved.length) {
    const [from, to] = moved[0];
    warn(
      `${layer}: ${chip.chip} realises only some taus; ${moved.length} of ${list.length} snapped (e.g. ${+(from * 1e3).toFixed(3)} ms -> ${+(to.tauS * 1e3).toFixed(3)} ms)`,
    );
  }
  return typeof taus === 'number' ? snapped[0].tauS : snapped.map((s) => s.tauS);
}

/**
 * The network a config asks for, on its chip.
 * @param channels - filterbank channels (frontend neurons)
 * @param classes - output classes (x `outputPopulation` output neurons)
 * @param dtS - simulation step (s)
 * @throws InvalidArgumentError for an unknown chip, more bits than the chip has, synaptic mismatch
 *   on a chip without it, or a network that does not fit the chip's cores
 */
export function describeNetwork(
  channels: number,
  classes: number,
  cfg: TrainConfig,
  dtS: number,
  warn: (m: string) => void = () => {},
): NetworkDescription {
  const chip = resolveTrainChip(cfg.chip);
  if (cfg.stddev !== null && cfg.stddev > 0 && chip.mismatch.synapticSigma === null)
    throw new InvalidArgumentError(`${chip.chip} has no synaptic mismatch: train without --mismatch (stddev ${cfg.stddev})`, {
      field: 'stddev',
      value: cfg.stddev,
    });
  const bits = bitsFor(chip, 'core', cfg.bits);
  const layers: LayerDescription[] = [
    {
      name: 'frontend',
      type: 'frontend',
      inputs: channels,
      size: channels,
      recurrent: false,
      tausS: snapTaus(chip, 'frontend', cfg.frontendTauS, warn),
      learnTaus: false,
      bits: bitsFor(chip, 'frontend', cfg.frontendBits),
      wMax: chip.synapse.frontend.wMax,
    },
  ];
  const sizes = [...cfg.hidden, classes * cfg.outputPopulation];
  let prev = channels;
  sizes.forEach((n, i) => {
    const name = i === sizes.length - 1 ? 'output' : sizes.length > 2 ? `hidden${i + 1}` : 'hidden';
    const hidden = i < sizes.length - 1;
    const taus = hidden && cfg.hiddenTauRangeS ? logSpaced(cfg.hiddenTauRangeS[0], cfg.hiddenTauRangeS[1], n) : cfg.coreTauS;
    layers.push({
      name,
      type: 'dense',
      inputs: prev,
      size: n,
      recurrent: hidden && cfg.recurrent,
      tausS: snapTaus(chip, name, taus, warn),
      learnTaus: cfg.learnTaus,
      bits,
      wMax: chip.synapse.core.wMax,
    });
    prev = n;
  });
  const desc: NetworkDescription = { chip, dtS, outputPopulation: cfg.outputPopulation, layers };
  checkFits(desc);
  return desc;
}

/**
 * Refuses, before training, a network the chip cannot hold: the chip's own checker rules on cores,
 * recurrence and placement, run on a weightless draft checkpoint of the description.
 * @throws InvalidArgumentError listing the problems
 */
export function checkFits(desc: NetworkDescription): void {
  const fe = desc.layers[0];
  const draft = buildCheckpoint({
    name: 'draft',
    labels: Array.from({ length: desc.layers[desc.layers.length - 1].size / desc.outputPopulation }, (_, i) => `class${i}`),
    chipProfile: desc.chip.id,
    filterbank: {
      sampleRateHz: 16000,
      centerFrequenciesHz: fe.size > 1 ? logSpacedCenters(100, 7000, fe.size) : [1000],
      q: 4,
      binS: desc.dtS,
      gain: 1,
      recordingDurationS: 1,
    },
    outputPopulation: desc.outputPopulation,
    layers: desc.layers.map((l) =>
      floatLayer(
        l,
        desc.dtS,
        new Float32Array(l.type === 'frontend' ? l.size : l.inputs * l.size),
        l.recurrent ? new Float32Array(l.size * l.size) : undefined,
      ),
    ),
  });
  const problems = checkConstraints(draft, desc.chip).violations.filter((v) => STRUCTURE_RULES.has(v.rule));
  if (problems.length)
    throw new InvalidArgumentError(`the network does not fit ${desc.chip.chip}: ${problems.map((p) => p.message).join('; ')}`, {
      field: 'hidden',
    });
}

/** A description layer with its float weights: the runtime's checkpoint-builder input. */
export function floatLayer(l: LayerDescription, dtS: number, weights: ArrayLike<number>, recurrentWeights?: ArrayLike<number>): FloatLayer {
  const tausS = typeof l.tausS === 'number' ? l.tausS : [...l.tausS];
  return l.type === 'frontend'
    ? { name: l.name, type: 'frontend', size: l.size, weights, bits: l.bits, wMax: l.wMax, tausS, dtS }
    : {
        name: l.name,
        type: 'dense',
        inputs: l.inputs,
        size: l.size,
        weights,
        ...(recurrentWeights ? { recurrentWeights } : {}),
        bits: l.bits,
        wMax: l.wMax,
        tausS,
        dtS,
      };
}

/** What of a config the modules' construction needs besides the description. */
export type BuildSettings = Pick<TrainConfig, 'seed' | 'frontendInitMean' | 'stddev' | 'ileakMismatch' | 'surrogateSlope'>;

/**
 * The trainable network of a description: per layer a synapse named after it (`Frontend` or
 * `HWSynapse`, in-core recurrence `<name>_rec`) and its `HWLayer` `<name>_lif`, all on the
 * description's chip. Inits follow Tutorial 2 in charge units (divided by the chip's charge per
 * unit weight, so every chip starts with the same currents).
 */
export function buildNetworkFrom(desc: NetworkDescription, cfg: BuildSettings, warn: (m: string) => void = () => {}): HWNetwork {
  const { chip, dtS } = desc;
  const rng = new Rng(cfg.seed);
  const cFront = chip.synapse.frontend.chargeScale;
  const cCore = chip.synapse.core.chargeScale;
  const spike_grad = fast_sigmoid(cfg.surrogateSlope);
  const modules: NwaveModule[] = [];
  for (const l of desc.layers) {
    const taus = typeof l.tausS === 'number' ? l.tausS : [...l.tausS];
    if (l.type === 'frontend') {
      const mean = cfg.frontendInitMean / cFront;
      modules.push(new Frontend(l.size, { init: normal(mean, mean / 10), rng, warn, name: l.name, chip }));
      modules.push(new HWLayer(l.size, taus, dtS, { name: `${l.name}_lif`, ileak_mismatch: cfg.ileakMismatch, spike_grad, chip }));
      continue;
    }
    const syn = { rng, stddev: cfg.stddev, quantization_bits: l.bits, chip };
    modules.push(new HWSynapse(l.inputs, l.size, { ...syn, init: normal(0.1 / cCore, 0.3 / cCore), name: l.name }));
    // Recurrent weights: same quantization and mismatch as the layer's input synapse.
    const recurrent = l.recurrent
      ? new HWSynapse(l.size, l.size, { ...syn, init: normal(0, 0.1 / cCore), name: `${l.name}_rec` })
      : undefined;
    modules.push(
      new HWLayer(l.size, taus, dtS, {
        name: `${l.name}_lif`,
        ileak_mismatch: cfg.ileakMismatch,
        spike_grad,
        recurrent,
        learnTaus: l.learnTaus,
        chip,
      }),
    );
  }
  return new HWNetwork(modules, { mismatchSeed: cfg.seed + 1, chip, description: desc });
}

/** `describeNetwork` then `buildNetworkFrom`: the trainable network of a config. */
export function buildNetwork(
  channels: number,
  classes: number,
  cfg: TrainConfig,
  dtS: number,
  warn: (m: string) => void = () => {},
): HWNetwork {
  return buildNetworkFrom(describeNetwork(channels, classes, cfg, dtS, warn), cfg, warn);
}

/** n values log-spaced from lo to hi (inclusive). */
function logSpaced(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (n > 1 ? i / (n - 1) : 0));
}
