/** Task and hardware losses (NWAVE reference §8), as differentiable tfjs ops. */
export { spikeCountLogits, spike_count_cross_entropy } from './task-loss.js';
export { topology_loss, topologyPenaltySum, signGroupViolations } from './topology-loss.js';
export type { SignGroupViolation } from './topology-loss.js';
export { weight_magnitude_loss } from './weight-magnitude-loss.js';
export { firing_rate_target_mse_loss } from './firing-rate-loss.js';
export { resolveWeights } from './weight-sources.js';
export type { WeightSource } from './weight-sources.js';
export { detectorLoss, windowCounts, windowEnds } from './detector-loss.js';
export type { DetectorLossInput, DetectorLossOptions, DetectorLossParts } from './detector-loss.js';
export { sumOverTime, meanAll } from './reductions.js';
