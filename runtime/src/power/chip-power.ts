/**
 * Projected chip power, the NWAVE `get_chip_consumption` model:
 *   P_total = N · p_static + E_spike · spikes / duration,   E_inference = P_total · duration.
 * N counts core (HWSynapse-fed) neurons only; the frontend is excluded as in the SDK, but its
 * figures are reported beside the total. Every figure is an ESTIMATE from the chip profile.
 */
import { powerLabel, type ChipProfile } from '../model/chip-profile.js';

export interface LayerActivity {
  name: string;
  neurons: number;
  /** Spikes of this layer over `durationS` (summed over neurons). */
  spikes: number;
  /** Frontend layers are reported but not counted in the total, as in the SDK. */
  frontend?: boolean;
}

export interface LayerPower {
  name: string;
  neurons: number;
  spikes: number;
  /** Mean spikes per neuron per second. */
  rateHz: number;
  staticW: number;
  dynamicW: number;
  totalW: number;
  includedInTotal: boolean;
}

export interface ChipConsumption {
  /** Always true: these are projections from a profile, not measurements. */
  estimate: true;
  profile: string;
  /** False when the profile's constants were not fitted to figures of that chip (label them so). */
  calibrated: boolean;
  durationS: number;
  staticW: number;
  dynamicW: number;
  totalW: number;
  /** Energy over `durationS` (one inference when the duration is one clip). */
  energyJ: number;
  /** Core spikes per second. */
  spikeRateHz: number;
  layers: LayerPower[];
}

/** Power of each layer and of the chip for the given activity over `durationS` seconds. */
export function getChipConsumption(activity: readonly LayerActivity[], durationS: number, profile: ChipProfile): ChipConsumption {
  const layers = activity.map((a): LayerPower => {
    const staticW = a.neurons * profile.power.staticPerNeuronW;
    const dynamicW = durationS > 0 ? (profile.power.energyPerSpikeJ * a.spikes) / durationS : 0;
    return {
      name: a.name,
      neurons: a.neurons,
      spikes: a.spikes,
      rateHz: durationS > 0 && a.neurons > 0 ? a.spikes / a.neurons / durationS : 0,
      staticW,
      dynamicW,
      totalW: staticW + dynamicW,
      includedInTotal: !a.frontend,
    };
  });
  const core = layers.filter((l) => l.includedInTotal);
  const staticW = core.reduce((s, l) => s + l.staticW, 0);
  const dynamicW = core.reduce((s, l) => s + l.dynamicW, 0);
  const spikes = core.reduce((s, l) => s + l.spikes, 0);
  return {
    estimate: true,
    profile: profile.id,
    calibrated: profile.power.calibrated,
    durationS,
    staticW,
    dynamicW,
    totalW: staticW + dynamicW,
    energyJ: (staticW + dynamicW) * durationS,
    spikeRateHz: durationS > 0 ? spikes / durationS : 0,
    layers,
  };
}

/**
 * Rolling power over the last `windowSteps` simulation steps (live view). Feed it the per-layer
 * spike counts of each step; read `current()` at display rate.
 */
export class PowerMeter {
  private readonly ring: Int32Array;
  private readonly sums: Float64Array;
  private pos = 0;
  private filled = 0;
  constructor(
    private readonly layers: readonly { name: string; neurons: number; frontend?: boolean }[],
    private readonly dtS: number,
    private readonly windowSteps: number,
    private readonly profile: ChipProfile,
  ) {
    this.ring = new Int32Array(windowSteps * layers.length);
    this.sums = new Float64Array(layers.length);
  }

  update(spikeCounts: ArrayLike<number>): void {
    const L = this.layers.length;
    const base = this.pos * L;
    for (let l = 0; l < L; l++) {
      this.sums[l] += spikeCounts[l] - this.ring[base + l];
      this.ring[base + l] = spikeCounts[l];
    }
    this.pos = (this.pos + 1) % this.windowSteps;
    if (this.filled < this.windowSteps) this.filled++;
  }

  reset(): void {
    this.ring.fill(0);
    this.sums.fill(0);
    this.pos = 0;
    this.filled = 0;
  }

  /** Consumption over the filled part of the window. */
  current(): ChipConsumption {
    const duration = this.filled * this.dtS;
    return getChipConsumption(
      this.layers.map((l, i) => ({ ...l, spikes: this.sums[i] })),
      duration,
      this.profile,
    );
  }
}

/**
 * Formats watts as µW with the estimate label, e.g. `0.0160 µW (projected estimate)`, or
 * `(projected estimate, uncalibrated profile)` for a profile whose constants are not calibrated.
 */
export function formatPowerUw(
  watts: number,
  digits = 4,
  profile: { calibrated: boolean } | Pick<ChipProfile, 'power'> = { calibrated: true },
): string {
  return `${(watts * 1e6).toFixed(digits)} µW (${powerLabel(profile)})`;
}
