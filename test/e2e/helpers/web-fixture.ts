/**
 * One dev web server per e2e file: registers beforeAll/afterAll (temp user-data folder, Vite
 * cache inside it, cleanup) and hands the server to the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startWebServer, type WebServer } from '@nwave/renderer/dev/web-server';

export interface WebFixture {
  /** The running server (valid inside tests). */
  readonly web: WebServer;
  /** Its user-data folder (settings, recordings). */
  readonly userData: string;
}

/** Starts the dev server before the file's tests with these default models, stops it after. */
export function useWebServer(
  prefix: string,
  defaultModels: { path: string; note?: string }[],
  opts: { profile?: string; trainerModule?: string } = {},
): WebFixture {
  const state = { web: undefined as WebServer | undefined, userData: '' };
  beforeAll(async () => {
    state.userData = mkdtempSync(path.join(tmpdir(), `nwave-e2e-${prefix}-`));
    state.web = await startWebServer({
      port: 0,
      userDataDir: state.userData,
      defaultModels,
      hmr: false,
      cacheDir: path.join(state.userData, 'vite-cache'),
      logLevel: 'warn',
      profile: opts.profile ?? null,
      ...(opts.trainerModule ? { trainerModule: opts.trainerModule } : {}),
    });
  });
  afterAll(async () => {
    await state.web?.close();
    // Vite's dependency optimizer can still be renaming its deps_temp folder just after close():
    // retry on ENOTEMPTY instead of failing the suite in its cleanup.
    if (state.userData) rmSync(state.userData, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });
  return {
    get web() {
      if (!state.web) throw new Error('web server not started (use inside a test)');
      return state.web;
    },
    get userData() {
      return state.userData;
    },
  };
}
