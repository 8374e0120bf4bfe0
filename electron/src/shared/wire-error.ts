/** Turns anything thrown into a {@link WireError} that can cross IPC, a worker or HTTP. */
import type { WireError } from './ipc-contract.js';

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  context?: unknown;
  violations?: unknown;
}

/** Keeps `code`, `message`, `context` (and constraint `violations`); never the stack. */
export function toWireError(err: unknown): WireError {
  if (err && typeof err === 'object') {
    const e = err as ErrorLike;
    const out: WireError = {
      code: typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : 'NWAVE_ERROR',
      message: typeof e.message === 'string' ? e.message : String(err),
    };
    if (e.context && typeof e.context === 'object') out.context = JSON.parse(JSON.stringify(e.context)) as WireError['context'];
    if (Array.isArray(e.violations)) out.violations = e.violations as WireError['violations'];
    return out;
  }
  return { code: 'NWAVE_ERROR', message: String(err) };
}

/** True for objects shaped like a WireError (what the preload and the shim reject with). */
export function isWireError(x: unknown): x is WireError {
  return !!x && typeof x === 'object' && typeof (x as WireError).code === 'string' && typeof (x as WireError).message === 'string';
}
