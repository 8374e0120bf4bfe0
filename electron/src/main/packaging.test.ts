/**
 * The packaging configurations (the Electron binary cannot be downloaded here, so packages are
 * not built in tests): what forge keeps, and what electron-builder unpacks and ships.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageProfile } from '../../scripts/build.js';
import { loadDemoProfile } from '../handlers/demo-profile.js';
// Relative: forge.config.ts belongs to the repo root (the app package), not to a workspace with an entry.
import config, { ignorePath } from '../../../forge.config.js';

describe('forge.config.ts', () => {
  it('packages only the built app (bundles carry their dependencies)', () => {
    for (const keep of [
      '',
      '/package.json',
      '/electron',
      '/electron/dist',
      '/electron/dist/main.cjs',
      '/electron/dist/preload.cjs',
      '/renderer',
      '/renderer/dist/index.html',
      '/renderer/dist/assets/engine-worker-x.js',
    ]) {
      expect(ignorePath(keep), keep).toBe(false);
    }
    for (const drop of [
      '/node_modules',
      '/node_modules/electron',
      '/runtime',
      '/electron/src/main/main.ts',
      '/renderer/src',
      '/test',
      '/electron/dist/main.cjs.map',
      '/electron/dist/resources',
      '/models',
      '/package-lock.json',
    ]) {
      expect(ignorePath(drop), drop).toBe(true);
    }
    expect(config.packagerConfig?.extraResource).toEqual(['electron/dist/resources/models', 'electron/dist/resources/profile']);
    expect(config.makers?.length).toBe(2);
  });
});

describe('electron-builder.yml', () => {
  const text = readFileSync('electron-builder.yml', 'utf8');
  /** The block of lines under a top-level key. */
  const block = (key: string): string => new RegExp(`^${key}:\\n((?:[ -].*\\n?)*)`, 'm').exec(text)?.[1] ?? '';
  it('builds AppImage, NSIS and DMG with natives and workers unpacked from asar', () => {
    expect(block('linux')).toMatch(/target: AppImage/);
    expect(block('win')).toMatch(/target: nsis/);
    expect(block('mac')).toMatch(/target: dmg/);
    expect(block('mac')).toMatch(/NSMicrophoneUsageDescription: .*microphone/);
    const unpack = block('asarUnpack');
    for (const p of ['**/*.node', 'electron/dist/training-worker.cjs', 'electron/dist/trainer.cjs']) expect(unpack).toContain(p);
    expect(block('extraResources')).toMatch(/from: electron\/dist\/resources\/models\n\s+to: models/);
    expect(block('extraResources')).toMatch(/from: electron\/dist\/resources\/profile\n\s+to: profile/);
  });

  it('the root package.json points Electron at the built main', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main?: string };
    expect(pkg.main).toBe('electron/dist/main.cjs');
  });
});

describe('a bundled demo profile (NWAVE_BUNDLE_PROFILE)', () => {
  it('stages the profile with its models beside it, and the staged copy loads as the packaged app loads it', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'nwave-stage-profile-'));
    try {
      stageProfile(out, undefined);
      expect(existsSync(path.join(out, 'demo-profile.json'))).toBe(false); // nothing bundled: the folder still exists
      stageProfile(out, path.resolve('test/fixtures/profiles/tones-presentation.json'));
      const loaded = await loadDemoProfile(path.join(out, 'demo-profile.json'));
      expect(loaded.profile).toMatchObject({ title: 'Tone spotting on H1 — Acme demo', model: 'tones.nwave.json', layout: 'presentation' });
      expect(loaded.models.a.text).toBe(readFileSync('test/fixtures/models/tones.nwave.json', 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
