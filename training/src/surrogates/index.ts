/** Surrogate gradients for the Heaviside spike (NWAVE reference §7). */
export { fast_sigmoid, atan, sigmoid, surrogateFromName } from './surrogates.js';
export type { Surrogate, SurrogateName } from './surrogates.js';
