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

/**
 * Hosts whose https links open in the user's browser (project docs and references). Any other
 * link is dropped: a renderer bug must not be able to launch arbitrary URLs or protocols.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'www.electronjs.org', 'neuronova.io', 'www.neuronova.io'];

/** True for an `https:` URL (no credentials, default port) whose host is in `hosts`. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password && u.port === '' && hosts.includes(u.hostname);
  } catch {
    return false;
  }
}

/** Permission request details as Electron passes them (only the fields read here). */
export interface PermissionDetails {
  mediaTypes?: string[];
  requestingUrl?: string;
}

/**
 * The permission decision: only `media` with a non-empty list of media types that are all
 * `audio` (an empty list would mean "any"), requested by the app's own page; everything else
 * (video, screen capture, notifications, geolocation, ...) is refused.
 */
export function allowPermission(permission: string, details: PermissionDetails, isTrustedUrl: (url: string) => boolean): boolean {
  const types = details.mediaTypes;
  const audioOnly = permission === 'media' && Array.isArray(types) && types.length > 0 && types.every((t) => t === 'audio');
  return audioOnly && typeof details.requestingUrl === 'string' && isTrustedUrl(details.requestingUrl);
}

/** The permission check (synchronous "may this page use X"): audio media for the app's own origin only. */
export function allowPermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: { mediaType?: string },
  isTrustedUrl: (url: string) => boolean,
): boolean {
  return permission === 'media' && details.mediaType === 'audio' && isTrustedUrl(`${requestingOrigin}/`);
}

/** Grants audio capture (never video, never anything else) to the app's own pages. */
export function applySessionPolicy(session: Session, isTrustedUrl: (url: string) => boolean): void {
  session.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(allowPermission(permission, details as PermissionDetails, isTrustedUrl)),
  );
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    allowPermissionCheck(permission, requestingOrigin, details as { mediaType?: string }, isTrustedUrl),
  );
}

/**
 * No navigation or redirect away from the app, no new windows, no webviews; links to the allowed
 * hosts open in the user's browser, every other link is dropped.
 */
export function lockNavigation(
  wc: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  isTrustedUrl: (url: string) => boolean,
  openExternal: (url: string) => void,
  externalHosts: readonly string[] = EXTERNAL_LINK_HOSTS,
): void {
  const block = (event: { preventDefault(): void }, url: string): void => {
    if (!isTrustedUrl(url)) event.preventDefault();
  };
  wc.on('will-navigate', block);
  wc.on('will-redirect', block);
  wc.on('will-frame-navigate', (event: { preventDefault(): void; url: string }) => block(event, event.url));
  wc.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url, externalHosts)) openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-attach-webview', (event: { preventDefault(): void }) => event.preventDefault());
}
