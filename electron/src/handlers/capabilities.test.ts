/**
 * Least privilege (issue 14): the renderer reaches only what the user picked or dropped, plus the
 * app's data folder. Real folders and files in a temp dir, the real handlers (createHandlers);
 * only the native dialogs and the training worker are stand-ins (Electron cannot run here).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainingRequest } from '../shared/ipc-contract.js';
import type { TrainingBridge } from '../training/training-bridge.js';
import { CapabilityStore } from './capabilities.js';
import { createHandlers, dispatchInvoke } from './index.js';
import { encodeWav16 } from '@nwave/runtime/wav';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nwave-caps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const picked = path.join(tmp, 'picked');
const secret = path.join(tmp, 'secret');
mkdirSync(path.join(picked, 'yes'), { recursive: true });
mkdirSync(secret);
const wav = encodeWav16(new Float32Array(1600), 16000);
writeFileSync(path.join(picked, 'yes', 'a.wav'), wav);
writeFileSync(path.join(secret, 'private.wav'), wav);
writeFileSync(path.join(secret, 'm.nwave.json'), readFileSync(path.resolve('test/fixtures/models/tones.nwave.json')));
symlinkSync(path.join(secret, 'private.wav'), path.join(picked, 'yes', 'escape.wav'));
const model = path.join(tmp, 'chosen.nwave.json');
writeFileSync(model, readFileSync(path.resolve('test/fixtures/models/tones.nwave.json')));

function setup(shell: 'electron' | 'web' = 'electron', userDataDir = path.join(tmp, `user-${shell}`)) {
  const started: TrainingRequest[] = [];
  const training = {
    start: async (req: TrainingRequest) => (
      started.push(req),
      { runId: 'r1', out: req.out ?? path.join(userDataDir, 'models', 'x.nwave.json') }
    ),
    list: async () => [],
    cancel: async () => true,
  } as unknown as TrainingBridge;
  const h = createHandlers({
    shell,
    version: '0',
    platform: 'linux',
    userDataDir,
    defaultModels: [{ path: model }],
    training,
    dialogs: { openModelFile: async () => model, pickFolder: async () => picked },
  });
  const call = (channel: string, ...args: unknown[]) => dispatchInvoke(h, channel, args);
  return { h, call, started };
}

describe('capability handles', () => {
  it('refuses every raw path, on every channel that names a file or folder', async () => {
    const { call } = setup();
    const refused = [
      ['model:read', path.join(secret, 'm.nwave.json')],
      ['audio:read', path.join(secret, 'private.wav')],
      ['audio:scan-folder', secret],
      ['data:scan', secret],
      ['recording:save', { folder: secret, word: 'yes', sampleRateHz: 16000, samples: new Float32Array(10) }],
      ['training:start', { data: secret, words: ['yes'], background: false, epochs: 1 }],
    ] as const;
    for (const [channel, arg] of refused) {
      const r = await call(channel, arg);
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
      expect(JSON.stringify(r)).toMatch(/not a file or folder you picked/);
    }
  });

  it('a picked folder gives handles for its entries, and nothing outside it', async () => {
    const { call } = setup();
    const dir = (await call('folder:pick', 'audio')) as { ok: true; value: string };
    expect(dir.value).toMatch(/^cap-[0-9a-f]{24}:picked$/);
    const listing = (await call('audio:scan-folder', dir.value)) as { ok: true; value: { root: string; files: { path: string }[] } };
    expect(listing.value.root).toBe(dir.value);
    expect(listing.value.files.map((f) => f.path)).toEqual([`${dir.value}/yes/a.wav`]); // the symlink out is not listed
    const read = await call('audio:read', `${dir.value}/yes/a.wav`);
    expect(read).toMatchObject({ ok: true, value: { name: 'a.wav', path: `${dir.value}/yes/a.wav` } });
    expect(JSON.stringify(read)).not.toContain(tmp); // no path crosses to the renderer
    for (const [ref, why] of [
      [`${dir.value}/../secret/private.wav`, /not a valid entry name/],
      [`${dir.value}/yes/escape.wav`, /outside the folder you picked/], // symlink out of the folder
      [`cap-0123456789abcdef01234567:picked/yes/a.wav`, /unknown or forgotten choice/],
      [`${dir.value}/yes//a.wav`, /not a valid entry name/],
    ] as const) {
      const r = await call('audio:read', ref);
      expect(r, ref).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
      expect(JSON.stringify(r)).toMatch(why);
    }
  });

  it('a FIFO or a link to /dev/zero inside a picked folder is refused, not read forever', async () => {
    const { call } = setup();
    const dir = ((await call('folder:pick', 'audio')) as { value: string }).value;
    execFileSync('mkfifo', [path.join(picked, 'pipe.wav')]);
    symlinkSync('/dev/zero', path.join(picked, 'zero.nwave.json'));
    try {
      expect(JSON.stringify(await call('audio:read', `${dir}/pipe.wav`))).toMatch(/not a regular file/);
      expect(JSON.stringify(await call('model:read', `${dir}/zero.nwave.json`))).toMatch(
        /outside the folder you picked|not a regular file/,
      );
    } finally {
      rmSync(path.join(picked, 'pipe.wav'));
      rmSync(path.join(picked, 'zero.nwave.json'));
    }
  });

  it('a picked or dropped file is readable, and only that file', async () => {
    const { h, call } = setup();
    const opened = (await call('model:open-dialog')) as { ok: true; value: { path: string; name: string } };
    expect(opened.value.path).toMatch(/^cap-[0-9a-f]{24}:chosen\.nwave\.json$/);
    expect(await call('model:read', opened.value.path)).toMatchObject({ ok: true, value: { name: 'chosen.nwave.json' } });
    expect(await call('model:read', `${opened.value.path}/x.json`)).toMatchObject({ ok: false });
    const dropped = h.grantDropped(path.join(secret, 'private.wav'))!;
    expect(await call('audio:read', dropped)).toMatchObject({ ok: true, value: { name: 'private.wav' } });
    expect(await call('audio:read', `${dropped}/../m.nwave.json`)).toMatchObject({ ok: false });
    expect(h.grantDropped('relative.wav')).toBeNull();
  });

  it('recordings go only into a picked folder; training reads a picked folder and writes into the app data folder', async () => {
    const { call, started } = setup();
    const dir = ((await call('folder:pick', 'data')) as { value: string }).value;
    const rec = await call('recording:save', { folder: dir, word: 'no', sampleRateHz: 16000, samples: new Float32Array(1600) });
    expect(rec).toMatchObject({ ok: true, value: { clips: 1 } });
    expect((rec as { value: { file: string } }).value.file).toMatch(new RegExp(`^${dir}/no/rec-.*\\.wav$`));
    const info = (await call('app:info')) as { value: { modelsDir: string; userDataDir: string } };
    expect(info.value.modelsDir).toBe(`${info.value.userDataDir}/models`);
    expect(info.value.userDataDir).toMatch(/^cap-appdata:/);
    const out = `${info.value.modelsDir}/mine.nwave.json`;
    const r = await call('training:start', { data: dir, words: ['yes'], background: false, epochs: 1, out });
    expect(r).toMatchObject({ ok: true, value: { out } });
    expect(started[0]).toMatchObject({ data: await import('node:fs').then((f) => f.realpathSync(picked)) });
    const escape = await call('training:start', {
      data: dir,
      words: ['yes'],
      background: false,
      epochs: 1,
      out: `${dir}/../../x.nwave.json`,
    });
    expect(escape).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('remembers grants across restarts (settings keep working), in the app data folder', async () => {
    const userData = path.join(tmp, 'persist');
    const a = setup('electron', userData);
    const dir = ((await a.call('folder:pick', 'data')) as { value: string }).value;
    await a.h.capabilities.flush();
    const b = setup('electron', userData);
    expect(await b.call('data:scan', dir)).toMatchObject({
      ok: true,
      value: { root: dir, classes: expect.arrayContaining([{ name: 'yes', clips: 1 }]) },
    });
  });

  it('the npm run web dev server (browser prompt as the picker) accepts a typed absolute path', async () => {
    const { call } = setup('web');
    const r = (await call('audio:scan-folder', picked)) as { ok: true; value: { root: string; files: { path: string }[] } };
    expect(r.value.root).toMatch(/^cap-/);
    expect(await call('audio:read', r.value.files[0].path)).toMatchObject({ ok: true });
  });

  it('a store without typed paths refuses relative, empty and malformed references', async () => {
    const caps = new CapabilityStore({ appDataDir: tmp });
    for (const ref of ['', 'x', './picked', 'cap-:x', 'cap-ZZ:x', picked])
      await expect(caps.resolve(ref, 'folder')).rejects.toThrow(/not a file or folder you picked/);
  });
});
