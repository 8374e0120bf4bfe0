/**
 * Models the browser picked (no file path, so `Settings.modelPath`/`compareModelPath` cannot name
 * them) are kept in this browser's localStorage per slot, so that a reload restores them like a
 * model opened by path. A model that does not fit (quota) is simply not remembered.
 */
import type { ModelSlot } from '../engine/engine-messages.js';

const key = (slot: ModelSlot): string => `nwave.model.${slot}`;

export interface RememberedModel {
  name: string;
  text: string;
}

export function rememberPickedModel(slot: ModelSlot, m: RememberedModel | null): void {
  try {
    if (m) localStorage.setItem(key(slot), JSON.stringify(m));
    else localStorage.removeItem(key(slot));
  } catch {
    // Storage full or disabled: the model is not restored after a reload, nothing else breaks.
  }
}

export function pickedModel(slot: ModelSlot): RememberedModel | null {
  try {
    const raw = localStorage.getItem(key(slot));
    if (!raw) return null;
    const m = JSON.parse(raw) as Partial<RememberedModel>;
    return typeof m.name === 'string' && typeof m.text === 'string' ? { name: m.name, text: m.text } : null;
  } catch {
    return null;
  }
}
