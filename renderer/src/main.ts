/** Renderer entry: tabs, the API (preload in Electron, HTTP shim in a browser), then the app. */
import './styles.css';
import { getApi } from './api/nwave-client.js';
import { App } from './app.js';
import { $ } from './views/dom.js';

function setupTabs(): void {
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-tab]'));
  for (const b of buttons) {
    b.addEventListener('click', () => {
      for (const other of buttons) {
        const active = other === b;
        other.setAttribute('aria-selected', String(active));
        $(`#tab-${other.dataset.tab}`).hidden = !active;
      }
    });
  }
}

setupTabs();
const { api, shell } = getApi();
document.body.dataset.shell = shell;
const app = new App(api);
app.start().then(
  () => (document.body.dataset.ready = 'true'),
  (err: unknown) => app.store.fail(err),
);
