/**
 * Trained network -> runtime checkpoint, through the network's description (layer by layer, by
 * name; taus snapped to the chip). Quantization happens in the runtime's `buildCheckpoint` (one
 * grid for trainer and runtime); then the chip's constraint checker runs and a non-compliant
 * network is refused unless `allowViolations` (violations are then recorded).
 */
import {
  ConstraintError,
  buildCheckpoint,
  checkConstraints,
  snapTau,
  type Checkpoint,
  type DetectorSettings,
  type FilterbankSpec,
} from '@nwave/runtime';
import { writeCheckpointFile } from '@nwave/runtime/node';
import type { HWNetwork, NetworkDescription } from '../layers/index.js';
import { floatLayer } from './build-network.js';

export interface ExportOptions {
  name: string;
  description?: string;
  labels: string[];
  backgroundLabels: string[];
  filterbank: FilterbankSpec;
  detector?: Partial<DetectorSettings>;
  provenance?: Partial<Checkpoint['provenance']>;
  allowViolations?: boolean;
}

/** The description a network was built from. @throws Error for a network built without one */
export function descriptionOf(net: HWNetwork): NetworkDescription {
  if (!net.description)
    throw new Error('networkToCheckpoint: the network was not built from a description (use buildNetwork / buildNetworkFrom)');
  return net.description;
}

/** Builds (does not write) the checkpoint of a network; throws ConstraintError when non-compliant. */
export function networkToCheckpoint(net: HWNetwork, opts: ExportOptions): Checkpoint {
  const desc = descriptionOf(net);
  const { chip } = desc;
  if (Math.abs(opts.filterbank.binS - desc.dtS) > 1e-12)
    throw new RangeError(`networkToCheckpoint: filterbank bin ${opts.filterbank.binS} s differs from the network's step ${desc.dtS} s`);
  const layers = desc.layers.map((l) => {
    const { syn, layer } = net.pair(l.name);
    const rec = layer.recurrent;
    // Learnt taus leave the chip's profiles during training: snap them back (the description's
    // initial taus are on them already).
    const taus = Array.from(layer.currentTaus(), (t) => snapTau(chip, t).tauS);
    const tausS = taus.every((t) => t === taus[0]) ? taus[0] : taus;
    return floatLayer({ ...l, tausS }, desc.dtS, syn.floatWeights().values, rec ? rec.floatWeights().values : undefined);
  });
  const ck = buildCheckpoint({
    name: opts.name,
    description: opts.description,
    labels: opts.labels,
    backgroundLabels: opts.backgroundLabels,
    chipProfile: chip.id,
    filterbank: opts.filterbank,
    layers,
    outputPopulation: desc.outputPopulation,
    detector: opts.detector,
    provenance: opts.provenance,
  });
  const report = checkConstraints(ck, chip);
  if (!report.ok) {
    if (!opts.allowViolations)
      throw new ConstraintError(
        `${opts.name}: refusing to export a checkpoint that breaks the ${chip.chip} constraints`,
        report.violations,
      );
    ck.violations = report.violations;
  }
  return ck;
}

/** Exports and writes atomically (temp file + rename). */
export async function exportCheckpoint(net: HWNetwork, opts: ExportOptions, file: string): Promise<Checkpoint> {
  const ck = networkToCheckpoint(net, opts);
  await writeCheckpointFile(file, ck);
  return ck;
}
