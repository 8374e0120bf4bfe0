/**
 * `npm run web`: the renderer on a Vite dev server at http://127.0.0.1:5173 with the browser
 * shim of `window.nwave` backed by the real main-process handlers (dev-api-plugin.ts). Training
 * runs in a worker thread loaded through tsx. Also used by the e2e tests (`startWebServer`).
 *
 *   node --conditions=source --import tsx renderer/dev/web-server.ts [--port 5173] [--user-data DIR] [--profile demo.json]
 *
 * A demo profile (`--profile` or NWAVE_PROFILE) loads as in the desktop app; the page also takes
 * `?profile=<url>` (see renderer/src/profile/).
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { createHandlers, findStartProfile, userDataPaths, type DefaultModelCandidate } from '@nwave/electron/handlers';
import { defaultModelCandidates } from '@nwave/electron/main/app-paths';
import type { TrainingEvent } from '@nwave/electron/shared/ipc-contract';
import { TrainingBridge } from '@nwave/electron/training/training-bridge';
import { rendererConfig } from '../vite.config.js';
import { nwaveDevApi } from './dev-api-plugin.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WebServerOptions {
  /** 0 picks a free port. @defaultValue 5173 */
  port?: number;
  /** Settings, runs and trained models. @defaultValue <repo>/.cache/web-user-data */
  userDataDir?: string;
  /** @defaultValue models/default.nwave.json, then the tones fixture */
  defaultModels?: DefaultModelCandidate[];
  /** Module the training worker imports. @defaultValue '@nwave/training' */
  trainerModule?: string;
  hmr?: boolean;
  /** Vite's dependency cache (tests use a private one). @defaultValue renderer/node_modules/.vite */
  cacheDir?: string;
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
  /** Demo profile file loaded at start (as Electron's `--profile`). */
  profile?: string | null;
}

export interface WebServer {
  url: string;
  server: ViteDevServer;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions = {}): Promise<WebServer> {
  const userDataDir = opts.userDataDir ?? path.join(REPO_ROOT, '.cache', 'web-user-data');
  const events = new EventEmitter();
  const training = new TrainingBridge({
    ...userDataPaths(userDataDir),
    workerUrl: new URL('../../electron/src/training/training-worker.ts', import.meta.url),
    viaTsx: true,
    trainerModule: opts.trainerModule ?? '@nwave/training',
    emit: (event) => events.emit('training', event),
  });
  const handlers = createHandlers({
    shell: 'web',
    version: process.env.npm_package_version ?? '0.1.0',
    platform: process.platform,
    userDataDir,
    defaultModels: opts.defaultModels ?? defaultModelCandidates(REPO_ROOT),
    training,
    demoProfile: () => opts.profile ?? null,
  });
  const subscribe = (listener: (e: TrainingEvent) => void): (() => void) => {
    events.on('training', listener);
    return () => events.off('training', listener);
  };
  const base = rendererConfig();
  const server = await createServer({
    ...base,
    configFile: false,
    logLevel: opts.logLevel ?? 'info',
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    plugins: [nwaveDevApi({ handlers, subscribe })],
    server: { host: '127.0.0.1', port: opts.port ?? 5173, strictPort: false, hmr: opts.hmr ?? true },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = address && typeof address === 'object' ? address.port : opts.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    async close() {
      await training.shutdown(1000);
      await handlers.settings.flush();
      await server.close();
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const web = await startWebServer({
    port: Number(arg('--port') ?? 5173),
    userDataDir: arg('--user-data'),
    profile: await findStartProfile(process.argv, process.env),
  });
  console.log(`\n  nwave web app: ${web.url}\n  (browser shim of window.nwave; handlers run in this process)\n`);
  const stop = (): void => void web.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
