/**
 * Chip profiles: the ONE description of a chip that every part reads (constraint checker,
 * integer simulation, float reference, mismatch chip instances, power projection, ONNX graph,
 * trainer). A chip is data: a new one is a new `ChipProfile` object (built in, or registered with
 * `registerChipProfile`), not new code. Power constants are ESTIMATES; `power.calibrated` says
 * whether they were fitted to published figures of that chip.
 */
import { CheckpointFormatError, InvalidArgumentError } from '../errors.js';

/**
 * What a spike does to the membrane: `zero` sets v⁺ = 0 (H1v1); `subtractive-clamped` sets
 * v⁺ = max(0, v − θ_i) (H1v2), further capped at `membraneCeiling`.
 */
export type ResetMode = 'zero' | 'subtractive-clamped';

/**
 * Which membrane time constants the chip can realise: any (`free`), or only the listed hardware
 * profiles (`snapped`). A checkpoint for a snapped chip must carry taus on the list (checker rule
 * `tau-profiles`); exporters snap with {@link snapTau} and warn when a tau moves more than
 * `warnRelativeMove`.
 */
export type TauRule =
  { readonly kind: 'free' } | { readonly kind: 'snapped'; readonly profilesS: readonly number[]; readonly warnRelativeMove: number };

export interface NeuronModel {
  /** The one network-wide firing threshold θ in weight units (1 by convention). */
  readonly threshold: number;
  readonly reset: ResetMode;
  /**
   * Largest membrane after reset, in threshold units. nwave-ts choice (the SDK states none): the
   * analog membrane saturates; it bounds the integers of a subtractive reset. Never binds with a
   * zero reset (v⁺ < θ_i).
   */
  readonly membraneCeiling: number;
  readonly tau: TauRule;
}

/** Weight grid and charge of one kind of synapse. */
export interface SynapseKind {
  /** Programmable weight range ±wMax. */
  readonly wMax: number;
  /** Largest weight precision (bits). */
  readonly maxBits: number;
  /**
   * Linear charge map: a weight w delivers chargeScale·w threshold units (1 = identity). Folded
   * into the integer weights at compile time.
   */
  readonly chargeScale: number;
}

export interface SynapseModel {
  /** The diagonal filter -> neuron synapse of the first layer. */
  readonly frontend: SynapseKind;
  /** Core (HWSynapse) weights, feed-forward and in-core recurrent alike. */
  readonly core: SynapseKind;
}

export interface CorePlacement {
  /** Recurrence: `none`, or all-to-all inside one core (a recurrent layer fits one core). */
  readonly recurrence: 'none' | 'in-core';
  /**
   * Index in `coreSizes` of the core that must hold the whole output layer (e.g. H1v2's large
   * last core for population-coded outputs); undefined: the output layer goes anywhere.
   */
  readonly outputCore?: number;
}

export interface MismatchModel {
  /** Nominal synaptic mismatch σ in weight units, or null when the chip has none. */
  readonly synapticSigma: number | null;
  /** Leak mismatch: τ_i = τ·exp(leakSpread·ε_i), ε ~ N(0, 1). */
  readonly leakSpread: number;
  /** Per-neuron threshold spread: θ_i = θ·(1 + δ_i), δ ~ N(0, thresholdSpread²); 0 = none. */
  readonly thresholdSpread: number;
}

export interface PowerModel {
  /** Static power drawn per core neuron, watts (estimate). */
  readonly staticPerNeuronW: number;
  /** Energy per spike of a core neuron, joules (estimate). */
  readonly energyPerSpikeJ: number;
  /** True when the constants were fitted to published figures of this chip. */
  readonly calibrated: boolean;
}

export interface ChipProfile {
  /** Profile id stored in checkpoints, e.g. `h1v1-estimate`. */
  readonly id: string;
  /** Chip name shown to people, e.g. `Neuronova H1 (H1v1)`. */
  readonly chip: string;
  readonly description: string;
  /**
   * Centre frequencies of the analog filters, Hz, ascending: one frontend channel / neuron each.
   * A model uses those below its Nyquist frequency.
   */
  readonly filterCentersHz: readonly number[];
  /** Neurons per core, one entry per core. */
  readonly coreSizes: readonly number[];
  readonly placement: CorePlacement;
  /** Size of a sign-aligned group of weights along a row (one presynaptic neuron). */
  readonly signGroupSize: number;
  readonly neuron: NeuronModel;
  readonly synapse: SynapseModel;
  readonly mismatch: MismatchModel;
  readonly power: PowerModel;
}

/**
 * `n` centres `f_k = lo · r^k`, `r = (hi/lo)^(1/(n−1))`, the last pinned to exactly `hi` (not
 * lo·r^(n−1), off by rounding).
 */
export function logSpacedCenters(loHz: number, hiHz: number, n: number): number[] {
  const r = Math.pow(hiHz / loHz, 1 / (n - 1));
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? hiHz : loHz * Math.pow(r, k)));
}

/**
 * The 16 H1 filter centres (H1v1 and H1v2 share the frontend): 97.6 .. 15900 Hz, log-spaced
 * (97.6, 137.1, 192.5, ..., 11322.3, 15900.0 Hz). Log spacing is our choice (the SDK only
 * documents the end points); it is the spacing that reproduces the documented "13 of 16 at 16 kHz".
 */
const H1_FILTER_CENTERS_HZ: readonly number[] = Object.freeze(logSpacedCenters(97.6, 15900, 16));

export const H1V1_ESTIMATE: ChipProfile = {
  id: 'h1v1-estimate',
  chip: 'Neuronova H1 (H1v1)',
  description:
    'H1v1 limits from the public NWAVE docs (16 filters, 4 x 64 neurons, weights in [-0.9, 0.9], sign groups of 5, zero reset). ' +
    'Power constants are nwave-ts estimates fitted to NWAVE Tutorial 2 (0.016 uW, 15.969 nJ per 1 s clip).',
  filterCentersHz: H1_FILTER_CENTERS_HZ,
  coreSizes: [64, 64, 64, 64],
  placement: { recurrence: 'in-core' },
  signGroupSize: 5,
  neuron: { threshold: 1, reset: 'zero', membraneCeiling: 64, tau: { kind: 'free' } },
  synapse: {
    // Identity charge map: a documented simplification of H1v1's nonlinear synapse (reference §5.2).
    frontend: { wMax: 0.9, maxBits: 8, chargeScale: 1 },
    core: { wMax: 0.9, maxBits: 5, chargeScale: 1 },
  },
  // σ 0.036: the SDK's "nominal 4" read as 4 % of ±0.9 (reference §6).
  mismatch: { synapticSigma: 0.036, leakSpread: 0.1, thresholdSpread: 0 },
  power: { staticPerNeuronW: 0.121e-9, energyPerSpikeJ: 2.0e-12, calibrated: true },
};

export const H1V2_ESTIMATE: ChipProfile = {
  id: 'h1v2-estimate',
  chip: 'Neuronova H1v2',
  description:
    'H1v2 (evaluation kit) from the nwavesdk 1.0.0a0 docs: 16 filters, 3 cores of 50 + 50 + 100 neurons (outputs in the 100), ' +
    'weights in [-1.66, 1.66] with a linear synapse (charge 0.9/1.66 per unit weight), subtractive reset clamped at 0, ' +
    'taus snapped to 5/10/20/50/100 ms, per-neuron threshold spread, no synaptic mismatch. ' +
    'Power constants are the H1v1 estimates: UNCALIBRATED for this chip.',
  filterCentersHz: H1_FILTER_CENTERS_HZ,
  coreSizes: [50, 50, 100],
  placement: { recurrence: 'in-core', outputCore: 2 },
  signGroupSize: 5,
  neuron: {
    threshold: 1,
    reset: 'subtractive-clamped',
    membraneCeiling: 64,
    tau: { kind: 'snapped', profilesS: [0.005, 0.01, 0.02, 0.05, 0.1], warnRelativeMove: 0.01 },
  },
  synapse: {
    frontend: { wMax: 1.66, maxBits: 8, chargeScale: 0.9 / 1.66 },
    core: { wMax: 1.66, maxBits: 5, chargeScale: 0.9 / 1.66 },
  },
  mismatch: { synapticSigma: null, leakSpread: 0.1, thresholdSpread: 0.02 },
  power: { staticPerNeuronW: 0.121e-9, energyPerSpikeJ: 2.0e-12, calibrated: false },
};

/** The profile of checkpoints that name none (the builder's default). */
export const DEFAULT_CHIP_PROFILE_ID = H1V1_ESTIMATE.id;

// A Map, not an object: an id such as "__proto__" or "constructor" must be unknown, not inherited.
const PROFILES = new Map<string, ChipProfile>([
  [H1V1_ESTIMATE.id, H1V1_ESTIMATE],
  [H1V2_ESTIMATE.id, H1V2_ESTIMATE],
]);

/** Looks a profile up by id; undefined when unknown. */
export function findChipProfile(id: string): ChipProfile | undefined {
  return PROFILES.get(id);
}

/** Short name of a profile for people and flags: its id without a trailing `-estimate` (`h1v2-estimate` → `h1v2`). */
export function chipShortName(p: Pick<ChipProfile, 'id'>): string {
  return p.id.replace(/-estimate$/, '');
}

/** Looks a profile up by id or short name (`h1v2` finds `h1v2-estimate`); undefined when unknown. */
export function findChipProfileByName(name: string): ChipProfile | undefined {
  return PROFILES.get(name) ?? PROFILES.get(`${name}-estimate`);
}

/**
 * The profile named by a checkpoint.
 * @param source file name for the error message.
 * @throws CheckpointFormatError naming the id and the known profiles.
 */
export function getChipProfile(id: string, source = '<checkpoint>'): ChipProfile {
  const p = PROFILES.get(id);
  if (!p)
    throw new CheckpointFormatError(`${source}: unknown chip profile ${JSON.stringify(id)} (known: ${chipProfileIds().join(', ')})`, {
      file: source,
      field: 'chipProfile',
      value: id,
    });
  return p;
}

/** Ids of every known profile (built in and registered). */
export function chipProfileIds(): string[] {
  return [...PROFILES.keys()];
}

/** Problems of a profile description (empty when usable). */
export function chipProfileProblems(p: ChipProfile): string[] {
  const out: string[] = [];
  const pos = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  const int = (x: unknown, lo: number, hi: number) => Number.isInteger(x) && (x as number) >= lo && (x as number) <= hi;
  if (typeof p.id !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(p.id))
    out.push(`id ${JSON.stringify(p.id)}: lower-case letters, digits, . _ -`);
  const fc = p.filterCentersHz;
  if (!Array.isArray(fc) || fc.length === 0 || fc.length > 4096 || !fc.every((f, i) => pos(f) && (i === 0 || f > fc[i - 1])))
    out.push('filterCentersHz: 1..4096 ascending frequencies > 0');
  if (!Array.isArray(p.coreSizes) || p.coreSizes.length === 0 || !p.coreSizes.every((s) => int(s, 1, 4096)))
    out.push('coreSizes: one or more integers in 1..4096');
  const oc = p.placement?.outputCore;
  if (oc !== undefined && !int(oc, 0, (p.coreSizes?.length ?? 0) - 1)) out.push(`placement.outputCore ${oc}: not a core index`);
  if (!['none', 'in-core'].includes(p.placement?.recurrence)) out.push('placement.recurrence: none | in-core');
  if (!int(p.signGroupSize, 1, 4096)) out.push('signGroupSize: an integer >= 1');
  const n = p.neuron;
  if (!pos(n?.threshold)) out.push('neuron.threshold: > 0');
  if (!['zero', 'subtractive-clamped'].includes(n?.reset)) out.push('neuron.reset: zero | subtractive-clamped');
  if (!(n?.membraneCeiling >= (n?.threshold ?? 1) * 2)) out.push('neuron.membraneCeiling: at least 2 thresholds');
  if (n?.tau?.kind === 'snapped') {
    if (!n.tau.profilesS.length || !n.tau.profilesS.every(pos)) out.push('neuron.tau.profilesS: positive seconds');
    if (!(n.tau.warnRelativeMove >= 0)) out.push('neuron.tau.warnRelativeMove: >= 0');
  } else if (n?.tau?.kind !== 'free') out.push('neuron.tau.kind: free | snapped');
  for (const k of ['frontend', 'core'] as const) {
    const s = p.synapse?.[k];
    if (!pos(s?.wMax) || !int(s?.maxBits, 2, 16) || !pos(s?.chargeScale))
      out.push(`synapse.${k}: wMax > 0, maxBits 2..16, chargeScale > 0`);
  }
  const m = p.mismatch;
  if (!(m?.synapticSigma === null || (m?.synapticSigma ?? -1) >= 0)) out.push('mismatch.synapticSigma: >= 0 or null');
  if (!(m?.leakSpread >= 0) || !(m?.thresholdSpread >= 0)) out.push('mismatch.leakSpread, thresholdSpread: >= 0');
  const w = p.power;
  if (!(w?.staticPerNeuronW >= 0) || !(w?.energyPerSpikeJ >= 0) || typeof w?.calibrated !== 'boolean')
    out.push('power: staticPerNeuronW >= 0, energyPerSpikeJ >= 0, calibrated boolean');
  return out;
}

/**
 * Adds a chip profile (e.g. a chip under evaluation, or a test's made-up chip) so that checkpoints
 * naming its id load everywhere.
 * @throws InvalidArgumentError for an invalid description or an id already taken by another profile.
 */
export function registerChipProfile(profile: ChipProfile): void {
  const problems = chipProfileProblems(profile);
  if (problems.length)
    throw new InvalidArgumentError(`chip profile ${JSON.stringify(profile.id)}: ${problems.join('; ')}`, { field: 'profile' });
  const had = PROFILES.get(profile.id);
  if (had && had !== profile)
    throw new InvalidArgumentError(`chip profile ${JSON.stringify(profile.id)} is already defined`, { field: 'id' });
  PROFILES.set(profile.id, profile);
}

/** Total core neurons of a profile. */
export function coreCapacity(profile: ChipProfile): number {
  return profile.coreSizes.reduce((a, b) => a + b, 0);
}

/**
 * The hardware tau a requested tau becomes: itself on a `free` chip, else the nearest profile on a
 * log scale. `relativeMove` = |snapped/tau − 1|; exporters warn above `tau.warnRelativeMove`.
 */
export function snapTau(profile: ChipProfile, tauS: number): { tauS: number; relativeMove: number } {
  const rule = profile.neuron.tau;
  if (rule.kind === 'free') return { tauS, relativeMove: 0 };
  let best = rule.profilesS[0];
  for (const p of rule.profilesS) if (Math.abs(Math.log(p / tauS)) < Math.abs(Math.log(best / tauS))) best = p;
  return { tauS: best, relativeMove: Math.abs(best / tauS - 1) };
}

/** True when the chip realises `tauS` exactly (within float tolerance). */
export function tauOnProfile(profile: ChipProfile, tauS: number): boolean {
  const rule = profile.neuron.tau;
  return rule.kind === 'free' || rule.profilesS.some((p) => Math.abs(p / tauS - 1) <= 1e-9);
}

/** One line for people: `Neuronova H1v2 (profile h1v2-estimate): 3 cores 50+50+100, weights ±1.66, ...`. */
export function describeChip(p: ChipProfile): string {
  const tau = p.neuron.tau.kind === 'free' ? 'tau free' : `tau on ${p.neuron.tau.profilesS.map((t) => +(t * 1e3).toFixed(3)).join('/')} ms`;
  const parts = [
    `${p.coreSizes.length} cores ${p.coreSizes.join('+')}${p.placement.outputCore !== undefined ? ` (outputs in core ${p.placement.outputCore})` : ''}`,
    `weights ±${p.synapse.core.wMax}${p.synapse.core.chargeScale !== 1 ? ` (charge x${+p.synapse.core.chargeScale.toFixed(4)})` : ''}`,
    `${p.neuron.reset === 'zero' ? 'zero' : 'subtractive'} reset`,
    tau,
    `power ${p.power.calibrated ? 'calibrated estimate' : 'UNCALIBRATED estimate'}`,
  ];
  return `${p.chip} (profile ${p.id}): ${parts.join(', ')}`;
}

/** The label every power figure of a profile carries. */
export function powerLabel(p: Pick<ChipProfile, 'power'> | { calibrated: boolean }): string {
  const calibrated = 'power' in p ? p.power.calibrated : p.calibrated;
  return calibrated ? 'projected estimate' : 'projected estimate, uncalibrated profile';
}
