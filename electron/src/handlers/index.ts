/**
 * The app's request handlers as plain async functions, one per invoke channel. The Electron main
 * process registers them on ipcMain (`main/ipc.ts`); `npm run web` serves the same functions over
 * HTTP on 127.0.0.1 (`renderer/dev/`), so browser tests exercise this exact code.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { AppInfo, InvokeHandlers, MicAccess, ModelFile } from '../shared/ipc-contract.js';
import type { TrainingBridge } from '../training/training-bridge.js';
import { scanAudioFolder, readAudioFile, scanDataFolder } from './folders.js';
import { loadDemoProfile } from './demo-profile.js';
import { loadDefaultModel, readModelFile, type DefaultModelCandidate } from './model-files.js';
import { saveRecording } from './recordings.js';
import { SettingsStore } from './settings-store.js';

export { dispatchInvoke, isInvokeChannel } from './dispatch.js';
export { SettingsStore, DEFAULT_SETTINGS } from './settings-store.js';
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
  /** The demo profile file to start with (read on every `profile:get`, so a File-menu choice takes effect on reload). */
  demoProfile?: () => string | null;
}

/** Folders derived from `userDataDir`. */
export function userDataPaths(userDataDir: string): { settingsFile: string; runsDir: string; modelsDir: string } {
  return {
    settingsFile: path.join(userDataDir, 'settings.json'),
    runsDir: path.join(userDataDir, 'training-runs'),
    modelsDir: path.join(userDataDir, 'models'),
  };
}

export function createHandlers(ctx: HandlerContext): InvokeHandlers & { settings: SettingsStore } {
  const paths = userDataPaths(ctx.userDataDir);
  const settings = new SettingsStore(paths.settingsFile);
  return {
    settings,
    'app:info': async () => ({
      version: ctx.version,
      shell: ctx.shell,
      platform: ctx.platform,
      dialogs: !!ctx.dialogs,
      userDataDir: ctx.userDataDir,
      modelsDir: paths.modelsDir,
    }),
    'settings:get': () => settings.get(),
    'settings:update': (patch) => settings.update(patch),
    'model:load-default': () => loadDefaultModel(ctx.defaultModels),
    'model:read': (file) => readModelFile(file),
    'model:open-dialog': async (): Promise<ModelFile | null> => {
      const file = await ctx.dialogs?.openModelFile();
      return file ? readModelFile(file) : null;
    },
    'folder:pick': async (purpose) => (await ctx.dialogs?.pickFolder(purpose)) ?? null,
    'audio:scan-folder': (dir) => scanAudioFolder(dir),
    'audio:read': (file) => readAudioFile(file),
    'data:scan': (dir) => scanDataFolder(dir),
    'recording:save': (req) => saveRecording(req),
    'training:start': async (req) => {
      await fs.mkdir(paths.modelsDir, { recursive: true });
      return ctx.training.start(req);
    },
    'training:cancel': async (runId) => ctx.training.cancel(runId),
    'training:runs': () => ctx.training.list(),
    'mic:request-access': async () => (ctx.micAccess ? ctx.micAccess() : 'unknown'),
    'profile:get': async () => {
      const file = ctx.demoProfile?.();
      return file ? loadDemoProfile(file) : null;
    },
  };
}
