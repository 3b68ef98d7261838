/**
 * The live view in headless Chromium: a run page open while the run writes a round picks that
 * round up, and the status when the run ends; the index, the live page and the report load with
 * no console error and no request leaving the loopback server. Screenshots (tests/.tmp/screens/):
 * serve-index.png, serve-run.png, serve-report.png.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { openBrowser, SKIP_BROWSER, type Browser } from '../helpers/browser.ts';
import { serveFixture, setStatus, type ServeFixture } from './fixture.ts';
import { EXPLORE } from '../../src/cli/serve.ts';

describe.skipIf(SKIP_BROWSER)('the live view in a browser', () => {
  let fx: ServeFixture;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    fx = await serveFixture();
    server = await startServer({ root: fx.root, port: 0, pollMs: 100, explore: EXPLORE });
    // Anything not addressed to the loopback server is aborted and counted.
    browser = await openBrowser((url) => url.startsWith(server.url));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the runs', async () => {
    await browser.page.goto(server.url);
    expect(await browser.page.locator('#runs tbody tr').count()).toBe(2);
    await browser.screenshot('serve-index.png');
  });

  it('picks up a round appended to rounds.jsonl while the page is open, then the end of the run', async () => {
    const page = browser.page;
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
    await browser.screenshot('serve-run.png');
  });

  it("opens the run's report from the live page", async () => {
    const page = browser.page;
    await page.goto(`${server.url}run/demo`);
    await page.getByRole('link', { name: 'report' }).click();
    await page.waitForURL(`${server.url}report/demo`);
    expect(await page.locator('h1').innerText()).toBe('Run demo');
    await browser.screenshot('serve-report.png');
  });

  it("opens the run's explorer from the live page, its script allowed and running", async () => {
    const page = browser.page;
    await page.goto(`${server.url}run/demo`);
    await page.getByRole('link', { name: 'explorer' }).click();
    await page.waitForURL(`${server.url}explore/demo`);
    await page.waitForFunction(() => (window as unknown as { atpExplorer?: unknown }).atpExplorer !== undefined, undefined, { timeout: 120_000 });
    expect(await page.locator('#round-label').innerText()).toMatch(/^round 1 of \d+$/);
    await browser.screenshot('serve-explore.png');
  }, 180_000);

  it('loaded everything from the loopback server, with no console error', () => {
    expect(browser.leaks).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
