/**
 * The live view in headless Chromium (Debian's, driven by playwright-core): a run page open
 * while the run writes a round picks that round up, and the status when the run ends; the
 * index, the live page and the report load with no console error and no request leaving the
 * loopback server. Screenshots: tests/.tmp/screens/serve-index.png, serve-run.png,
 * serve-report.png.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { serveFixture, setStatus, type ServeFixture } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.ATP_SIM_SKIP_BROWSER === '1';
const SCREENS = join(REPO_ROOT, 'tests/.tmp/screens');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

describe.skipIf(skip)('the live view in a browser', () => {
  let fx: ServeFixture;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const leaks: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    fx = await serveFixture();
    server = await startServer({ root: fx.root, port: 0, pollMs: 100 });
    mkdirSync(SCREENS, { recursive: true });
    context = await chromium.launchPersistentContext(join(tempDir(), 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1100, height: 800 } });
    // Anything not addressed to the loopback server is aborted and counted.
    await context.route('**/*', (route) => (route.request().url().startsWith(server.url) ? route.continue() : (leaks.push(route.request().url()), route.abort())));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it('lists the runs', async () => {
    await page.goto(server.url);
    expect(await page.locator('#runs tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(SCREENS, 'serve-index.png'), fullPage: true });
  });

  it('picks up a round appended to rounds.jsonl while the page is open, then the end of the run', async () => {
    await page.goto(`${server.url}run/live`);
    const rows = page.locator('#rounds tbody tr');
    expect(await rows.count()).toBe(2);
    await expect.poll(() => page.locator('#connection').innerText()).toContain('connected');
    appendFileSync(join(fx.live, 'rounds.jsonl'), fx.roundLines[2]);
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(2).locator('td').first().innerText()).toBe('3');
    expect(await page.locator('#progress-text').innerText()).toBe('3 of 4 rounds');
    expect(await page.locator('#progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(3);
    appendFileSync(join(fx.live, 'rounds.jsonl'), fx.roundLines[3]);
    setStatus(fx.live, 'complete', { roundsCompleted: 4 });
    await expect.poll(() => page.locator('#status').innerText()).toBe('complete');
    expect(await rows.count()).toBe(4);
    expect(await page.locator('#spend').innerText()).toMatch(/^\$0\.00\d\d$/);
    await page.screenshot({ path: join(SCREENS, 'serve-run.png'), fullPage: true });
  });

  it("opens the run's report from the live page", async () => {
    await page.goto(`${server.url}run/demo`);
    await page.getByRole('link', { name: 'report' }).click();
    await page.waitForURL(`${server.url}report/demo`);
    expect(await page.locator('h1').innerText()).toBe('Run demo');
    await page.screenshot({ path: join(SCREENS, 'serve-report.png'), fullPage: true });
  });

  it('loaded everything from the loopback server, with no console error', () => {
    expect(leaks).toEqual([]);
    expect(problems).toEqual([]);
  });
});
