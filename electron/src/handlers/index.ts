/**
 * The app's request handlers as plain async functions, one per invoke channel. The Electron main
 * process registers them on ipcMain (`main/ipc.ts`); `npm run web` serves the same functions over
 * HTTP on 127.0.0.1 (`renderer/dev/`), so browser tests exercise this exact code.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { AppInfo, InvokeHandlers, MicAccess, ModelFile, TrainingEvent, TrainingRunRecord } from '../shared/ipc-contract.js';
import type { TrainingBridge } from '../training/training-bridge.js';
import type { LoadedDemoProfile } from '../shared/demo-profile.js';
import { CapabilityStore } from './capabilities.js';
import { scanAudioFolder, readAudioFile, scanDataFolder } from './folders.js';
import { loadDemoProfile } from './demo-profile.js';
import { loadDefaultModel, readModelFile, type DefaultModelCandidate } from './model-files.js';
import { saveRecording } from './recordings.js';
import { trainingRecipes } from './training-recipes.js';
import { SettingsStore } from './settings-store.js';

export { dispatchInvoke, isInvokeChannel } from './dispatch.js';
export { SettingsStore, DEFAULT_SETTINGS } from './settings-store.js';
export { CapabilityStore, APP_DATA_TOKEN } from './capabilities.js';
export type { DefaultModelCandidate } from './model-files.js';
export { findStartProfile } from './demo-profile.js';

/** Native dialogs; absent in the browser shell (the shim uses browser pickers instead). */
export interface NativeDialogs {
  openModelFile(): Promise<string | null>;
  pickFolder(purpose: 'data' | 'audio'): Promise<string | null>;
}

export interface HandlerContext {
  shell: AppInfo['shell'];
  version: string;
  platform: string;
  /** Settings, training runs and trained models live here. */
  userDataDir: string;
  /** Where the bundled default model may be, in order. */
  defaultModels: readonly DefaultModelCandidate[];
  training: TrainingBridge;
  dialogs?: NativeDialogs;
  /** macOS: asks the OS for microphone access (`systemPreferences.askForMediaAccess`). */
  micAccess?: () => Promise<MicAccess>;
  /**
   * The handles the renderer may use (see capabilities.ts). Default: a store remembered in the
   * app data folder; typed absolute paths count as picks only in the `web` shell.
   */
  capabilities?: CapabilityStore;
  /** The demo profile file to start with (read on every `profile:get`, so a File-menu choice takes effect on reload). */
  demoProfile?: () => string | null;
}

/** Folders derived from `userDataDir`. */
export function userDataPaths(userDataDir: string): { settingsFile: string; runsDir: string; modelsDir: string; grantsFile: string } {
  return {
    settingsFile: path.join(userDataDir, 'settings.json'),
    grantsFile: path.join(userDataDir, 'grants.json'),
    runsDir: path.join(userDataDir, 'training-runs'),
    modelsDir: path.join(userDataDir, 'models'),
  };
}

/** The capability store of a handler context (see `HandlerContext.capabilities`). */
export function defaultCapabilities(ctx: Pick<HandlerContext, 'userDataDir' | 'shell'>): CapabilityStore {
  return new CapabilityStore({
    appDataDir: ctx.userDataDir,
    file: userDataPaths(ctx.userDataDir).grantsFile,
    allowTypedPaths: ctx.shell === 'web',
  });
}

/** A training event or run record with its paths replaced by handles (a path outside every grant: its base name). */
export function eventWithHandles(caps: CapabilityStore, event: TrainingEvent): TrainingEvent {
  return 'out' in event && event.out ? { ...event, out: caps.handleFor(event.out) ?? path.basename(event.out) } : event;
}

function runWithHandles(caps: CapabilityStore, run: TrainingRunRecord): TrainingRunRecord {
  const ref = (p: string) => caps.handleFor(p) ?? path.basename(p);
  return { ...run, request: { ...run.request, data: ref(run.request.data), out: ref(run.request.out) } };
}

export function createHandlers(
  ctx: HandlerContext,
): InvokeHandlers & { settings: SettingsStore; capabilities: CapabilityStore; grantDropped(path: string): string | null } {
  const paths = userDataPaths(ctx.userDataDir);
  const settings = new SettingsStore(paths.settingsFile);
  const caps = ctx.capabilities ?? defaultCapabilities(ctx);
  const withHandle = (file: ModelFile, ref: string | null): ModelFile => ({ ...file, path: ref });
  return {
    settings,
    capabilities: caps,
    /** A file dropped on the window (its path from the preload's `webUtils.getPathForFile`). */
    grantDropped: (file) => (path.isAbsolute(file) && !file.includes('\0') ? caps.grant(file, 'file') : null),
    'app:info': async () => ({
      version: ctx.version,
      shell: ctx.shell,
      platform: ctx.platform,
      dialogs: !!ctx.dialogs,
      userDataDir: caps.appData(),
      modelsDir: caps.appData('models'),
    }),
    'settings:get': () => settings.get(),
    'settings:update': (patch) => settings.update(patch),
    'model:load-default': async () => {
      const file = await loadDefaultModel(ctx.defaultModels);
      return withHandle(file, file.path ? caps.grant(file.path, 'file') : null);
    },
    'model:read': async (ref) => withHandle(await readModelFile(await caps.resolve(ref, 'file')), ref),
    'model:open-dialog': async (): Promise<ModelFile | null> => {
      const file = await ctx.dialogs?.openModelFile();
      return file ? withHandle(await readModelFile(file), caps.grant(file, 'file')) : null;
    },
    'folder:pick': async (purpose) => {
      const dir = await ctx.dialogs?.pickFolder(purpose);
      return dir ? caps.grant(dir, 'folder') : null;
    },
    'audio:scan-folder': async (ref) => {
      const root = await caps.resolve(ref, 'folder');
      const base = ref.startsWith('cap-') ? ref : (caps.handleFor(ref) ?? ref); // a typed path (web shell): its handle
      const listing = await scanAudioFolder(root);
      // Entries are named by handles inside the picked folder, never by path.
      const entry = (p: string) => `${base.replace(/\/+$/, '')}/${path.relative(root, p).split(path.sep).join('/')}`;
      return {
        root: base,
        files: listing.files.map((f) => ({ ...f, path: entry(f.path) })),
        skipped: listing.skipped.map((f) => ({ ...f, path: entry(f.path) })),
      };
    },
    'audio:read': async (ref) => ({ ...(await readAudioFile(await caps.resolve(ref, 'file'))), path: ref }),
    'data:scan': async (ref) => ({ ...(await scanDataFolder(await caps.resolve(ref, 'folder'))), root: ref }),
    'recording:save': async (req) => {
      const r = await saveRecording({ ...req, folder: await caps.resolve(req.folder, 'folder', 'folder') });
      return { ...r, file: caps.handleFor(r.file) ?? path.basename(r.file) };
    },
    'training:start': async (req) => {
      await fs.mkdir(paths.modelsDir, { recursive: true });
      const data = await caps.resolve(req.data, 'folder', 'data');
      const out = req.out === undefined ? undefined : await caps.resolve(req.out, 'new-file', 'out');
      const r = await ctx.training.start({ ...req, data, ...(out ? { out } : {}) });
      return { ...r, out: caps.handleFor(r.out) ?? path.basename(r.out) };
    },
    'training:cancel': async (runId) => ctx.training.cancel(runId),
    'training:runs': async () => (await ctx.training.list()).map((r) => runWithHandles(caps, r)),
    'training:recipes': async () => trainingRecipes(),
    'mic:request-access': async () => (ctx.micAccess ? ctx.micAccess() : 'unknown'),
    'profile:get': async () => {
      const file = ctx.demoProfile?.();
      if (!file) return null;
      // The profile's models reach the renderer as handles, like any other file (least privilege).
      const loaded = await loadDemoProfile(file);
      type Model = LoadedDemoProfile['models']['a'];
      const handle = (m: Model): Model => ({ ...m, path: m.path ? caps.grant(m.path, 'file') : null });
      const { a, b } = loaded.models;
      return { ...loaded, models: b ? { a: handle(a), b: handle(b) } : { a: handle(a) } };
    },
  };
}
