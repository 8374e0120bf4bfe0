/**
 * The renderer's access to `window.nwave`: the preload's API in Electron, the HTTP shim in a
 * plain browser. Rejections (plain WireError objects) become NwaveError subclasses again.
 */
import { errorFromJSON } from '@nwave/runtime';
import type { NwaveApi } from '@nwave/electron/shared/ipc-contract';
import { isWireError } from '@nwave/electron/shared/wire-error';
import { createWebShim } from './web-shim.js';

declare global {
  interface Window {
    nwave?: NwaveApi;
  }
}

function rebuild(err: unknown): unknown {
  return isWireError(err) ? errorFromJSON(err) : err;
}

/** Wraps every promise-returning method so that failures are NwaveErrors with code and context. */
export function wrapApi(raw: NwaveApi): NwaveApi {
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(raw) as (keyof NwaveApi)[]) {
    const fn = raw[key] as (...a: unknown[]) => unknown;
    out[key] = (...args: unknown[]) => {
      const r = fn(...args);
      return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(rebuild(e))) : r;
    };
  }
  // The AbortSignal is handled on this side: it cannot cross contextBridge.
  out.onTrainingEvent = (listener: Parameters<NwaveApi['onTrainingEvent']>[0], opts?: { signal?: AbortSignal }) => {
    const off = raw.onTrainingEvent(listener);
    opts?.signal?.addEventListener('abort', off, { once: true });
    return off;
  };
  return out as unknown as NwaveApi;
}

/** The API for this window, and whether it is the desktop app. */
export function getApi(): { api: NwaveApi; shell: 'electron' | 'web' } {
  if (window.nwave) return { api: wrapApi(window.nwave), shell: 'electron' };
  return { api: wrapApi(createWebShim()), shell: 'web' };
}
