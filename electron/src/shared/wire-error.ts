/** Errors crossing IPC, a worker or HTTP: serialised by the runtime's `errorToJSON`, recognised here. */
import type { WireError } from './ipc-contract.js';

/** True for objects shaped like a WireError (what the preload and the shim reject with). */
export function isWireError(x: unknown): x is WireError {
  return !!x && typeof x === 'object' && typeof (x as WireError).code === 'string' && typeof (x as WireError).message === 'string';
}
