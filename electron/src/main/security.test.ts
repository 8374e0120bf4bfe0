import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ protocol: {} }));
const { contentSecurityPolicy, makeUrlTrust } = await import('./security.js');
const { resolveInside } = await import('./app-protocol.js');

describe('window security', () => {
  it('has a strict CSP: own scripts only, no inline script, no eval, no remote connections', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'|\*/);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'"); // WebAssembly (ONNX Runtime Web) only, no JS eval
    expect(csp).toContain("connect-src 'self'");
    expect(contentSecurityPolicy('http://127.0.0.1:5173')).toContain("connect-src 'self' http://127.0.0.1:5173 ws://127.0.0.1:5173");
  });

  it('trusts only the app origin (and the dev server when configured)', () => {
    const t = makeUrlTrust();
    expect(t('app://app/index.html')).toBe(true);
    expect(t('app://other/index.html')).toBe(false);
    expect(t('file:///etc/passwd')).toBe(false);
    expect(t('http://127.0.0.1:5173/')).toBe(false);
    expect(t('not a url')).toBe(false);
    expect(makeUrlTrust('http://127.0.0.1:5173')('http://127.0.0.1:5173/index.html')).toBe(true);
  });

  it('serves app:// files only from inside the renderer folder', () => {
    const root = path.resolve('/srv/renderer');
    expect(resolveInside(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveInside(root, '/assets/main.js')).toBe(path.join(root, 'assets', 'main.js'));
    expect(resolveInside(root, '/../secret.txt')).toBeNull();
    expect(resolveInside(root, '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
  });
});

describe('packaged paths', async () => {
  const { builtPaths, defaultModelCandidates } = await import('./app-paths.js');
  it('reads workers from app.asar.unpacked in a packaged app, and models from resources first', () => {
    const p = builtPaths('/opt/nwave/resources/app.asar/electron/dist');
    expect(p.preload).toBe('/opt/nwave/resources/app.asar/electron/dist/preload.cjs');
    expect(p.trainingWorker).toBe('/opt/nwave/resources/app.asar.unpacked/electron/dist/training-worker.cjs');
    expect(p.trainer).toBe('/opt/nwave/resources/app.asar.unpacked/electron/dist/trainer.cjs');
    expect(p.rendererDir).toBe('/opt/nwave/resources/app.asar/renderer/dist');
    expect(builtPaths('/repo/electron/dist').trainingWorker).toBe('/repo/electron/dist/training-worker.cjs');
    expect(defaultModelCandidates('/repo', '/opt/nwave/resources').map((c) => c.path)).toEqual([
      '/opt/nwave/resources/models/default.nwave.json',
      '/repo/models/default.nwave.json',
      '/opt/nwave/resources/models/tones.nwave.json',
      '/repo/test/fixtures/models/tones.nwave.json',
    ]);
  });
});

describe('least privilege (issue 14)', async () => {
  const { allowPermission, allowPermissionCheck, isAllowedExternalUrl, lockNavigation } = await import('./security.js');
  const trust = makeUrlTrust();
  const app = 'app://app/index.html';

  it('grants the microphone only for audio requests from the app origin; an empty media-type list is refused', () => {
    expect(allowPermission('media', { mediaTypes: ['audio'], requestingUrl: app }, trust)).toBe(true);
    expect(allowPermission('media', { mediaTypes: [], requestingUrl: app }, trust)).toBe(false);
    expect(allowPermission('media', { requestingUrl: app }, trust)).toBe(false);
    expect(allowPermission('media', { mediaTypes: ['audio', 'video'], requestingUrl: app }, trust)).toBe(false);
    expect(allowPermission('media', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' }, trust)).toBe(false);
    expect(allowPermission('media', { mediaTypes: ['audio'] }, trust)).toBe(false);
    for (const p of ['notifications', 'geolocation', 'display-capture', 'clipboard-read', 'openExternal'])
      expect(allowPermission(p, { mediaTypes: ['audio'], requestingUrl: app }, trust)).toBe(false);
    expect(allowPermissionCheck('media', 'app://app', { mediaType: 'audio' }, trust)).toBe(true);
    expect(allowPermissionCheck('media', 'app://app', { mediaType: 'video' }, trust)).toBe(false);
    expect(allowPermissionCheck('media', 'app://app', {}, trust)).toBe(false);
    expect(allowPermissionCheck('media', 'https://evil.example', { mediaType: 'audio' }, trust)).toBe(false);
  });

  it('opens only https links to allow-listed hosts', () => {
    expect(isAllowedExternalUrl('https://github.com/nwave-ts')).toBe(true);
    for (const u of [
      'http://github.com/',
      'https://evil.example/',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'not a url',
    ])
      expect(isAllowedExternalUrl(u), u).toBe(false);
  });

  it('blocks will-navigate, will-redirect and frame navigation away from the app, denies new windows and webviews', () => {
    const listeners = new Map<string, (event: { preventDefault(): void; url?: string }, url?: string) => void>();
    let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' });
    const opened: string[] = [];
    lockNavigation(
      {
        on: ((ch: string, fn: never) => listeners.set(ch, fn)) as never,
        setWindowOpenHandler: ((fn: typeof openHandler) => (openHandler = fn)) as never,
      },
      trust,
      (u) => opened.push(u),
    );
    const fire = (ch: string, url: string) => {
      let prevented = false;
      listeners.get(ch)!({ preventDefault: () => (prevented = true), url }, url);
      return prevented;
    };
    for (const ch of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(fire(ch, 'https://evil.example/'), ch).toBe(true);
      expect(fire(ch, 'app://app/index.html'), ch).toBe(false);
    }
    expect(fire('will-attach-webview', 'app://app/')).toBe(true);
    expect(openHandler({ url: 'https://github.com/x' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/x']);
  });
});
