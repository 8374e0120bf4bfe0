/**
 * The packaging configurations (the Electron binary cannot be downloaded here, so packages are
 * not built in tests): what forge keeps, and what electron-builder unpacks and ships.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { stageProfile } from '../../scripts/build.js';
import { APP_FUSES, FUSE_INDEX, forgeFuses, type AppFuseName } from '../../scripts/fuses.js';
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

describe('Electron fuses (electron/scripts/fuses.ts), in both packagers', () => {
  /** The fuse wire of Electron 40 as shipped (sentinel, version 1, 8 fuses: only cookie encryption off, the rest Electron's defaults). */
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  /** Fuse states as stored in the wire (ASCII '1' and '0'). */
  const FuseState = { ENABLE: 0x31, DISABLE: 0x30 } as const;
  const shipped = [1, 0, 1, 1, 0, 0, 0, 1].map((b) => (b ? FuseState.ENABLE : FuseState.DISABLE));
  /** An Electron-like binary: bytes around the fuse wire, as in the real executable (which cannot be downloaded here). */
  function fakeElectron(file: string, wire = shipped): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const pad = Buffer.alloc(4096, 0x90);
    writeFileSync(file, Buffer.concat([pad, Buffer.from(SENTINEL, 'ascii'), Buffer.from([1, wire.length, ...wire]), pad]));
  }
  const expected = Object.fromEntries(
    (Object.entries(APP_FUSES) as [AppFuseName, boolean][]).map(([k, v]) => [FUSE_INDEX[k], v ? FuseState.ENABLE : FuseState.DISABLE]),
  );

  it('the policy: no run-as-node, NODE_OPTIONS or --inspect; cookies encrypted; app.asar only, integrity-checked; every V1 fuse set', () => {
    expect(APP_FUSES).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    const wireIndices = Object.values(FuseV1Options).filter((v): v is number => typeof v === 'number');
    expect(Object.values(FUSE_INDEX).sort()).toEqual(wireIndices.sort());
    expect(forgeFuses()).toMatchObject({ version: FuseVersion.V1, strictlyRequireAllFuses: true });
  });

  it('forge: FusesPlugin runs its own package hook on a packaged layout and flips the wire to the policy', async () => {
    const plugin = config.plugins?.find((p): p is FusesPlugin => p instanceof FusesPlugin);
    expect(plugin?.fusesConfig).toEqual(forgeFuses());
    const out = mkdtempSync(path.join(tmpdir(), 'nwave-fuses-'));
    try {
      // During packaging the binary is still `electron`, two levels above resources/app.
      const appDir = path.join(out, 'nwave-linux-x64', 'resources', 'app');
      mkdirSync(appDir, { recursive: true });
      fakeElectron(path.join(out, 'nwave-linux-x64', 'electron'));
      const hook = plugin!.getHooks().packageAfterCopy as unknown as (...args: unknown[]) => Promise<void>;
      await hook.call(undefined, config, appDir, '40.8.5', 'linux', 'x64');
      const wire = await getCurrentFuseWire(path.join(out, 'nwave-linux-x64', 'electron'));
      expect(wire).toEqual({ version: '1', ...expected });
      // A future Electron with a ninth fuse the policy does not set: packaging fails, it is not left at its default.
      fakeElectron(path.join(out, 'next', 'electron'), [...shipped, FuseState.ENABLE]);
      await expect(flipFuses(path.join(out, 'next', 'electron'), forgeFuses())).rejects.toThrow(/strictlyRequireAllFuses/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("electron-builder: electronFuses holds the same values under electron-builder's own option names", () => {
    const text = readFileSync('electron-builder.yml', 'utf8');
    const block = /^electronFuses:\n((?: {2}.*\n?)*)/m.exec(text)?.[1] ?? '';
    const yml = Object.fromEntries([...block.matchAll(/^ {2}(\w+): (true|false)$/gm)].map((m) => [m[1], m[2] === 'true']));
    expect(yml).toEqual(APP_FUSES);
    // Names electron-builder knows (its configuration schema), so none is silently ignored.
    const require = createRequire(import.meta.url);
    const scheme = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
    };
    for (const k of Object.keys(yml)) expect(scheme.definitions.FuseOptionsV1.properties, k).toHaveProperty(k);
  });
});
