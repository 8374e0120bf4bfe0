/** Fused trainer kernels (tfjs layout: names, pure CPU impls, ops) and their per-step reference. */
export { HwLayerScan, HwNetworkScan, HwSynapseMatMul, HwFrontendMul, FakeQuantize } from './kernel-names.js';
export type { HwLayerScanInputs, HwLayerScanAttrs, HwSynapseMatMulInputs } from './kernel-names.js';
export { hwLayerScanForwardImpl, hwLayerScanBackwardImpl, hwLayerMemAfterResetImpl, ZERO_RESET, afterReset } from './cpu/HwLayerScan.js';
export type { HwLayerScanForwardResult, KernelReset } from './cpu/HwLayerScan.js';
export { hwLayerScan } from './hw-layer-scan.js';
export type { HwLayerScanOptions, HwLayerScanResult, BetaLike } from './hw-layer-scan.js';
export { hwLayerScanReference, heavisideWithSurrogate, stopGradient } from './hw-layer-reference.js';
export { synapseMatMulForwardImpl, synapseMatMulBackwardImpl, TFJS_CPU_BLOCK_SIZE } from './cpu/HwSynapseMatMul.js';
export type { SynapseMatMulGrads } from './cpu/HwSynapseMatMul.js';
export { synapseMatMul } from './synapse-mat-mul.js';
export { frontendMulForwardImpl, frontendMulBackwardImpl } from './cpu/HwFrontendMul.js';
export { frontendMul } from './frontend-mul.js';
export { createNetKernel, netLayout } from './cpu/HwNetworkScan.js';
export type { NetKernel, NetLayout } from './cpu/HwNetworkScan.js';
export { hwNetworkScan } from './hw-network-scan.js';
export type { NetScanLayer, NetScanResult } from './hw-network-scan.js';
export { setTrainingThreads, trainingThreads, shutdownTrainingThreads, setTrainingKernels, trainingKernels } from './net-pool.js';
export type { TrainingKernels } from './net-pool.js';
