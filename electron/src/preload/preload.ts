/**
 * Sandboxed preload: exposes `window.nwave` (the contract's `NwaveApi`) through contextBridge,
 * one function per action. It never exposes ipcRenderer and never takes a channel name from
 * the page. Errors come back as plain `WireError` objects (contextBridge would strip an Error's
 * code and context); the renderer rebuilds them with `errorFromJSON`.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  API_CHANNELS,
  type InvokeResult,
  type MainEvents,
  type NwaveApi,
  type SendChannels,
  type TrainingEvent,
} from '../shared/ipc-contract.js';

async function invoke(channel: string, args: unknown[]): Promise<unknown> {
  const result = (await ipcRenderer.invoke(channel, ...args)) as InvokeResult<unknown>;
  if (result.ok) return result.value;
  throw result.error;
}

const invokes = Object.fromEntries(
  Object.entries(API_CHANNELS).map(([method, channel]) => [method, (...args: unknown[]) => invoke(channel, args)]),
) as Omit<NwaveApi, 'onTrainingEvent' | 'rendererReady' | 'pathForFile'>;

const trainingChannel: keyof MainEvents = 'training:event';
const readyChannel: keyof SendChannels = 'renderer:ready';

const api: NwaveApi = {
  ...invokes,
  onTrainingEvent(listener, opts) {
    const wrapped = (_event: unknown, payload: TrainingEvent): void => listener(payload);
    ipcRenderer.on(trainingChannel, wrapped);
    const off = (): void => void ipcRenderer.removeListener(trainingChannel, wrapped);
    opts?.signal?.addEventListener('abort', off, { once: true });
    return off;
  },
  rendererReady() {
    ipcRenderer.send(readyChannel);
  },
  pathForFile(file) {
    // Only a real dropped or picked File has a path (a page cannot forge one); main answers with
    // a capability handle for it, so the page never holds the path itself.
    let p: string;
    try {
      p = webUtils.getPathForFile(file);
    } catch {
      return null;
    }
    return p ? ((ipcRenderer.sendSync('file:grant-dropped', p) as string | null) ?? null) : null;
  },
};

contextBridge.exposeInMainWorld('nwave', api);
