/**
 * End to end: a real run whose model replies carry markup, `atp-sim report` on its directory,
 * and the report opened in headless Chromium. The replies show as text and never run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { ringLlmScenario } from '../helpers/scenarios.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.ATP_SIM_SKIP_BROWSER === '1';
const EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

describe.skipIf(skip)('a report built from a real run', () => {
  it('shows model replies with markup as text; nothing runs and nothing is fetched', async () => {
    const scenario = ringLlmScenario();
    // Agents violate once a neighbour did: the first violations have transcripts to show.
    const model = scriptedModel((o, req) => {
      const sawViolation = /chose "invest"/.test(req.messages[req.messages.length - 1].content);
      return sawViolation ? `${EVIL} {"choice": "invest"}` : '{"choice": "keep money"}';
    });
    const run = await runScenario(scenario, { out: tempDir(), id: 'xss', model });
    const res = await cli(['report', run.runDir]);
    expect(res.code, res.stderr).toBe(0);
    const file = join(run.runDir, 'report.html');

    const context = await chromium.launchPersistentContext(join(tempDir(), 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    try {
      const url = pathToFileURL(file).href;
      const leaks: string[] = [];
      await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : (leaks.push(route.request().url()), route.abort())));
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url, { waitUntil: 'load' });
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.getByText('<script>window.__pwned = 1</script>', { exact: false }).count()).toBeGreaterThan(0);
      expect(await page.locator('svg').count()).toBeGreaterThan(2);
      expect(leaks).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
