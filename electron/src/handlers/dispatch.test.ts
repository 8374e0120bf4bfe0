import { describe, expect, it, vi } from 'vitest';
import { CheckpointFormatError } from '@nwave/runtime';
import type { InvokeHandlers } from '../shared/ipc-contract.js';
import { INVOKE_ARG_SCHEMAS } from '../shared/ipc-schemas.js';
import { API_CHANNELS } from '../shared/ipc-contract.js';
import { dispatchInvoke, isInvokeChannel } from './dispatch.js';

function handlers(overrides: Partial<InvokeHandlers> = {}): InvokeHandlers {
  const fail = async (): Promise<never> => {
    throw new Error('not used');
  };
  const base = Object.fromEntries(Object.keys(INVOKE_ARG_SCHEMAS).map((c) => [c, fail])) as unknown as InvokeHandlers;
  return { ...base, ...overrides };
}

describe('dispatchInvoke: the one validated path into main', () => {
  it('every API method maps to a channel with a schema', () => {
    for (const channel of Object.values(API_CHANNELS)) expect(isInvokeChannel(channel)).toBe(true);
    expect(new Set(Object.values(API_CHANNELS)).size).toBe(Object.keys(INVOKE_ARG_SCHEMAS).length);
  });

  it('calls the handler with validated arguments', async () => {
    const read = vi.fn(async (path: string) => ({ path, name: 'm.nwave.json', text: '{}', bundled: false }));
    const r = await dispatchInvoke(handlers({ 'model:read': read }), 'model:read', ['/models/m.nwave.json']);
    expect(r).toEqual({ ok: true, value: { path: '/models/m.nwave.json', name: 'm.nwave.json', text: '{}', bundled: false } });
    expect(read).toHaveBeenCalledWith('/models/m.nwave.json');
  });

  it.each([
    ['model:read', ['a\0.nwave.json'], /NUL byte/],
    ['model:read', ['/etc/passwd'], /ends in \.json/],
    ['audio:read', ['/x/y.mp3'], /only \.wav/],
    ['settings:update', [{ rasterWindowS: 1000 }], /settings:update: argument 0.rasterWindowS/],
    ['settings:update', [{ unknownKey: 1 }], /settings:update/],
    ['recording:save', [{ folder: '/d', word: '../etc', sampleRateHz: 16000, samples: new Float32Array(10) }], /argument 0.word/],
    ['recording:save', [{ folder: '/d', word: 'yes', sampleRateHz: 16000, samples: [0, 1] }], /argument 0.samples/],
    ['training:start', [{ data: '/d', words: [], background: true, epochs: 3 }], /argument 0.words/],
    // Chip and recipe are checked in main against the runtime's chips and the trainer's recipes.
    [
      'training:start',
      [{ data: '/d', words: ['yes'], background: true, epochs: 3, chip: 'h9' }],
      /training:start: argument 0\.chip: unknown chip "h9" \(known: h1v1, h1v2/,
    ],
    [
      'training:start',
      [{ data: '/d', words: ['yes'], background: true, epochs: 3, recipe: 'constructor' }],
      /training:start: argument 0\.recipe: unknown recipe "constructor" \(known: sdk, keyword-spotter\)/,
    ],
    ['settings:update', [{ trainRecipe: 'nope' }], /argument 0\.trainRecipe: unknown recipe "nope"/],
    ['app:info', ['extra'], /app:info/],
  ])('%s %j is refused before any handler runs', async (channel, args, message) => {
    const r = await dispatchInvoke(handlers(), channel, args);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_ARGUMENT');
      expect(r.error.message).toMatch(message);
    }
  });

  it('passes a known chip (short name or id) and recipe through to the handler', async () => {
    const start = vi.fn(async () => ({ runId: 'run-1', out: 'o' }));
    const req = { data: '/d', words: ['yes'], background: true, epochs: 3, chip: 'h1v2-estimate', recipe: 'keyword-spotter' };
    expect(await dispatchInvoke(handlers({ 'training:start': start }), 'training:start', [req])).toEqual({
      ok: true,
      value: { runId: 'run-1', out: 'o' },
    });
    expect(start).toHaveBeenCalledWith(req);
  });

  it('refuses unknown channels and non-array arguments', async () => {
    expect(await dispatchInvoke(handlers(), 'fs:delete-everything', [])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'unknown channel "fs:delete-everything"' },
    });
    expect(await dispatchInvoke(handlers(), 'settings:get', { 0: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('returns handler errors as an envelope with code and context', async () => {
    const r = await dispatchInvoke(
      handlers({
        'model:load-default': async () => {
          throw new CheckpointFormatError('/m.json: bad version', { file: '/m.json', field: 'version' });
        },
      }),
      'model:load-default',
      [],
    );
    expect(r).toEqual({
      ok: false,
      error: { code: 'CHECKPOINT_FORMAT', message: '/m.json: bad version', context: { file: '/m.json', field: 'version' } },
    });
  });
});
