/**
 * Trained network -> runtime checkpoint. Quantization happens in the runtime's
 * `buildCheckpoint` (one grid for trainer and runtime); then the constraint checker runs and a
 * non-compliant network is refused unless `allowViolations` (violations are then recorded).
 */
import {
  ConstraintError,
  H1V1_ESTIMATE,
  buildCheckpoint,
  checkConstraints,
  type Checkpoint,
  type DetectorSettings,
  type FilterbankSpec,
} from '@nwave/runtime';
import { writeCheckpointFile } from '@nwave/runtime/node';
import type { HWNetwork } from '../layers/index.js';
import type { TrainConfig } from './train-config.js';

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

/** Builds (does not write) the checkpoint of a network; throws ConstraintError when non-compliant. */
export function networkToCheckpoint(net: HWNetwork, cfg: TrainConfig, opts: ExportOptions): Checkpoint {
  const weights = net.floatWeights();
  const lifs = net.hwLayers();
  const dtS = opts.filterbank.binS;
  const names = ['frontend', ...weights.slice(1).map((w) => w.name)];
  const layers = weights.map((w, i) => {
    const taus = Array.from(lifs[i].currentTaus());
    const rec = lifs[i].recurrent;
    const tausS = taus.every((t) => t === taus[0]) ? taus[0] : taus;
    return i === 0
      ? { name: names[i], type: 'frontend' as const, size: w.shape[0], weights: w.values, bits: cfg.frontendBits, wMax: 0.9, tausS, dtS }
      : {
          name: names[i],
          type: 'dense' as const,
          inputs: w.shape[0],
          size: w.shape[1],
          weights: w.values,
          ...(rec ? { recurrentWeights: rec.floatWeights().values } : {}),
          bits: cfg.bits,
          wMax: 0.9,
          tausS,
          dtS,
        };
  });
  const ck = buildCheckpoint({
    name: opts.name,
    description: opts.description,
    labels: opts.labels,
    backgroundLabels: opts.backgroundLabels,
    filterbank: opts.filterbank,
    layers,
    outputPopulation: cfg.outputPopulation,
    detector: opts.detector,
    provenance: opts.provenance,
  });
  const report = checkConstraints(ck, H1V1_ESTIMATE);
  if (!report.ok) {
    if (!opts.allowViolations)
      throw new ConstraintError(`${opts.name}: refusing to export a checkpoint that breaks the chip constraints`, report.violations);
    ck.violations = report.violations;
  }
  return ck;
}

/** Exports and writes atomically (temp file + rename). */
export async function exportCheckpoint(net: HWNetwork, cfg: TrainConfig, opts: ExportOptions, file: string): Promise<Checkpoint> {
  const ck = networkToCheckpoint(net, cfg, opts);
  await writeCheckpointFile(file, ck);
  return ck;
}
