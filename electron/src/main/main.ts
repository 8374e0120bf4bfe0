/**
 * Electron main process: one hardened window (contextIsolation, sandbox, no nodeIntegration,
 * strict CSP), the renderer served from app://app/, the typed IPC surface, and training in a
 * worker thread. Bundled by electron/scripts/build.ts to electron/dist/main.cjs.
 *
 * Environment: NWAVE_DEV_URL=http://127.0.0.1:5173 loads the Vite dev server instead of the
 * built renderer (with this same preload, so `window.nwave` is the real IPC API).
 * Demo profile: `--profile <file>`, NWAVE_PROFILE, File > Open demo profile…, or the one bundled
 * as `<resources>/profile/demo-profile.json` (handlers/demo-profile.ts).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, session, shell, systemPreferences } from 'electron';
import {
  createHandlers,
  defaultCapabilities,
  eventWithHandles,
  findStartProfile,
  userDataPaths,
  type NativeDialogs,
} from '../handlers/index.js';
import type { MicAccess } from '../shared/ipc-contract.js';
import { TrainingBridge } from '../training/training-bridge.js';
import { handleAppProtocol, registerAppScheme } from './app-protocol.js';
import { builtPaths, defaultModelCandidates } from './app-paths.js';
import { registerIpc } from './ipc.js';
import { installProfileMenu } from './profile-menu.js';
import { APP_ORIGIN, EXTERNAL_LINK_HOSTS, applySessionPolicy, lockNavigation, makeUrlTrust } from './security.js';

const distDir = path.dirname(fileURLToPath(import.meta.url));
const built = builtPaths(distDir);
const devUrl = process.env.NWAVE_DEV_URL;
const isTrustedUrl = makeUrlTrust(devUrl ? new URL(devUrl).origin : undefined);

registerAppScheme();
// Every renderer sandboxed, whatever its webPreferences (Electron security checklist).
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

function dialogs(getWindow: () => BrowserWindow | null): NativeDialogs {
  return {
    async openModelFile() {
      const win = getWindow();
      const opts = { title: 'Open model', properties: ['openFile' as const], filters: [{ name: 'nwave model', extensions: ['json'] }] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async pickFolder(purpose) {
      const win = getWindow();
      const opts = {
        title: purpose === 'data' ? 'Choose a data folder (DATA/<word>/*.wav)' : 'Choose a folder of WAV files',
        properties: ['openDirectory' as const, 'createDirectory' as const],
      };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  };
}

async function micAccess(): Promise<MicAccess> {
  if (process.platform !== 'darwin') return 'unknown';
  const status = systemPreferences.getMediaAccessStatus('microphone');
  if (status === 'not-determined') return (await systemPreferences.askForMediaAccess('microphone')) ? 'granted' : 'denied';
  return status === 'granted' || status === 'denied' || status === 'restricted' ? status : 'unknown';
}

async function start(): Promise<void> {
  await app.whenReady();
  const userDataDir = app.getPath('userData');
  const appRoot = app.getAppPath();
  let win: BrowserWindow | null = null;
  let emit: ReturnType<typeof registerIpc>['emit'] = () => undefined;
  // The renderer names files by capability handles only (handlers/capabilities.ts).
  const capabilities = defaultCapabilities({ userDataDir, shell: 'electron' });
  let profile = await findStartProfile(process.argv, process.env, app.isPackaged ? process.resourcesPath : undefined);
  const training = new TrainingBridge({
    ...userDataPaths(userDataDir),
    workerUrl: pathToFileURL(built.trainingWorker),
    trainerModule: pathToFileURL(built.trainer).href,
    emit: (event) => emit('training:event', eventWithHandles(capabilities, event)),
  });
  const handlers = createHandlers({
    shell: 'electron',
    version: app.getVersion(),
    platform: process.platform,
    userDataDir,
    defaultModels: defaultModelCandidates(appRoot, app.isPackaged ? process.resourcesPath : undefined),
    training,
    dialogs: dialogs(() => win),
    micAccess,
    capabilities,
    demoProfile: () => profile,
  });
  installProfileMenu(
    () => win,
    (file) => (profile = file),
  );
  const ipc = registerIpc({ handlers, isTrustedUrl, grantDropped: handlers.grantDropped });
  emit = ipc.emit;
  handleAppProtocol(built.rendererDir);
  applySessionPolicy(session.defaultSession, isTrustedUrl);

  win = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#0e1117',
    title: 'nwave: live keyword spotting',
    show: false,
    webPreferences: {
      preload: built.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  lockNavigation(win.webContents, isTrustedUrl, (url) => void shell.openExternal(url), EXTERNAL_LINK_HOSTS);
  win.once('ready-to-show', () => win?.show());
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  win.on('closed', () => (win = null));
  await win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    // Nothing the user made is lost: settings are flushed, a running training is stopped and
    // recorded as interrupted (its epochs are already on disk).
    void Promise.allSettled([handlers.settings.flush(), capabilities.flush(), training.shutdown()]).then(() => app.quit());
  });
}

app.on('window-all-closed', () => app.quit());
void start().catch((err) => {
  dialog.showErrorBox('nwave could not start', String((err as Error)?.stack ?? err));
  app.exit(1);
});
