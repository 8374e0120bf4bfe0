/** Weight quantization (NWAVE reference §6): integer codes and fake quantization with an STE. */
export { roundHalfAwayFromZero, quantStep, maxCode, quantizeCodes, dequantizeCodes, quantizeValues } from './quantize.js';
export { fakeQuantize } from './fake-quantize.js';
