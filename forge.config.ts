/**
 * electron-forge: `npm run package` (unpacked app in out/) and `npm run make` (zip, deb).
 * The app is pre-built by electron/scripts/build.ts: main, preload and workers are single
 * bundles, so no node_modules are packaged. Customer installers (AppImage, NSIS, DMG) come
 * from electron-builder.yml (`npm run dist`).
 */
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { forgeFuses } from './electron/scripts/fuses.js';

/** Paths (relative to the repo, leading slash) that go into the app; everything else is left out. */
const KEEP = ['/package.json', '/electron/dist', '/renderer/dist'];

/** Packager `ignore`: true drops the path. Parent folders of kept paths stay, model resources go as extra resources. */
export function ignorePath(p: string): boolean {
  if (p === '') return false;
  if (p.startsWith('/electron/dist/resources')) return true;
  if (p.endsWith('.map')) return true;
  return !KEEP.some((k) => p === k || p.startsWith(`${k}/`) || k.startsWith(`${p}/`));
}

const MIC_USAGE = 'nwave listens to the microphone to spot keywords live; audio never leaves this computer.';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'nwave',
    executableName: 'nwave',
    appBundleId: 'com.neuronova.nwave-ts',
    appCategoryType: 'public.app-category.developer-tools',
    // Native modules (*.node) are unpacked by the plugin below; the training worker thread and
    // the trainer bundle are loaded from the real file system.
    asar: { unpack: '**/electron/dist/{training-worker,trainer}.cjs' },
    // profile/: the demo profile bundled as the default (NWAVE_BUNDLE_PROFILE=demo.json npm run make).
    extraResource: ['electron/dist/resources/models', 'electron/dist/resources/profile'],
    ignore: ignorePath,
    prune: true,
    extendInfo: { NSMicrophoneUsageDescription: MIC_USAGE },
  },
  rebuildConfig: {},
  makers: [
    new MakerZIP({}, ['darwin', 'linux', 'win32']),
    new MakerDeb({
      options: {
        name: 'nwave',
        productName: 'nwave',
        genericName: 'Keyword spotting demo',
        categories: ['Audio', 'Science'],
        maintainer: 'nwave-ts',
        homepage: 'https://sdk.neuronovatech.com',
      },
    }),
  ],
  // Fuses (electron/scripts/fuses.ts): no run-as-node, NODE_OPTIONS or --inspect; app.asar only, integrity-checked.
  plugins: [new AutoUnpackNativesPlugin({}), new FusesPlugin(forgeFuses())],
};

export default config;
