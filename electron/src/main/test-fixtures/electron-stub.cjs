/* global require, process, console, setTimeout, Request */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload hook for `node --require` */
// Test only: a stand-in for the `electron` module, installed with `node --require` so that the
// bundled main process (electron/dist/main.cjs) can start under plain Node. It records what main
// does, then exercises the protocol, the permission policy and one IPC call, and prints JSON.
const Module = require('node:module');
const { tmpdir } = require('node:os');
const path = require('node:path');

const record = { schemes: null, windows: [], loaded: [], channels: [], protocol: null, permission: null, check: null };
const ipcHandlers = new Map();
const listeners = {};
const webContents = {
  on(ev) {
    (record.wcEvents ??= []).push(ev);
  },
  once() {},
  setWindowOpenHandler(fn) {
    record.windowOpen = fn({ url: 'https://example.com' });
  },
  send() {},
  isDestroyed: () => false,
  getURL: () => 'app://app/index.html',
};
class BrowserWindow {
  constructor(opts) {
    record.windows.push(opts);
    this.webContents = webContents;
  }
  once() {}
  on() {}
  show() {}
  isMinimized() {
    return false;
  }
  focus() {}
  loadURL(url) {
    record.loaded.push(url);
    return Promise.resolve();
  }
}
const electron = {
  app: {
    whenReady: () => Promise.resolve(),
    requestSingleInstanceLock: () => true,
    enableSandbox: () => {
      record.sandboxAll = true;
    },
    getPath: () => process.env.NWAVE_STUB_USER_DATA ?? path.join(tmpdir(), 'nwave-stub'),
    getAppPath: () => process.env.NWAVE_STUB_APP_ROOT,
    getVersion: () => '0.1.0-stub',
    isPackaged: false,
    on: (ev, fn) => {
      listeners[ev] = fn;
    },
    quit() {},
    exit() {},
  },
  BrowserWindow,
  dialog: {
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    showErrorBox: (t, m) => {
      console.error(t, m);
      process.exit(3);
    },
  },
  shell: { openExternal() {} },
  Menu: {
    buildFromTemplate: (template) => template,
    setApplicationMenu: (menu) => {
      record.menu = menu.map((m) => ({ label: m.label ?? m.role, items: (m.submenu ?? []).map((i) => i.label ?? i.role ?? i.type) }));
    },
  },
  systemPreferences: {},
  ipcMain: {
    handle: (ch, fn) => {
      record.channels.push(ch);
      ipcHandlers.set(ch, fn);
    },
    on() {},
    removeHandler() {},
    removeListener() {},
  },
  protocol: {
    registerSchemesAsPrivileged: (s) => {
      record.schemes = s;
    },
    handle: (scheme, fn) => {
      record.protocol = { scheme, fn };
    },
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn) => {
        record.permission = fn;
      },
      setPermissionCheckHandler: (fn) => {
        record.check = fn;
      },
    },
  },
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? 'electron-stub' : resolve.call(this, request, ...rest);
};
require.cache['electron-stub'] = { id: 'electron-stub', filename: 'electron-stub', loaded: true, exports: electron };

setTimeout(async () => {
  const ask = (permission, details) => new Promise((r) => record.permission(webContents, permission, r, details));
  const res = await record.protocol.fn(new Request('app://app/index.html'));
  const escape = await record.protocol.fn(new Request('app://app/..%2f..%2fpackage.json'));
  const info = await ipcHandlers.get('app:info')({ senderFrame: { url: 'app://app/index.html', parent: null }, sender: webContents });
  const foreign = await ipcHandlers.get('app:info')({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: webContents });
  const profile = await ipcHandlers.get('profile:get')({ senderFrame: { url: 'app://app/index.html', parent: null }, sender: webContents });
  const out = {
    schemes: record.schemes,
    webPreferences: record.windows[0]?.webPreferences,
    loaded: record.loaded,
    channels: record.channels.sort(),
    page: {
      status: res.status,
      csp: res.headers.get('content-security-policy'),
      type: res.headers.get('content-type'),
      body: await res.text(),
    },
    escapeStatus: escape.status,
    mic: await ask('media', { mediaTypes: ['audio'], requestingUrl: 'app://app/index.html' }),
    camera: await ask('media', { mediaTypes: ['video'], requestingUrl: 'app://app/index.html' }),
    foreignMic: await ask('media', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' }),
    emptyMediaTypes: await ask('media', { mediaTypes: [], requestingUrl: 'app://app/index.html' }),
    geolocation: await ask('geolocation', { requestingUrl: 'app://app/index.html' }),
    windowOpen: record.windowOpen,
    sandboxAll: record.sandboxAll ?? false,
    wcEvents: record.wcEvents ?? [],
    info,
    foreign,
    profile,
    menu: record.menu,
    quitHandler: typeof listeners['before-quit'],
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}, 300);
