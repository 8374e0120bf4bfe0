/** Weight quantization (NWAVE reference §6): integer codes and fake quantization with an STE. */
export {
  W_MAX,
  DEFAULT_QUANTIZATION_BITS,
  roundHalfAwayFromZero,
  quantStep,
  maxCode,
  quantizeCodes,
  dequantizeCodes,
  quantizeValues,
} from './quantize.js';
export { fakeQuantize } from './fake-quantize.js';
