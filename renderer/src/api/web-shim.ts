/**
 * Browser stand-in for the Electron preload, used under `npm run web`: the same `NwaveApi`, with
 * invokes sent over HTTP to the dev server (which runs the real main-process handlers) and
 * training events received over Server-Sent Events. Native dialogs are replaced by browser
 * pickers (models) and a path prompt (folders).
 */
import { API_CHANNELS, type InvokeResult, type ModelFile, type NwaveApi, type TrainingEvent } from '@nwave/electron/shared/ipc-contract';
import { DEV_API_PREFIX, decodeWire, encodeWire } from '@nwave/electron/shared/wire-codec';

async function invokeHttp(channel: string, args: unknown[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${DEV_API_PREFIX}/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-nwave-shim': '1' },
      body: encodeWire(args),
    });
  } catch (err) {
    throw { code: 'STATE', message: `the dev server is not reachable (${(err as Error).message})` };
  }
  const result = decodeWire(await res.text()) as InvokeResult<unknown>;
  if (result.ok) return result.value;
  throw result.error;
}

/** Opens the browser's file picker for one model file. */
function pickModelInBrowser(): Promise<ModelFile | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json';
    input.addEventListener('change', async () => {
      const file = input.files?.[0];
      resolve(file ? { path: null, name: file.name, text: await file.text(), bundled: false } : null);
    });
    input.addEventListener('cancel', () => resolve(null));
    input.click();
  });
}

export function createWebShim(): NwaveApi {
  const invokes = Object.fromEntries(
    Object.entries(API_CHANNELS).map(([method, channel]) => [method, (...args: unknown[]) => invokeHttp(channel, args)]),
  ) as Omit<NwaveApi, 'onTrainingEvent' | 'rendererReady' | 'pathForFile'>;
  const listeners = new Set<(e: TrainingEvent) => void>();
  let source: EventSource | null = null;
  return {
    ...invokes,
    openModelDialog: pickModelInBrowser,
    pickFolder: async (purpose) => {
      const path = window.prompt(
        purpose === 'data'
          ? 'Data folder on this machine (absolute path, DATA/<word>/*.wav):'
          : 'Folder of WAV files on this machine (absolute path):',
      );
      return path?.trim() || null;
    },
    onTrainingEvent(listener, opts) {
      listeners.add(listener);
      if (!source) {
        source = new EventSource(`${DEV_API_PREFIX}/events`);
        source.addEventListener('training:event', (e) => {
          const event = decodeWire((e as MessageEvent<string>).data) as TrainingEvent;
          for (const l of listeners) l(event);
        });
      }
      const off = (): void => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          source?.close();
          source = null;
        }
      };
      opts?.signal?.addEventListener('abort', off, { once: true });
      return off;
    },
    rendererReady() {
      // The event stream delivers everything from the moment it opens; nothing is queued.
    },
    pathForFile: () => null,
  };
}
