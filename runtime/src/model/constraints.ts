/**
 * Hardware design rules, one small function each (Rockpool's `xylo_mapper` style). Each returns
 * the violations it finds; `checkConstraints` runs them all. Rules read the integer codes, so a
 * checkpoint is judged exactly as it would be programmed.
 */
import type { ChipProfile, SynapseKind } from './chip-profile.js';
import { coreCapacity, tauOnProfile } from './chip-profile.js';
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

/** The chip's grid for a weight set: frontend or core synapses. */
function kindOf(set: SynapseSet, chip: ChipProfile): SynapseKind {
  return set.layer.type === 'frontend' ? chip.synapse.frontend : chip.synapse.core;
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
      const range = kindOf(set, chip).wMax;
      return w > range + 1e-12
        ? [
            {
              rule: 'weight-range',
              layer: set.layer.name,
              message: `${set.label}: largest |weight| ${w.toFixed(4)} exceeds the chip range ±${range}`,
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
      const { maxBits, wMax } = kindOf(set, chip);
      if (weights.bits > maxBits) {
        out.push({
          rule: 'quantization-grid',
          layer,
          message: `${label}: ${weights.bits}-bit weights, the chip takes at most ${maxBits} bits`,
        });
      }
      if (Math.abs(weights.wMax - wMax) > 1e-12) {
        out.push({
          rule: 'quantization-grid',
          layer,
          message: `${label}: grid range ±${weights.wMax} differs from the chip's ±${wMax}`,
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
  group: number,
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
  describe: 'sign groups along each row share one sign',
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
    const filters = chip.filterCentersHz.length;
    return n > filters ? [{ rule: 'frontend-filters', message: `${n} filterbank channels, the chip has ${filters} filters` }] : [];
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
            message: `${n} core neurons, the chip has ${chip.coreSizes.length} cores ${new Set(chip.coreSizes).size === 1 ? `x ${chip.coreSizes[0]}` : `(${chip.coreSizes.join(' + ')})`} = ${cap}`,
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
    return ck.network.layers.flatMap((layer) => {
      if (layer.type !== 'dense' || !layer.recurrentWeights) return [];
      if (chip.placement.recurrence === 'none')
        return [{ rule: 'recurrent-core', layer: layer.name, message: `${layer.name}: ${chip.chip} has no recurrent synapses` }];
      return layer.size > core
        ? [
            {
              rule: 'recurrent-core',
              layer: layer.name,
              message: `${layer.name}: recurrent layer of ${layer.size} neurons does not fit one core (${chip.chip} cores have ${new Set(chip.coreSizes).size === 1 ? '' : 'at most '}${core} neurons; recurrence stays inside one core)`,
            },
          ]
        : [];
    });
  },
};

const thresholdRule: Rule = {
  name: 'threshold',
  describe: 'network threshold is the chip threshold',
  check: (ck, chip) =>
    Math.abs(ck.network.threshold - chip.neuron.threshold) > 1e-12
      ? [{ rule: 'threshold', message: `network threshold ${ck.network.threshold}, the chip fires at ${chip.neuron.threshold}` }]
      : [],
};

const tauProfiles: Rule = {
  name: 'tau-profiles',
  describe: 'time constants the chip can realise',
  check: (ck, chip) => {
    const rule = chip.neuron.tau;
    if (rule.kind === 'free') return [];
    const on = rule.profilesS.map((t) => `${+(t * 1e3).toFixed(3)}`).join('/');
    return ck.network.layers.flatMap((layer) => {
      const t = layer.neuron.tausS;
      const off = (Array.isArray(t) ? t : [t]).filter((x) => !tauOnProfile(chip, x));
      return off.length === 0
        ? []
        : [
            {
              rule: 'tau-profiles',
              layer: layer.name,
              message: `${layer.name}: ${off.length} time constant(s) off the chip's profiles ${on} ms (e.g. ${+(off[0] * 1e3).toFixed(3)} ms); snap them at export`,
            },
          ];
    });
  },
};

/** Neurons of one layer in one core. */
export interface CorePart {
  core: number;
  neurons: number;
}

/** Where each core layer goes, or why it cannot go anywhere. */
export type Placement = { ok: true; layers: { layer: string; parts: CorePart[] }[] } | { ok: false; reason: string };

/**
 * Places the core (dense) layers on the chip's cores: the output layer wholly in the profile's
 * output core (when it names one), each recurrent layer wholly in one core, then feed-forward
 * layers in the neurons left, spanning cores as needed (reference §2: a layer may span cores).
 */
export function placeLayers(ck: Checkpoint, chip: ChipProfile): Placement {
  const dense = ck.network.layers.filter((l) => l.type === 'dense');
  const free = [...chip.coreSizes];
  const whole = new Map<string, number>();
  const out = dense.at(-1);
  const oc = chip.placement.outputCore;
  if (out && oc !== undefined) {
    if (out.size > free[oc])
      return {
        ok: false,
        reason: `output layer ${out.name} (${out.size} neurons) does not fit the output core ${oc} (${free[oc]} neurons)`,
      };
    free[oc] -= out.size;
    whole.set(out.name, oc);
  }
  const recurrent = dense.filter((l) => l.recurrentWeights && !whole.has(l.name)).sort((a, b) => b.size - a.size);
  // Exact search (few cores, few recurrent layers): first-fit can fail where a packing exists.
  let budget = 100_000;
  const pack = (i: number): boolean => {
    if (i === recurrent.length) return true;
    if (--budget < 0) return false;
    for (let c = 0; c < free.length; c++) {
      if (free[c] < recurrent[i].size) continue;
      free[c] -= recurrent[i].size;
      whole.set(recurrent[i].name, c);
      if (pack(i + 1)) return true;
      free[c] += recurrent[i].size;
      whole.delete(recurrent[i].name);
    }
    return false;
  };
  if (!pack(0))
    return {
      ok: false,
      reason: `recurrent layers ${recurrent.map((l) => `${l.name} (${l.size})`).join(', ')} cannot each get one core of ${chip.coreSizes.join('+')}${oc !== undefined && out ? ` next to the output layer in core ${oc}` : ''}`,
    };
  const layers: { layer: string; parts: CorePart[] }[] = [];
  for (const l of dense) {
    const c = whole.get(l.name);
    if (c !== undefined) {
      layers.push({ layer: l.name, parts: [{ core: c, neurons: l.size }] });
      continue;
    }
    let left = l.size;
    const parts: CorePart[] = [];
    for (let k = 0; k < free.length && left > 0; k++) {
      const n = Math.min(free[k], left);
      if (n === 0) continue;
      parts.push({ core: k, neurons: n });
      free[k] -= n;
      left -= n;
    }
    if (left > 0) return { ok: false, reason: `layer ${l.name}: ${left} of its ${l.size} neurons find no free core neuron` };
    layers.push({ layer: l.name, parts });
  }
  return { ok: true, layers };
}

/** `hidden -> core 0; output -> cores 1 (20), 2 (44)`. */
export function formatPlacement(p: Extract<Placement, { ok: true }>): string {
  return p.layers
    .map(({ layer, parts }) =>
      parts.length === 1
        ? `${layer} -> core ${parts[0].core}`
        : `${layer} -> cores ${parts.map((x) => `${x.core} (${x.neurons})`).join(', ')}`,
    )
    .join('; ');
}

const corePlacement: Rule = {
  name: 'core-placement',
  describe: 'layers placed on the cores',
  check: (ck, chip) => {
    // A network too big for the chip, or a recurrent layer too big for any core, is reported once, by its own rule.
    if (coreCapacityRule.check(ck, chip).length || recurrentCore.check(ck, chip).length) return [];
    const p = placeLayers(ck, chip);
    return p.ok ? [] : [{ rule: 'core-placement', message: p.reason }];
  },
};

export const RULES: readonly Rule[] = [
  weightRange,
  quantizationGrid,
  signGroups,
  frontendPositive,
  frontendFilters,
  thresholdRule,
  tauProfiles,
  coreCapacityRule,
  recurrentCore,
  corePlacement,
];

/** Runs every rule of the chip profile against a checkpoint. */
export function checkConstraints(ck: Checkpoint, chip: ChipProfile): ConstraintReport {
  const violations: Violation[] = [];
  const checked = RULES.map((rule) => {
    const v = rule.check(ck, chip);
    violations.push(...v);
    // The placement line says where each layer went, for `nwave info`.
    const placed = rule === corePlacement && v.length === 0 ? placeLayers(ck, chip) : undefined;
    const describe = placed
      ? placed.ok
        ? `${rule.describe}: ${formatPlacement(placed)}`
        : 'not tried: the network does not fit the cores (see above)'
      : rule.describe;
    return { rule: rule.name, ok: v.length === 0, detail: v.length === 0 ? describe : v.map((x) => x.message).join('; ') };
  });
  return { ok: violations.length === 0, violations, checked };
}
