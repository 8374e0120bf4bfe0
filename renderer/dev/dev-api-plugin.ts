/**
 * Vite plugin for `npm run web`: serves the Electron main process's handlers to the browser
 * shim of `window.nwave`, on the dev server's own 127.0.0.1 origin.
 *
 *   POST /__nwave/invoke/<channel>   body: wire-encoded argument array -> InvokeResult
 *   GET  /__nwave/events             Server-Sent Events: `training:event`
 *
 * Requests must carry `x-nwave-shim: 1` (a header a cross-site page cannot send without a CORS
 * preflight, which is never answered) and a loopback Host; the CSP header mirrors Electron's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';
import { dispatchInvoke } from '@nwave/electron/handlers';
import type { InvokeHandlers, TrainingEvent } from '@nwave/electron/shared/ipc-contract';
import { DEV_API_PREFIX, decodeWire, encodeWire } from '@nwave/electron/shared/wire-codec';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface DevApiOptions {
  handlers: InvokeHandlers;
  /** Registers a listener for training events; returns the unsubscribe function. */
  subscribe(listener: (event: TrainingEvent) => void): () => void;
}

/** CSP of the dev server: Electron's, plus inline styles (Vite injects CSS as <style>) and HMR. */
export function devContentSecurityPolicy(host: string): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ws://${host}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

const isLoopbackHost = (host: string | undefined): boolean => !!host && /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

export function nwaveDevApi(opts: DevApiOptions): Plugin {
  return {
    name: 'nwave-dev-api',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = req.url ?? '/';
        if (url === '/' || url.startsWith('/index.html') || url.startsWith('/?'))
          res.setHeader('content-security-policy', devContentSecurityPolicy(req.headers.host ?? '127.0.0.1'));
        next();
      });
      server.middlewares.use(DEV_API_PREFIX, (req, res) => {
        if (!isLoopbackHost(req.headers.host)) return send(res, 403, '{"error":"loopback only"}');
        const path = (req.url ?? '').split('?')[0];
        if (req.method === 'GET' && path === '/events') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
          res.write(': connected\n\n');
          const off = opts.subscribe((event) => res.write(`event: training:event\ndata: ${encodeWire(event)}\n\n`));
          const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
          req.on('close', () => {
            clearInterval(ping);
            off();
          });
          return;
        }
        const m = /^\/invoke\/([a-z:-]+)$/.exec(path);
        if (req.method !== 'POST' || !m) return send(res, 404, '{"error":"not found"}');
        if (req.headers['x-nwave-shim'] !== '1') return send(res, 403, '{"error":"missing x-nwave-shim header"}');
        void readBody(req)
          .then((text) => dispatchInvoke(opts.handlers, m[1], decodeWire(text || '[]')))
          .then((result) => send(res, 200, encodeWire(result)))
          .catch((err: Error) => send(res, 400, encodeWire({ ok: false, error: { code: 'INVALID_ARGUMENT', message: err.message } })));
      });
    },
  };
}
