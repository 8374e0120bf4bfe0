/**
 * Backend registry with priorities and fallback, after onnxruntime-web's `backend-impl.ts`:
 * backends register under a name; `resolveBackend` initialises them lazily in the order asked
 * (or by priority), remembers failures so a broken backend is not retried on every call, and
 * throws one error that lists every failure when none can start.
 */
import { InvalidArgumentError, NwaveError } from '../errors.js';
import { jsBackend } from './js-backend.js';
import type { SnnBackend } from './snn-backend.js';

interface Entry {
  backend: SnnBackend;
  priority: number;
  init?: Promise<void>;
  error?: string;
}

const entries = new Map<string, Entry>();

/**
 * Registers a backend.
 * @param priority higher wins in `resolveBackend()` without names; a negative priority keeps the
 *   backend out of the default order (it must be asked for by name).
 * @throws InvalidArgumentError when another backend already holds this name at the same priority.
 */
export function registerBackend(name: string, backend: SnnBackend, priority: number): void {
  const current = entries.get(name);
  if (current && current.backend !== backend) {
    if (current.priority > priority) return; // keep the stronger registration, as ORT does
    if (current.priority === priority)
      throw new InvalidArgumentError(`cannot register backend "${name}" twice with priority ${priority}`, { field: 'name', value: name });
  }
  // Same backend again (e.g. a module imported twice): keep its init state, update the priority.
  entries.set(name, current?.backend === backend ? { ...current, priority } : { backend, priority });
}

/** Registered backends, highest priority first. */
export function listBackends(): { name: string; priority: number; failed: boolean }[] {
  return [...entries]
    .map(([name, e]) => ({ name, priority: e.priority, failed: e.error !== undefined }))
    .sort((a, b) => b.priority - a.priority);
}

/**
 * The first backend, in the order of `names` (default: every backend with priority >= 0, highest
 * first), that initialises. Initialisation happens once per backend and process.
 * @throws NwaveError listing, for every candidate, why it could not be used.
 */
export async function resolveBackend(names?: readonly string[]): Promise<{ name: string; backend: SnnBackend }> {
  const order = names?.length
    ? names
    : listBackends()
        .filter((b) => b.priority >= 0)
        .map((b) => b.name);
  const failures: string[] = [];
  for (const name of order) {
    const e = entries.get(name);
    if (!e) {
      failures.push(`${name}: not registered${name === 'onnx' ? " (import '@nwave/onnx' first)" : ''}`);
      continue;
    }
    if (e.error === undefined) {
      e.init ??= e.backend.init();
      try {
        await e.init;
        return { name, backend: e.backend };
      } catch (err) {
        e.error = err instanceof Error ? err.message : String(err);
      }
    }
    failures.push(`${name}: ${e.error}`);
  }
  throw new NwaveError(`no backend available: ${failures.join('; ') || 'none registered'}`, { field: 'backend', value: order, failures });
}

// The hand-written fixed-point runtime is always there; it is the reference the others match.
registerBackend('js', jsBackend, 10);
