/**
 * `prepare_net(model, rng)`: per-batch reset of every module (NWAVE reference §5.5).
 */
import type { ChipProfile } from '@nwave/runtime';
import type { Frontend } from './frontend.js';
import type { HWLayer } from './hw-layer.js';
import type { HWSynapse } from './hw-synapse.js';
import { defaultRng, type Rng } from './rng.js';

/** Any nwave-ts module. */
export type NwaveModule = Frontend | HWSynapse | HWLayer;

/** Something that lists its modules in construction order (e.g. `HWNetwork`). */
export interface ModuleContainer {
  /** @returns the modules in construction order */
  modules(): readonly NwaveModule[];
  /** Generator used when `prepare_net` gets none. */
  readonly mismatchRng?: Rng;
  /** The chip the modules are built for (sign groups, weight range of the losses). */
  readonly chip?: ChipProfile;
}

function isContainer(m: unknown): m is ModuleContainer {
  return typeof (m as ModuleContainer).modules === 'function';
}

/**
 * Prepares a model for a batch: walks the modules in construction order, rebuilds each weight
 * module's effective weight `W_eff = c·fakeQuantize(W) + stddev·ε` (ε redrawn) and redraws the
 * leak mismatch of `HWLayer`s built with `ileak_mismatch`.
 *
 * Call it once per batch *inside* the function you differentiate (e.g. the closure given to
 * `optimizer.minimize`), so that the fake quantization is on the gradient tape; a forward pass
 * without it throws. `HWNetwork.forward` calls it by default.
 * @param model - a container, a single module or a list of modules
 * @param rng - mismatch generator @defaultValue the container's `mismatchRng`, else the global one
 */
export function prepare_net(model: ModuleContainer | NwaveModule | readonly NwaveModule[], rng?: Rng): void {
  let mods: readonly NwaveModule[];
  let r = rng;
  if (Array.isArray(model)) mods = model as readonly NwaveModule[];
  else if (isContainer(model)) {
    mods = model.modules();
    r = r ?? model.mismatchRng;
  } else mods = [model as NwaveModule];
  const gen = r ?? defaultRng();
  for (const m of mods) m.prepare(gen);
}
