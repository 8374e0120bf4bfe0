/** Trainable H1v1 modules with the NWAVE SDK's names, plus seeded init and mismatch draws. */
export { Rng, manual_seed, defaultRng } from './rng.js';
export { normal, uniform, constant } from './init.js';
export type { Initializer } from './init.js';
export { HWWeightModule } from './hw-weight.js';
export type { FloatWeights, QuantizedWeights } from './hw-weight.js';
export { Frontend } from './frontend.js';
export type { FrontendOptions } from './frontend.js';
export { HWSynapse } from './hw-synapse.js';
export type { HWSynapseOptions } from './hw-synapse.js';
export { HWLayer, LEARNABLE_TAU_RANGE_S, learnableTauRangeS } from './hw-layer.js';
export { softSignGate, softSignFactors, signAnnealingAlpha } from './sign-annealing.js';
export type { HWLayerOptions, HWLayerApplyOptions, ScanImpl } from './hw-layer.js';
export { prepare_net } from './prepare-net.js';
export type { NwaveModule, ModuleContainer } from './prepare-net.js';
export { HWNetwork, tutorialNetwork } from './hw-network.js';
export type { LayerDescription, NetworkDescription } from './network-description.js';
export type { HWNetworkForwardOptions, HWNetworkForwardResult, TutorialNetworkOptions } from './hw-network.js';
