/**
 * The report fixes of issue 16 seen in headless Chromium: an 18-condition sweep drawn as small
 * multiples with whole legend and panel titles, and a real single run with its rounds, capital,
 * Gini, invalid replies, model use and its ring drawn as a ring. No console error, no request
 * but the file. Screenshots (tests/.tmp/screens/): report-sweep.png, report-sweep-diffusion.png,
 * report-sweep-exposure.png, report-run.png, report-run-rounds.png, report-run-network.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportData } from '../../src/report/data.ts';
import { renderReportAsync } from '../../src/report/html.ts';
import { openBrowser, SKIP_BROWSER, type Browser } from '../helpers/browser.ts';
import { tempDir } from '../helpers/paths.ts';
import { serveFixture } from '../serve/fixture.ts';
import { gridReport } from './fixture.ts';

describe.skipIf(SKIP_BROWSER)('the report fixes in a browser', () => {
  let browser: Browser;
  let sweepUrl: string;
  let runUrl: string;

  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sweep.html'), await renderReportAsync(gridReport()));
    const fx = await serveFixture();
    writeFileSync(join(dir, 'run.html'), await renderReportAsync(buildReportData(fx.done)));
    sweepUrl = pathToFileURL(join(dir, 'sweep.html')).href;
    runUrl = pathToFileURL(join(dir, 'run.html')).href;
    browser = await openBrowser((url) => url === sweepUrl || url === runUrl);
  });

  afterAll(() => browser?.close());

  it('draws 18 conditions as titled panels, each legible', async () => {
    const page = browser.page;
    await page.goto(sweepUrl);
    const panels = page.locator('#chart-violation figure.panel');
    expect(await panels.count()).toBe(18);
    for (const panel of await panels.all()) {
      const box = await panel.locator('svg').boundingBox();
      expect(box?.width).toBeGreaterThan(200);
    }
    expect(await panels.nth(17).locator('.panel-title').innerText()).toBe('network=barabasi-albert,m=2 · threshold=6 · share=0.25');
    expect(await page.locator('#chart-exposure figure.panel').count()).toBe(18);
    await browser.screenshot('report-sweep.png');
    await browser.screenshot('report-sweep-diffusion.png', '#diffusion');
    await browser.screenshot('report-sweep-exposure.png', '#exposure');
  });

  it('cuts no legend label short', async () => {
    await browser.page.goto(sweepUrl);
    const labels = await browser.page.locator('.role-legend-label text').evaluateAll((ts) => ts.map((t) => t.textContent ?? ''));
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.filter((t) => t.includes('…'))).toEqual([]);
  });

  it("shows a single run's rounds, capital, Gini, invalid replies and model use", async () => {
    const page = browser.page;
    await page.goto(runUrl);
    expect(await page.locator('#rounds tbody tr').count()).toBe(4);
    for (const chart of ['chart-capital', 'chart-gini', 'chart-invalid']) {
      expect(await page.locator(`[data-chart="${chart}"] .role-mark`).count(), chart).toBeGreaterThan(0);
    }
    expect(await page.locator('#model').innerText()).toMatch(/scripted:script[\s\S]*\d+ in, \d+ out[\s\S]*\$0\.00\d\d/);
    expect(await page.locator('#network .note').innerText()).toContain('Run demo (test-game, seed 7)');
    await browser.screenshot('report-run.png');
    await browser.screenshot('report-run-rounds.png', '#rounds');
    await browser.screenshot('report-run-network.png', '#network');
  });

  it('loads with no console error and no request but the file', () => {
    expect(browser.problems).toEqual([]);
    expect(browser.leaks).toEqual([]);
  });
});
