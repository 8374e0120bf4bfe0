import path from 'node:path';
import { it } from 'vitest';
import { useWebServer } from '../helpers/web-fixture.js';
import { openApp } from '../helpers/browser.js';
import { withPage } from '../helpers/live-session.js';
import { toneFixtures } from '../helpers/tone-fixtures.js';
const server = useWebServer('probe', [{ path: path.resolve('test/fixtures/models/tones.nwave.json') }]);
it('probe', async () => {
  await withPage(toneFixtures().quiet, async (page) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await openApp(page, server.web.url + (process.env.PROBE_QUERY ?? ''));
    await page.click('[data-tab=model]');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=open-compare]')]);
    await chooser.setFiles(path.resolve('test/fixtures/models/tones.nwave.json'));
    await page.click('[data-tab=live]');
    await page.waitForTimeout(500);
    const probe = () => page.evaluate(() => {
      const c = document.querySelector('.center')!;
      const p = document.querySelector('#pane-a')!;
      return JSON.stringify({ cST: c.scrollTop, cSH: c.scrollHeight, cCH: c.clientHeight, pane: p.getBoundingClientRect().height, paneSH: p.scrollHeight });
    });
    console.log(await probe());
    await page.locator('[data-testid=threshold-reset]').scrollIntoViewIfNeeded();
    console.log(await probe());
    console.log(await page.evaluate(() => {
      const m = document.querySelector('main')!;
      const g = document.querySelector('.live-grid')!;
      return JSON.stringify({ mainSH: m.scrollHeight, mainCH: m.clientHeight, grid: g.getBoundingClientRect().height, gridSH: g.scrollHeight });
    }));
    await page.screenshot({ path: 'test/.artifacts/probe.png' });
  });
});
