/**
 * `HWNetwork`: a feed-forward stack `Frontend → HWLayer → [HWSynapse → HWLayer]*` run layer by
 * layer over whole sequences (synapse product over all steps at once, then the fused scan).
 *
 * The default `fused` implementation runs the whole network (all layers, in-core recurrence,
 * learnable τ) as one `HwNetworkScan` op; `layerwise` and `reference` run layer by layer.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ChipProfile } from '@nwave/runtime';
import { hwNetworkScan } from '../kernels/hw-network-scan.js';
import { Frontend } from './frontend.js';
import { HWLayer, type ScanImpl } from './hw-layer.js';
import { HWSynapse } from './hw-synapse.js';
import type { FloatWeights, QuantizedWeights } from './hw-weight.js';
import { normal } from './init.js';
import type { NetworkDescription } from './network-description.js';
import { prepare_net, type ModuleContainer, type NwaveModule } from './prepare-net.js';
import { Rng, defaultRng } from './rng.js';

/** Options of {@link HWNetwork.forward}. */
export interface HWNetworkForwardOptions {
  /** Scan implementation. @defaultValue 'fused' */
  impl?: ScanImpl;
  /** Call `prepare_net` first (as Tutorial 2's `forward` does). @defaultValue true */
  prepare?: boolean;
  /** Mismatch generator for `prepare_net`. @defaultValue the network's `mismatchRng` */
  rng?: Rng;
  /** Also return each layer's membrane after reset. @defaultValue false */
  returnMem?: boolean;
}

/** Output of {@link HWNetwork.forward}. */
export interface HWNetworkForwardResult {
  /** Spikes of every `HWLayer`, in order, each `[B, T, N]`; the last one is the readout. */
  spikes: tf.Tensor3D[];
  /** Membranes after reset per `HWLayer` (only with `returnMem`). */
  mems: tf.Tensor3D[] | null;
}

type Pair = { syn: Frontend | HWSynapse; layer: HWLayer };

/** A sequential feed-forward network of chip modules. */
export class HWNetwork implements ModuleContainer {
  /** The modules, in order. */
  readonly layers: readonly NwaveModule[];
  /** Generator used by `prepare_net` when none is given. */
  readonly mismatchRng: Rng;
  /** The chip the modules are built for (sign groups and weight range of the losses and projection). */
  readonly chip: ChipProfile;
  /** The description the network was built from (the trainer's: exported back to a checkpoint), or null. */
  readonly description: NetworkDescription | null;
  private readonly pairs: Pair[];

  /**
   * @param layers - alternating synapse and `HWLayer` modules; a `Frontend` may only come first
   * @param opts - `mismatchSeed`: seed of the mismatch generator @defaultValue 1234; `chip`
   *   @defaultValue the modules' chip; `description` it was built from
   * @throws RangeError if the sequence or the sizes do not chain
   */
  constructor(layers: readonly NwaveModule[], opts: { mismatchSeed?: number; chip?: ChipProfile; description?: NetworkDescription } = {}) {
    if (layers.length === 0 || layers.length % 2 !== 0) {
      throw new RangeError(`HWNetwork: expected (synapse, HWLayer) pairs, got ${layers.length} modules`);
    }
    this.pairs = [];
    for (let i = 0; i < layers.length; i += 2) {
      const syn = layers[i];
      const layer = layers[i + 1];
      const synOk = syn instanceof HWSynapse || (syn instanceof Frontend && i === 0);
      if (!synOk || !(layer instanceof HWLayer)) {
        throw new RangeError(
          `HWNetwork: module ${i} must be ${i === 0 ? 'a Frontend or ' : 'an '}HWSynapse and module ${i + 1} an HWLayer`,
        );
      }
      if (syn.nb_outputs !== layer.n_neurons) {
        throw new RangeError(`HWNetwork: ${syn.name} has ${syn.nb_outputs} outputs but ${layer.name} has ${layer.n_neurons} neurons`);
      }
      const prev = this.pairs[this.pairs.length - 1];
      if (prev && prev.layer.n_neurons !== syn.nb_inputs) {
        throw new RangeError(`HWNetwork: ${prev.layer.name} has ${prev.layer.n_neurons} neurons but ${syn.name} expects ${syn.nb_inputs}`);
      }
      this.pairs.push({ syn, layer });
    }
    this.layers = [...layers];
    this.mismatchRng = new Rng(opts.mismatchSeed ?? 1234);
    // The modules' chip (they must agree): losses and projection read it from the network.
    this.chip = opts.chip ?? this.pairs[0].layer.chip;
    const other = this.pairs.find((p) => p.layer.chip !== this.chip);
    if (other) throw new RangeError(`HWNetwork: ${other.layer.name} is built for ${other.layer.chip.id}, the network for ${this.chip.id}`);
    this.description = opts.description ?? null;
  }

  /**
   * Sets the `SignAnnealing` sharpness α of every core synapse (null: gate off).
   * @param alpha - α of the current epoch
   */
  setSignAlpha(alpha: number | null): void {
    for (const s of this.synapses()) s.signAlpha = alpha;
  }

  /**
   * The synapse named `name` and the `HWLayer` it feeds.
   * @throws RangeError when no synapse has that name
   */
  pair(name: string): { syn: Frontend | HWSynapse; layer: HWLayer } {
    const p = this.pairs.find((x) => x.syn.name === name);
    if (!p)
      throw new RangeError(`HWNetwork: no synapse named ${JSON.stringify(name)} (have ${this.pairs.map((x) => x.syn.name).join(', ')})`);
    return p;
  }

  /**
   * @returns the modules in construction order, each recurrent synapse right after its layer
   *   (so `prepare_net` and the weight losses see it)
   */
  modules(): readonly NwaveModule[] {
    return this.layers.flatMap((m) => (m instanceof HWLayer && m.recurrent ? [m, m.recurrent] : [m]));
  }

  /** @returns the `HWSynapse` modules incl. recurrent ones (core weights: topology and magnitude losses) */
  synapses(): HWSynapse[] {
    return this.modules().filter((m): m is HWSynapse => m instanceof HWSynapse);
  }

  /** @returns the `Frontend` module, if any */
  frontend(): Frontend | null {
    return this.layers[0] instanceof Frontend ? this.layers[0] : null;
  }

  /** @returns the `HWLayer` modules, in order */
  hwLayers(): HWLayer[] {
    return this.pairs.map((p) => p.layer);
  }

  /** @returns every trainable variable (frontend first, then synapses, recurrent synapses, log τ) */
  trainableVariables(): tf.Variable[] {
    return this.namedVariables().map((v) => v.variable);
  }

  /**
   * @returns every trainable variable with a stable name (module names, not the process-wide
   *   variable counter): `<synapse>`, `<layer>/recurrent` is `<recurrent synapse>`, `<layer>/log_tau`
   */
  namedVariables(): { name: string; variable: tf.Variable }[] {
    const out = this.pairs.map((p) => ({ name: p.syn.name, variable: p.syn.weight }));
    for (const { layer } of this.pairs) if (layer.recurrent) out.push({ name: layer.recurrent.name, variable: layer.recurrent.weight });
    for (const { layer } of this.pairs) if (layer.logTau) out.push({ name: `${layer.name}/log_tau`, variable: layer.logTau });
    return out;
  }

  /** @returns the frontend variables (for a separate, smaller learning rate) */
  frontendVariables(): tf.Variable[] {
    const f = this.frontend();
    return f ? [f.weight] : [];
  }

  /** @returns the core variables (synapses, recurrent synapses, log τ) */
  coreVariables(): tf.Variable[] {
    const front = new Set(this.frontendVariables());
    return this.trainableVariables().filter((v) => !front.has(v));
  }

  /**
   * Runs the network on a batch of feature sequences.
   * @param x - features `[B, T, C]`
   * @param opts - implementation, `prepare_net` control, mismatch generator
   * @returns spikes of every `HWLayer`
   */
  forward(x: tf.Tensor3D, opts: HWNetworkForwardOptions = {}): HWNetworkForwardResult {
    if (opts.prepare ?? true) prepare_net(this, opts.rng ?? this.mismatchRng);
    if ((opts.impl ?? 'fused') === 'fused') {
      const r = hwNetworkScan(
        x,
        this.pairs.map(({ syn, layer }) => ({
          // A threshold spread scales each neuron's input (see HWLayer).
          w: layer.scaleInput(syn.effectiveWeight()),
          wRec: layer.recurrent ? layer.scaleInput(layer.recurrent.effectiveWeight()) : null,
          beta: layer.betaTensor() ?? layer.beta,
          learnBeta: layer.logTau !== null,
          theta: layer.threshold,
          reset: layer.reset,
          surrogate: layer.spike_grad,
        })),
        { inputDiag: this.pairs[0].syn instanceof Frontend, returnMem: opts.returnMem },
      );
      return { spikes: r.spikes, mems: opts.returnMem ? r.mems : null };
    }
    const spikes: tf.Tensor3D[] = [];
    const mems: tf.Tensor3D[] = [];
    let h = x;
    for (const { syn, layer } of this.pairs) {
      // Scaled weights as in the fused path, so both round alike.
      const weight = layer.scaleInput(syn.effectiveWeight());
      const cur = syn.apply(h, { impl: opts.impl === 'reference' ? 'reference' : 'fused', weight });
      const r = layer.apply(cur, { impl: opts.impl, returnMem: opts.returnMem, inputScaled: true });
      spikes.push(r.spikes);
      if (r.mem) mems.push(r.mem);
      h = r.spikes;
    }
    return { spikes, mems: opts.returnMem ? mems : null };
  }

  /** @returns float weights per weight module, in order */
  floatWeights(): FloatWeights[] {
    return this.pairs.map((p) => p.syn.floatWeights());
  }

  /** @returns integer codes per weight module, in order (`codes: null` for float modules) */
  quantizedWeights(): QuantizedWeights[] {
    return this.pairs.map((p) => p.syn.quantizedWeights());
  }

  /** Disposes every variable and effective weight. */
  dispose(): void {
    for (const m of this.modules()) m.dispose();
  }
}

/** Options of {@link tutorialNetwork}. */
export interface TutorialNetworkOptions {
  /** Filterbank channels kept. @defaultValue 13 */
  nChannels?: number;
  /** Hidden neurons. @defaultValue 64 */
  hidden?: number;
  /** Output neurons (classes). @defaultValue 2 */
  classes?: number;
  /** Simulation step (s). @defaultValue 8e-3 */
  dt?: number;
  /** Init generator. @defaultValue the global generator */
  rng?: Rng;
  /** Mismatch generator seed. @defaultValue 1234 */
  mismatchSeed?: number;
  /** Warning sink for the Frontend's 16-filter warning. @defaultValue console.warn */
  warn?: (message: string) => void;
}

/**
 * NWAVE Tutorial 2's network: `Frontend(13, normal(0.1, 0.01)) → HWLayer(13, 10 ms)
 * → HWSynapse(13, 64, normal(0.1, 0.3)) → HWLayer(64, 64 ms) → HWSynapse(64, 2) → HWLayer(2, 64 ms)`,
 * dt = 8 ms, 973 parameters.
 * @param opts - sizes, dt, generators
 * @returns the network
 */
export function tutorialNetwork(opts: TutorialNetworkOptions = {}): HWNetwork {
  const c = opts.nChannels ?? 13;
  const h = opts.hidden ?? 64;
  const k = opts.classes ?? 2;
  const dt = opts.dt ?? 8e-3;
  const rng = opts.rng ?? defaultRng();
  return new HWNetwork(
    [
      new Frontend(c, { init: normal(0.1, 0.01), rng, warn: opts.warn, name: 'frontend_syn' }),
      new HWLayer(c, 10e-3, dt, { name: 'hw1' }),
      new HWSynapse(c, h, { init: normal(0.1, 0.3), rng, name: 'syn_hidden' }),
      new HWLayer(h, 64e-3, dt, { name: 'hw_hidden' }),
      new HWSynapse(h, k, { init: normal(0.1, 0.3), rng, name: 'syn_out' }),
      new HWLayer(k, 64e-3, dt, { name: 'hw_out' }),
    ],
    { mismatchSeed: opts.mismatchSeed },
  );
}
