/**
 * Opens a rendered report in headless Chromium (Debian's package, driven by playwright-core) and
 * checks what a reader gets: no console errors, no request leaving the page, charts and network
 * views drawn, and a malicious reply shown as inert text.
 *
 * Chromium is required: CI installs it (.ci/run). The test is skipped only when /usr/bin/chromium
 * is absent AND ATP_SIM_SKIP_BROWSER=1 is set; otherwise a missing browser fails it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html.ts';
import { fixtureReport, XSS_REPLY } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const skip = !existsSync(CHROMIUM) && process.env.ATP_SIM_SKIP_BROWSER === '1';
const title = skip
  ? `the report in a browser (SKIPPED: ${CHROMIUM} is absent and ATP_SIM_SKIP_BROWSER=1)`
  : 'the report in a browser';

describe.skipIf(skip)(title, () => {
  const data = fixtureReport({ conditions: 3, rounds: 10, nodes: 30 });
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let fileUrl: string;
  const consoleProblems: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  const leaks: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `browser test: ${CHROMIUM} not found. Install it with "apt-get install -y chromium" (.ci/run does), ` +
          'or set ATP_SIM_SKIP_BROWSER=1 to skip this test on a machine without it.',
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'atp-sim-report-browser-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReport(data));
    fileUrl = pathToFileURL(file).href;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1200, height: 900 },
    });
    // Every request is recorded; anything but the report itself is aborted and counted as a leak.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url === fileUrl) return route.continue();
      leaks.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(fileUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads without console errors or warnings', () => {
    expect(consoleProblems).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('sends no request other than the report file itself', () => {
    expect(leaks).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  it('has no element pointing outside the page', async () => {
    const external = await page.evaluate(() => {
      const found: string[] = [];
      for (const el of Array.from(document.querySelectorAll('*'))) {
        for (const attr of Array.from(el.attributes)) {
          const name = attr.name.toLowerCase();
          const value = attr.value.trim();
          if (['src', 'srcset', 'xlink:href', 'action', 'formaction', 'poster', 'data', 'background'].includes(name)) found.push(`${el.tagName} ${name}=${value}`);
          if (name === 'href' && !value.startsWith('#')) found.push(`${el.tagName} href=${value}`);
          if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
        }
      }
      found.push(...Array.from(document.querySelectorAll('script, iframe, object, embed, img, link')).map((e) => e.tagName));
      return found;
    });
    expect(external).toEqual([]);
  });

  it('draws the four Vega charts with their marks', async () => {
    const charts = page.locator('svg.marks[data-chart]');
    expect(await charts.count()).toBe(4);
    expect(await page.locator('[data-chart="chart-violation"] .mark-line.role-mark path').count()).toBe(3);
    expect(await page.locator('[data-chart="chart-violation"] .mark-area.role-mark path').count()).toBe(3);
    expect(await page.locator('[data-chart="chart-heatmap"] .mark-rect.role-mark path').count()).toBe(9);
    expect(await page.locator('[data-chart="chart-exposure"] .mark-rule.role-mark line').count()).toBe(12);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(100);
    }
  });

  it('draws the network at both chosen rounds with a legend', async () => {
    const networks = page.locator('svg.network');
    expect(await networks.count()).toBe(2);
    expect(await networks.evaluateAll((svgs) => svgs.map((s) => s.getAttribute('data-round')))).toEqual(['1', '10']);
    for (const svg of await networks.all()) {
      expect(await svg.locator('circle').count()).toBe(30);
      expect(await svg.locator('circle.ni').count()).toBe(1);
    }
    await expect.poll(() => page.locator('#network .legend').innerText()).toMatch(/violation:\s*collude[\s\S]*compliance:\s*contribute/);
    const fill = await page.locator('svg.network circle.nv').first().evaluate((c) => getComputedStyle(c).fill);
    expect(fill).toBe('rgb(214, 39, 40)');
  });

  it('shows the malicious reply as text and runs none of it', async () => {
    const reply = page.getByText(XSS_REPLY, { exact: true });
    expect(await reply.count()).toBe(1);
    expect(await reply.isVisible()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  });

  it('shows the title with its markup as text', async () => {
    expect(await page.title()).toBe(data.title);
    expect(await page.locator('h1').innerText()).toBe(data.title);
    expect(await page.locator('h1 b').count()).toBe(0);
  });

  it('lists every run and transcript', async () => {
    expect(await page.locator('#runs tbody tr').count()).toBe(data.runs.length);
    expect(await page.locator('#transcripts article.transcript').count()).toBe(data.transcripts.length);
  });
});
