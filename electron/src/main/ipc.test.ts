import { describe, expect, it, vi } from 'vitest';
import type { InvokeHandlers } from '../shared/ipc-contract.js';
import { INVOKE_ARG_SCHEMAS } from '../shared/ipc-schemas.js';

// The real module imports `ipcMain` from electron; the tests pass a fake instead.
vi.mock('electron', () => ({ ipcMain: {} }));
const { registerIpc } = await import('./ipc.js');
const { makeUrlTrust } = await import('./security.js');

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

function fakeIpc() {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  return {
    handlers,
    listeners,
    handle: (ch: string, fn: Handler) => handlers.set(ch, fn),
    removeHandler: (ch: string) => handlers.delete(ch),
    on: (ch: string, fn: (event: unknown, ...args: unknown[]) => void) => listeners.set(ch, fn),
    removeListener: (ch: string) => listeners.delete(ch),
  };
}

function fakeSender() {
  const sent: [string, unknown][] = [];
  return { sent, send: (ch: string, p: unknown) => sent.push([ch, p]), isDestroyed: () => false, once: () => undefined };
}

const frame = (url: string, parent: unknown = null) => ({ url, parent });

function handlers(): InvokeHandlers {
  const base = Object.fromEntries(Object.keys(INVOKE_ARG_SCHEMAS).map((c) => [c, async () => `${c} ok`]));
  return base as unknown as InvokeHandlers;
}

describe('registerIpc (the only ipcMain user)', () => {
  const trust = makeUrlTrust();

  it('registers exactly the contract channels', () => {
    const ipc = fakeIpc();
    const reg = registerIpc({ handlers: handlers(), isTrustedUrl: trust }, ipc as never);
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.keys(INVOKE_ARG_SCHEMAS).sort());
    reg.dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it('answers the app window and refuses other frames', async () => {
    const ipc = fakeIpc();
    registerIpc({ handlers: handlers(), isTrustedUrl: trust }, ipc as never);
    const call = ipc.handlers.get('settings:get')!;
    expect(await call({ senderFrame: frame('app://app/index.html'), sender: fakeSender() })).toEqual({
      ok: true,
      value: 'settings:get ok',
    });
    for (const f of [frame('https://evil.example/'), frame('app://app/index.html', {}), null]) {
      expect(await call({ senderFrame: f, sender: fakeSender() })).toMatchObject({ ok: false, error: { code: 'STATE' } });
    }
  });

  it('validates arguments before calling a handler', async () => {
    const ipc = fakeIpc();
    registerIpc({ handlers: handlers(), isTrustedUrl: trust }, ipc as never);
    const r = await ipc.handlers.get('audio:read')!({ senderFrame: frame('app://app/'), sender: fakeSender() }, 'clip.mp3');
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('grants a dropped file (synchronous channel) only to the app window', () => {
    const ipc = fakeIpc();
    const granted: string[] = [];
    registerIpc({ handlers: handlers(), isTrustedUrl: trust, grantDropped: (p) => (granted.push(p), `cap-1:${p}`) }, ipc as never);
    const drop = (url: string, file: unknown) => {
      const event = { senderFrame: frame(url), sender: fakeSender(), returnValue: undefined as unknown };
      ipc.listeners.get('file:grant-dropped')!(event, file);
      return event.returnValue;
    };
    expect(drop('app://app/index.html', '/home/u/a.wav')).toBe('cap-1:/home/u/a.wav');
    expect(drop('https://evil.example/', '/etc/passwd')).toBeNull();
    expect(drop('app://app/index.html', 42)).toBeNull();
    expect(granted).toEqual(['/home/u/a.wav']);
  });

  it('queues events until the renderer is ready, then delivers in order', () => {
    const ipc = fakeIpc();
    const reg = registerIpc({ handlers: handlers(), isTrustedUrl: trust, maxQueuedEvents: 2 }, ipc as never);
    reg.emit('training:event', { type: 'cancelled', runId: 'r1' });
    reg.emit('training:event', { type: 'cancelled', runId: 'r2' });
    reg.emit('training:event', { type: 'cancelled', runId: 'r3' }); // r1 dropped: queue of 2
    const wc = fakeSender();
    ipc.listeners.get('renderer:ready')!({ senderFrame: frame('https://evil.example/'), sender: wc });
    expect(wc.sent).toEqual([]);
    ipc.listeners.get('renderer:ready')!({ senderFrame: frame('app://app/index.html'), sender: wc });
    expect(wc.sent.map(([, p]) => (p as { runId: string }).runId)).toEqual(['r2', 'r3']);
    reg.emit('training:event', { type: 'cancelled', runId: 'r4' });
    expect(wc.sent.at(-1)).toEqual(['training:event', { type: 'cancelled', runId: 'r4' }]);
  });
});
