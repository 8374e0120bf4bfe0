import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DETECTOR_THRESHOLDS } from '../shared/ipc-contract.js';
import { DEFAULT_SETTINGS, SettingsStore } from './settings-store.js';

describe('SettingsStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nwave-settings-'));
    file = path.join(dir, 'sub', 'settings.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the defaults when there is no file', async () => {
    expect(await new SettingsStore(file).get()).toEqual(DEFAULT_SETTINGS);
    expect(existsSync(file)).toBe(false);
  });

  it('persists updates atomically (no temp files left) and reads them back in a new store', async () => {
    const a = new SettingsStore(file);
    await a.update({ inputDeviceId: 'mic-2', rasterWindowS: 6 });
    await a.update({ trainWords: ['on', 'off'] });
    expect(readdirSync(path.dirname(file))).toEqual(['settings.json']);
    const b = await new SettingsStore(file).get();
    expect(b).toMatchObject({ inputDeviceId: 'mic-2', rasterWindowS: 6, trainWords: ['on', 'off'], version: 1 });
  });

  it('serialises concurrent updates: the last one wins on disk', async () => {
    const s = new SettingsStore(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.update({ trainEpochs: i + 1 })));
    expect(JSON.parse(readFileSync(file, 'utf8')).trainEpochs).toBe(20);
  });

  it('keeps valid fields of a damaged file and drops the invalid ones', async () => {
    writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ inputDeviceId: 'usb', rasterWindowS: -5, trainWords: ['ok', '../bad'], junk: true }),
    );
    const s = await new SettingsStore(path.join(dir, 'settings.json')).get();
    expect(s.inputDeviceId).toBe('usb');
    expect(s.rasterWindowS).toBe(DEFAULT_SETTINGS.rasterWindowS);
    expect(s.trainWords).toEqual(DEFAULT_SETTINGS.trainWords);
    expect('junk' in s).toBe(false);
  });

  it('keeps the chosen chip and recipe (null until chosen); a file naming an unknown one falls back to null', async () => {
    const a = new SettingsStore(file);
    expect(await a.get()).toMatchObject({ trainChip: null, trainRecipe: null });
    await a.update({ trainChip: 'h1v2', trainRecipe: 'sdk', trainEpochs: 7 });
    expect(await new SettingsStore(file).get()).toMatchObject({ trainChip: 'h1v2', trainRecipe: 'sdk', trainEpochs: 7 });
    const f = path.join(dir, 'old.json');
    writeFileSync(f, JSON.stringify({ trainChip: 'h9', trainRecipe: 'gone', trainEpochs: 5 }));
    expect(await new SettingsStore(f).get()).toMatchObject({ trainChip: null, trainRecipe: null, trainEpochs: 5 });
  });

  it('moves an unreadable file aside instead of losing it', async () => {
    const f = path.join(dir, 'settings.json');
    writeFileSync(f, '{ not json');
    expect(await new SettingsStore(f).get()).toEqual(DEFAULT_SETTINGS);
    expect(readdirSync(dir).some((n) => n.startsWith('settings.json.corrupt-'))).toBe(true);
  });

  it('persists the live view threshold per model, and drops an invalid map as a whole', async () => {
    const a = new SettingsStore(file);
    await a.update({ detectorThresholds: { 'default-yes-no': 0.9, tones: 0.75 } });
    expect((await new SettingsStore(file).get()).detectorThresholds).toEqual({ 'default-yes-no': 0.9, tones: 0.75 });
    await expect(a.update({ detectorThresholds: { tones: 1.5 } })).rejects.toThrow();
    const proto = await a.update({ detectorThresholds: JSON.parse('{"__proto__": 0.5, "x": 0.6}') as Record<string, number> });
    expect(Object.keys(proto.detectorThresholds)).toEqual(['x']); // a "__proto__" name is dropped, never kept
    const tooMany = Object.fromEntries(Array.from({ length: MAX_DETECTOR_THRESHOLDS + 1 }, (_, i) => [`m${i}`, 0.6]));
    await expect(a.update({ detectorThresholds: tooMany })).rejects.toThrow(/at most/);
    const f = path.join(dir, 'settings.json');
    writeFileSync(f, JSON.stringify({ rasterWindowS: 8, detectorThresholds: { ok: 0.8, bad: 'x' } }));
    const s = await new SettingsStore(f).get();
    expect(s.rasterWindowS).toBe(8);
    expect(s.detectorThresholds).toEqual({});
  });

  it('rejects invalid patches', async () => {
    await expect(new SettingsStore(file).update({ recordSeconds: 100 })).rejects.toThrow();
  });
});
