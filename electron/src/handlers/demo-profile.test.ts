import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findStartProfile, loadDemoProfile, profileFromArgs } from './demo-profile.js';

const FIXTURE = path.resolve('test/fixtures/models/tones.nwave.json');
let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function setup(profile: unknown): string {
  dir = mkdtempSync(path.join(tmpdir(), 'nwave-profile-'));
  copyFileSync(FIXTURE, path.join(dir, 'tones.nwave.json'));
  const file = path.join(dir, 'demo.json');
  writeFileSync(file, typeof profile === 'string' ? profile : JSON.stringify(profile));
  return file;
}

describe('demo profiles (main process)', () => {
  it('takes the flag, then the environment', () => {
    expect(profileFromArgs(['electron', '.', '--profile', 'a.json'], { NWAVE_PROFILE: 'b.json' })).toBe('a.json');
    expect(profileFromArgs(['electron', '.', '--profile=c.json'], {})).toBe('c.json');
    expect(profileFromArgs(['electron', '.'], { NWAVE_PROFILE: 'b.json' })).toBe('b.json');
    expect(profileFromArgs(['electron', '.'], {})).toBeNull();
  });

  it('falls back to the bundled profile of a packaged build', async () => {
    const file = setup({ version: 1, title: 'x', model: 'tones.nwave.json' });
    const resources = path.join(dir, 'res');
    expect(await findStartProfile([], {}, resources)).toBeNull();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(resources, 'profile'), { recursive: true });
    copyFileSync(file, path.join(resources, 'profile', 'demo-profile.json'));
    expect(await findStartProfile([], {}, resources)).toBe(path.join(resources, 'profile', 'demo-profile.json'));
    expect(await findStartProfile(['--profile', file], {}, resources)).toBe(file);
  });

  it('loads the profile and its models relative to it', async () => {
    const file = setup({
      version: 1,
      title: 'Acme',
      model: 'tones.nwave.json',
      compareModel: './tones.nwave.json',
      sensitivity: 0.9,
      layout: 'presentation',
    });
    const loaded = await loadDemoProfile(file);
    expect(loaded.profile.title).toBe('Acme');
    expect(loaded.models.a.path).toBe(path.join(dir, 'tones.nwave.json'));
    expect(loaded.models.b?.text).toContain('"labels"');
  });

  it('rejects a bad profile naming the file and the field', async () => {
    await expect(loadDemoProfile(setup({ version: 1, title: 'x', model: 'tones.nwave.json', sensitivity: 2 }))).rejects.toThrow(
      /demo\.json: demo profile sensitivity:/,
    );
    await expect(loadDemoProfile(setup({ version: 1, title: 'x', model: 'missing.nwave.json' }))).rejects.toThrow(
      /demo\.json: model missing\.nwave\.json: .*not found/,
    );
    await expect(loadDemoProfile(setup({ version: 1, title: 'x', model: 'tones.nwave.json', extra: 1 }))).rejects.toThrow(
      /demo\.json: demo profile/,
    );
    await expect(loadDemoProfile(setup('{'))).rejects.toThrow(/demo\.json: demo profile is not JSON/);
    await expect(loadDemoProfile(path.join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: demo profile not found/);
  });
});
