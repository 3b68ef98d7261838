/**
 * Headless Chromium for the browser tests (Debian's /usr/bin/chromium driven by playwright-core):
 * every request not for `allowed` is aborted and recorded as a leak, console errors and warnings
 * and page errors are recorded, and screenshots go to tests/.tmp/screens/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, tempDir } from './paths.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Skipped only when the browser is absent and ATP_SIM_SKIP_BROWSER=1 says so. */
export const SKIP_BROWSER = !existsSync(CHROMIUM) && process.env.ATP_SIM_SKIP_BROWSER === '1';
export const SCREENS = join(REPO_ROOT, 'tests/.tmp/screens');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests that were not allowed (aborted). */
  readonly leaks: string[];
  /** Console errors and warnings, and uncaught page errors. */
  readonly problems: string[];
  screenshot(name: string, selector?: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(allowed: (url: string) => boolean): Promise<Browser> {
  mkdirSync(SCREENS, { recursive: true });
  const context = await chromium.launchPersistentContext(join(tempDir(), 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 900 } });
  const leaks: string[] = [];
  const problems: string[] = [];
  await context.route('**/*', (route) => (allowed(route.request().url()) ? route.continue() : (leaks.push(route.request().url()), route.abort())));
  const page = context.pages()[0] ?? (await context.newPage());
  // Chromium's software WebGL (no GPU here) warns "GL Driver Message ... GPU stall due to
  // ReadPixels" when a canvas is read back: the driver's performance note, not the page's fault.
  page.on('console', (m) => (m.type() === 'error' || (m.type() === 'warning' && !/GL Driver Message/.test(m.text()))) && problems.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(e.message));
  return {
    context,
    page,
    leaks,
    problems,
    async screenshot(name, selector) {
      const path = join(SCREENS, name);
      if (selector) await page.locator(selector).screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => context.close(),
  };
}
