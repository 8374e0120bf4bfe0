/**
 * The only module that touches `ipcMain`. It registers one handler per invoke channel of the
 * contract, drops messages from frames that are not the app's own (Fiddle), validates arguments
 * (`dispatchInvoke`, zod) and queues main -> renderer events until the renderer says it is ready.
 */
import { ipcMain } from 'electron';
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { dispatchInvoke } from '../handlers/dispatch.js';
import type { InvokeHandlers, InvokeResult, MainEventChannel, MainEvents, SendChannels } from '../shared/ipc-contract.js';
import { INVOKE_ARG_SCHEMAS } from '../shared/ipc-schemas.js';

type IpcMainLike = Pick<typeof ipcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;

export interface IpcOptions {
  handlers: InvokeHandlers;
  /** True for URLs of the app's own pages (app://app/..., or the dev server in development). */
  isTrustedUrl(url: string): boolean;
  /** Events kept while no renderer is ready (oldest dropped first). @defaultValue 500 */
  maxQueuedEvents?: number;
  /** A file the user dropped on the window (path from the preload) -> its capability handle. */
  grantDropped?(path: string): string | null;
}

/** Synchronous channel of the preload's `pathForFile` (it must answer before the drop handler goes on). */
export const GRANT_DROPPED_CHANNEL = 'file:grant-dropped';

export interface IpcRegistration {
  /** Sends an event to every ready renderer, or queues it until one is ready. */
  emit<C extends MainEventChannel>(channel: C, payload: MainEvents[C]): void;
  dispose(): void;
}

type Sender = { senderFrame: { url: string; parent: unknown } | null; sender: WebContents };

function trusted(event: Sender, isTrustedUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && isTrustedUrl(frame.url);
}

export function registerIpc(opts: IpcOptions, ipc: IpcMainLike = ipcMain): IpcRegistration {
  const ready = new Set<WebContents>();
  const queue: { channel: MainEventChannel; payload: unknown }[] = [];
  const maxQueued = opts.maxQueuedEvents ?? 500;
  const channels = Object.keys(INVOKE_ARG_SCHEMAS);

  for (const channel of channels) {
    ipc.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<InvokeResult<unknown>> => {
      if (!trusted(event as unknown as Sender, opts.isTrustedUrl)) {
        return { ok: false, error: { code: 'STATE', message: `${channel}: refused, the request did not come from the app's window` } };
      }
      return dispatchInvoke(opts.handlers, channel, args);
    });
  }

  const readyChannel: keyof SendChannels = 'renderer:ready';
  const onReady = (event: IpcMainEvent): void => {
    if (!trusted(event as unknown as Sender, opts.isTrustedUrl)) return;
    const wc = event.sender;
    if (ready.has(wc)) return;
    ready.add(wc);
    wc.once('destroyed', () => ready.delete(wc));
    wc.once('did-start-navigation', () => ready.delete(wc));
    for (const item of queue.splice(0)) wc.send(item.channel, item.payload);
  };
  ipc.on(readyChannel, onReady);
  const onDropped = (event: IpcMainEvent, file: unknown): void => {
    event.returnValue =
      trusted(event as unknown as Sender, opts.isTrustedUrl) && typeof file === 'string' && opts.grantDropped
        ? opts.grantDropped(file)
        : null;
  };
  ipc.on(GRANT_DROPPED_CHANNEL, onDropped);

  return {
    emit(channel, payload) {
      const live = [...ready].filter((wc) => !wc.isDestroyed());
      if (live.length === 0) {
        queue.push({ channel, payload });
        if (queue.length > maxQueued) queue.shift();
        return;
      }
      for (const wc of live) wc.send(channel, payload);
    },
    dispose() {
      for (const channel of channels) ipc.removeHandler(channel);
      ipc.removeListener(readyChannel, onReady);
      ipc.removeListener(GRANT_DROPPED_CHANNEL, onDropped);
      ready.clear();
    },
  };
}
