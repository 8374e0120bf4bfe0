/**
 * Window and session hardening: the content security policy, the permission policy (microphone
 * only, only for the app's own pages) and navigation locks.
 */
import type { Session, WebContents } from 'electron';

/** Origin of the packaged renderer (served by `app-protocol.ts`). */
export const APP_ORIGIN = 'app://app';

/**
 * Strict CSP: only the app's own scripts (no inline, no eval), workers and worklets from the app
 * (Vite emits the worklet as a file, not a blob), no remote connections.
 */
export function contentSecurityPolicy(devServerOrigin?: string): string {
  const self = devServerOrigin ? `'self' ${devServerOrigin}` : "'self'";
  const connect = devServerOrigin ? `${self} ${devServerOrigin.replace(/^http/, 'ws')}` : self;
  return [
    "default-src 'none'",
    // 'wasm-unsafe-eval': WebAssembly compilation only (ONNX Runtime Web, Model tab); still no JS eval.
    `script-src ${self} 'wasm-unsafe-eval'`,
    `worker-src ${self}`,
    `style-src ${self}`,
    `img-src ${self} data: blob:`,
    `media-src ${self} blob: mediastream:`,
    `connect-src ${connect}`,
    `font-src ${self}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** True for the app's pages: the packaged origin, or the dev server when one is configured. */
export function makeUrlTrust(devServerOrigin?: string): (url: string) => boolean {
  return (url: string) => {
    try {
      const origin = new URL(url).origin;
      return url.startsWith(`${APP_ORIGIN}/`) || (!!devServerOrigin && origin === devServerOrigin);
    } catch {
      return false;
    }
  };
}

/** Grants audio capture (never video, never anything else) to the app's own pages. */
export function applySessionPolicy(session: Session, isTrustedUrl: (url: string) => boolean): void {
  session.setPermissionRequestHandler((wc, permission, callback, details) => {
    const media = details as { mediaTypes?: string[]; requestingUrl?: string };
    const audioOnly = permission === 'media' && (media.mediaTypes ?? []).every((t) => t === 'audio');
    callback(audioOnly && isTrustedUrl(media.requestingUrl ?? wc.getURL()));
  });
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permission === 'media' && isTrustedUrl(`${requestingOrigin}/`));
}

/** No navigation away from the app, no new windows (external links open in the browser). */
export function lockNavigation(wc: WebContents, isTrustedUrl: (url: string) => boolean, openExternal: (url: string) => void): void {
  wc.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault();
  });
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
}
