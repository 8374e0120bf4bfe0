/**
 * `app://app/...` serves the built renderer (renderer/dist) from a privileged standard scheme, so
 * workers, AudioWorklets and fetch behave as on a web origin (workers from file:// are blocked,
 * electron#40442), with the CSP sent as a header.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { protocol } from 'electron';
import { contentSecurityPolicy } from './security.js';

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** Resolves a request path inside `root`, or null when it would escape it. */
export function resolveInside(root: string, urlPath: string): string | null {
  const rel = decodeURIComponent(urlPath).replace(/^\/+/, '') || 'index.html';
  const full = path.resolve(root, rel);
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

/** Serves files of `rendererDir` on app://app/. Call after `app.whenReady()`. */
export function handleAppProtocol(rendererDir: string): void {
  const root = path.resolve(rendererDir);
  const csp = contentSecurityPolicy();
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'app' ? resolveInside(root, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await fs.readFile(file);
      return new Response(body, {
        headers: {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'content-security-policy': csp,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
