/**
 * Layout checks by element geometry (what a demo audience sees: nothing off screen, nothing on
 * top of anything else) and the axe-core accessibility audit, for the e2e tests.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bounding boxes (css px, viewport coordinates) of the first element of each selector; missing ones throw. */
export async function boxes(page: Page, selectors: Record<string, string>): Promise<Box[]> {
  const out: Box[] = [];
  for (const [name, sel] of Object.entries(selectors)) {
    const b = await page.locator(sel).first().boundingBox();
    if (!b) throw new Error(`${name} (${sel}) is not displayed`);
    out.push({ name, ...b });
  }
  return out;
}

/** Pairs of boxes that overlap by more than `tolerancePx` in both directions. */
export function overlaps(list: readonly Box[], tolerancePx = 0.5): string[] {
  const bad: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i];
      const b = list[j];
      const ox = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (ox > tolerancePx && oy > tolerancePx) bad.push(`${a.name} overlaps ${b.name} (${ox.toFixed(0)}x${oy.toFixed(0)} px)`);
    }
  return bad;
}

/** Boxes not wholly inside the rectangle (the visible part of the window between the bars). */
export function outside(list: readonly Box[], area: { left: number; top: number; right: number; bottom: number }): string[] {
  return list
    .filter((b) => b.x < area.left - 0.5 || b.y < area.top - 0.5 || b.x + b.width > area.right + 0.5 || b.y + b.height > area.bottom + 0.5)
    .map(
      (b) => `${b.name} at ${b.x.toFixed(0)},${b.y.toFixed(0)} ${b.width.toFixed(0)}x${b.height.toFixed(0)} leaves ${JSON.stringify(area)}`,
    );
}

/** The part of the window between the top bar and the status bar. */
export async function contentArea(page: Page): Promise<{ left: number; top: number; right: number; bottom: number }> {
  return page.evaluate(() => {
    const top = document.querySelector('.topbar')!.getBoundingClientRect().bottom;
    const bottom = document.querySelector('#statusbar')!.getBoundingClientRect().top;
    return { left: 0, top, right: window.innerWidth, bottom };
  });
}

/** True when the element's centre is not covered by another element (it is what a click there hits). */
export function isOnTop(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && (hit === el || el.contains(hit));
  }, selector);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core (WCAG 2.x A/AA rules and best practices) on the page as it is; returns the serious and critical violations. */
export async function axeSeriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the debugger protocol: the app's CSP (no inline scripts) stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}
