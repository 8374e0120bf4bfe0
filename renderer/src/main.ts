/** Renderer entry: tabs, the API (preload in Electron, HTTP shim in a browser), then the app. */
import './styles.css';
import { getApi } from './api/nwave-client.js';
import { App } from './app.js';
import { $ } from './views/dom.js';

/** WAI-ARIA tabs: click or Enter/Space selects; arrow keys, Home and End move between tabs (one tab stop). */
function setupTabs(): void {
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('[data-tab]'));
  const select = (b: HTMLButtonElement, focus: boolean): void => {
    for (const other of buttons) {
      const active = other === b;
      other.setAttribute('aria-selected', String(active));
      other.tabIndex = active ? 0 : -1;
      $(`#tab-${other.dataset.tab}`).hidden = !active;
    }
    if (focus) b.focus();
  };
  for (const b of buttons) {
    b.addEventListener('click', () => select(b, false));
    b.addEventListener('keydown', (e) => {
      const i = buttons.indexOf(b);
      const next =
        e.key === 'ArrowRight'
          ? buttons[(i + 1) % buttons.length]
          : e.key === 'ArrowLeft'
            ? buttons[(i - 1 + buttons.length) % buttons.length]
            : e.key === 'Home'
              ? buttons[0]
              : e.key === 'End'
                ? buttons[buttons.length - 1]
                : null;
      if (!next) return;
      e.preventDefault();
      select(next, true);
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
