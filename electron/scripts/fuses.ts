/**
 * Electron fuses of the packaged app (bits in the Electron binary, flipped at package time before
 * signing): one definition read by both packagers. forge.config.ts passes {@link forgeFuses} to
 * FusesPlugin; electron-builder.yml carries the same values under `electronFuses` (YAML cannot
 * import: packaging.test.ts checks the two are equal, key by key).
 */
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

/** The fuses, by electron-builder's names (its `electronFuses` keys). Every fuse of wire V1 is set. */
export const APP_FUSES = {
  /** `ELECTRON_RUN_AS_NODE` ignored: the app binary cannot be used as a plain Node (the app uses worker threads, never `fork`). */
  runAsNode: false,
  /** Cookies encrypted on disk with the OS key store, as Chrome does. */
  enableCookieEncryption: true,
  /** `NODE_OPTIONS` / `NODE_EXTRA_CA_CERTS` ignored: no code injected through the environment. */
  enableNodeOptionsEnvironmentVariable: false,
  /** `--inspect*` flags and SIGUSR1 ignored: no debugger attached to the main process. */
  enableNodeCliInspectArguments: false,
  /** app.asar checked against the hash the packagers embed (macOS, Windows). */
  enableEmbeddedAsarIntegrityValidation: true,
  /** The app is loaded from app.asar only (never from a loose `app/` folder beside it). */
  onlyLoadAppFromAsar: true,
  /** The default V8 snapshot (no browser-process snapshot is shipped). */
  loadBrowserProcessSpecificV8Snapshot: false,
  /** No extra privileges for file:// (the renderer is served from `app://app/`). */
  grantFileProtocolExtraPrivileges: false,
} as const;

export type AppFuseName = keyof typeof APP_FUSES;

/** Fuse-wire index of each name. */
export const FUSE_INDEX: Record<AppFuseName, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
};

/**
 * {@link APP_FUSES} as `@electron/fuses` takes them. `strictlyRequireAllFuses`: a newer Electron
 * with a fuse this list does not set fails the packaging instead of leaving it at its default.
 */
export function forgeFuses(): FuseV1Config {
  const config: Partial<Record<FuseV1Options, boolean>> = {};
  for (const [name, value] of Object.entries(APP_FUSES) as [AppFuseName, boolean][]) config[FUSE_INDEX[name]] = value;
  return { version: FuseVersion.V1, strictlyRequireAllFuses: true, ...(config as Record<FuseV1Options, boolean>) };
}
