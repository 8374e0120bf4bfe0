/**
 * Hardware design rules, one small function each (Rockpool's `xylo_mapper` style). Each returns
 * the violations it finds; `checkConstraints` runs them all. Rules read the integer codes, so a
 * checkpoint is judged exactly as it would be programmed.
 */
import type { ChipProfile } from './chip-profile.js';
import { coreCapacity } from './chip-profile.js';
import type { Checkpoint, CheckpointLayer } from './checkpoint-schema.js';
import { maxCode, quantStep } from './quantization.js';

export interface Violation {
  /** Rule name, e.g. `sign-groups`. */
  rule: string;
  /** Layer name when the rule is about one layer. */
  layer?: string;
  message: string;
}

export interface ConstraintReport {
  ok: boolean;
  violations: Violation[];
  /** One line per rule that was checked, with its verdict, for `nwave info`. */
  checked: { rule: string; ok: boolean; detail: string }[];
}

type Rule = { name: string; describe: string; check: (ck: Checkpoint, chip: ChipProfile) => Violation[] };

/** One weight matrix a rule judges: a layer's feed-forward weights or its recurrent ones. */
interface SynapseSet {
  layer: CheckpointLayer;
  /** How messages name it: the layer name, plus " recurrent" for recurrent weights. */
  label: string;
  weights: { bits: number; wMax: number; codes: number[] };
  /** Rows (presynaptic neurons) and columns (postsynaptic neurons) of a dense matrix. */
  rows: number;
  cols: number;
}

/** Every weight matrix of the network, recurrent ones right after their layer's feed-forward ones. */
function synapseSets(ck: Checkpoint): SynapseSet[] {
  return ck.network.layers.flatMap((layer): SynapseSet[] => {
    const rows = layer.type === 'dense' ? layer.inputs : layer.size;
    const own: SynapseSet = { layer, label: layer.name, weights: layer.weights, rows, cols: layer.size };
    if (layer.type !== 'dense' || !layer.recurrentWeights) return [own];
    return [own, { layer, label: `${layer.name} recurrent`, weights: layer.recurrentWeights, rows: layer.size, cols: layer.size }];
  });
}

function setWMax(set: SynapseSet): number {
  // The largest weight the codes can express; max code may be below the grid's top.
  return set.weights.codes.reduce((m, c) => Math.max(m, Math.abs(c)), 0) * quantStep(set.weights.bits, set.weights.wMax);
}

const weightRange: Rule = {
  name: 'weight-range',
  describe: 'every weight within the chip range',
  check: (ck, chip) =>
    synapseSets(ck).flatMap((set) => {
      const w = setWMax(set);
      return w > chip.wMax + 1e-12
        ? [
            {
              rule: 'weight-range',
              layer: set.layer.name,
              message: `${set.label}: largest |weight| ${w.toFixed(4)} exceeds the chip range ±${chip.wMax}`,
            },
          ]
        : [];
    }),
};

const quantizationGrid: Rule = {
  name: 'quantization-grid',
  describe: 'weights on the chip grid (bits and range)',
  check: (ck, chip) =>
    synapseSets(ck).flatMap((set) => {
      const out: Violation[] = [];
      const { weights, label } = set;
      const layer = set.layer.name;
      const maxBits = set.layer.type === 'frontend' ? chip.maxFrontendBits : chip.maxSynapseBits;
      if (weights.bits > maxBits) {
        out.push({
          rule: 'quantization-grid',
          layer,
          message: `${label}: ${weights.bits}-bit weights, the chip takes at most ${maxBits} bits`,
        });
      }
      if (Math.abs(weights.wMax - chip.wMax) > 1e-12) {
        out.push({
          rule: 'quantization-grid',
          layer,
          message: `${label}: grid range ±${weights.wMax} differs from the chip's ±${chip.wMax}`,
        });
      }
      const lim = maxCode(weights.bits);
      const bad = weights.codes.filter((c) => !Number.isInteger(c) || Math.abs(c) > lim).length;
      if (bad > 0) out.push({ rule: 'quantization-grid', layer, message: `${label}: ${bad} codes are not integers in ±${lim}` });
      return out;
    }),
};

/** Mixed-sign blocks of `group` consecutive post-synaptic weights of one input row. */
export function signGroupViolations(
  codes: ArrayLike<number>,
  inputs: number,
  size: number,
  group = 5,
): { row: number; start: number; end: number }[] {
  const out: { row: number; start: number; end: number }[] = [];
  for (let i = 0; i < inputs; i++) {
    for (let s = 0; s < size; s += group) {
      const e = Math.min(size, s + group);
      let pos = false;
      let neg = false;
      for (let j = s; j < e; j++) {
        const c = codes[i * size + j];
        if (c > 0) pos = true;
        else if (c < 0) neg = true;
      }
      if (pos && neg) out.push({ row: i, start: s, end: e });
    }
  }
  return out;
}

const signGroups: Rule = {
  name: 'sign-groups',
  describe: 'groups of 5 incoming weights share one sign',
  check: (ck, chip) =>
    synapseSets(ck).flatMap((set) => {
      if (set.layer.type !== 'dense') return [];
      const bad = signGroupViolations(set.weights.codes, set.rows, set.cols, chip.signGroupSize);
      if (bad.length === 0) return [];
      const first = bad
        .slice(0, 3)
        .map((b) => `input ${b.row} -> neurons ${b.start}..${b.end - 1}`)
        .join('; ');
      return [
        {
          rule: 'sign-groups',
          layer: set.layer.name,
          message: `${set.label}: ${bad.length} mixed-sign groups of ${chip.signGroupSize} (e.g. ${first})`,
        },
      ];
    }),
};

const frontendPositive: Rule = {
  name: 'frontend-positive',
  describe: 'frontend weights positive (inputs excite)',
  check: (ck) =>
    ck.network.layers.flatMap((layer) => {
      if (layer.type !== 'frontend') return [];
      const bad = layer.weights.codes.map((c, i) => [c, i] as const).filter(([c]) => c <= 0);
      return bad.length === 0
        ? []
        : [
            {
              rule: 'frontend-positive',
              layer: layer.name,
              message: `${layer.name}: ${bad.length} frontend weights <= 0 (channels ${bad
                .slice(0, 5)
                .map(([, i]) => i)
                .join(', ')})`,
            },
          ];
    }),
};

const frontendFilters: Rule = {
  name: 'frontend-filters',
  describe: 'at most one frontend neuron per analog filter',
  check: (ck, chip) => {
    const n = ck.filterbank.centerFrequenciesHz.length;
    return n > chip.frontendFilters
      ? [{ rule: 'frontend-filters', message: `${n} filterbank channels, the chip has ${chip.frontendFilters} filters` }]
      : [];
  },
};

const coreCapacityRule: Rule = {
  name: 'core-capacity',
  describe: 'core neurons fit the chip',
  check: (ck, chip) => {
    const n = ck.network.layers.filter((l) => l.type === 'dense').reduce((a, l) => a + l.size, 0);
    const cap = coreCapacity(chip);
    return n > cap
      ? [
          {
            rule: 'core-capacity',
            message: `${n} core neurons, the chip has ${chip.coreSizes.length} cores x ${chip.coreSizes[0]} = ${cap}`,
          },
        ]
      : [];
  },
};

const recurrentCore: Rule = {
  name: 'recurrent-core',
  describe: 'each recurrent layer fits one core',
  check: (ck, chip) => {
    // Recurrence is all-to-all inside one core only (reference §2), so the layer cannot span cores.
    const core = Math.max(...chip.coreSizes);
    return ck.network.layers.flatMap((layer) =>
      layer.type === 'dense' && layer.recurrentWeights && layer.size > core
        ? [
            {
              rule: 'recurrent-core',
              layer: layer.name,
              message: `${layer.name}: recurrent layer of ${layer.size} neurons does not fit one core (${chip.chip} cores have ${core} neurons; recurrence stays inside one core)`,
            },
          ]
        : [],
    );
  },
};

export const RULES: readonly Rule[] = [
  weightRange,
  quantizationGrid,
  signGroups,
  frontendPositive,
  frontendFilters,
  coreCapacityRule,
  recurrentCore,
];

/** Runs every rule of the chip profile against a checkpoint. */
export function checkConstraints(ck: Checkpoint, chip: ChipProfile): ConstraintReport {
  const violations: Violation[] = [];
  const checked = RULES.map((rule) => {
    const v = rule.check(ck, chip);
    violations.push(...v);
    return { rule: rule.name, ok: v.length === 0, detail: v.length === 0 ? rule.describe : v.map((x) => x.message).join('; ') };
  });
  return { ok: violations.length === 0, violations, checked };
}
