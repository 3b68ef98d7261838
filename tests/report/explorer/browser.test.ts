/**
 * The explorer in a real browser (Debian's Chromium driven by playwright-core), on real runs:
 * a scripted LLM cascade on a ring (click an agent and read its reply, move the slider and see
 * the colours change, hover a violator, play to the end), a sweep (switch condition), a
 * 10,000-agent run (frame times measured and written down, every agent drawn) and a sampled
 * view. No console error, no request leaving the page (every request but the page itself is
 * intercepted and aborted), and markup in a reply stays text. Screenshots of each view go to
 * tests/.tmp/screens/explorer-*.png; frame times to tests/.tmp/screens/explorer-frames.json.
 *
 * Skipped only when /usr/bin/chromium is absent AND ATP_SIM_SKIP_BROWSER=1 (as the report's).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../../src/core/types.ts';
import { loadExplorerData, renderExplorer } from '../../../src/report/explorer/index.ts';
import { runScenario } from '../../../src/run.ts';
import { graphTimeline } from '../../../src/interventions/timeline.ts';
import { runNetwork } from '../../../src/report/data.ts';
import { readRun } from '../../../src/sweep.ts';
import { cli } from '../../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../../helpers/paths.ts';
import { cascadeRun, cascadeSweep, EVIL_REPLY, imitationScenario, REASONING } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const SCREENS = join(REPO_ROOT, 'tests/.tmp/screens');
const skip = !existsSync(CHROMIUM) && process.env.ATP_SIM_SKIP_BROWSER === '1';

interface Hooks {
  state(): { run: string; round: number; selected: number | null; focus: number[] | null };
  nodeColor(agent: number): string | null;
  nodeSize(agent: number): number | null;
  nodeOnScreen(agent: number): { x: number; y: number } | null;
  timeRoundChanges(steps: number): Promise<number[]>;
}

/** A page on `file` with its console errors, page errors and every request it tried to send. */
interface Opened {
  readonly page: Page;
  readonly problems: string[];
  readonly leaks: string[];
}

let context: BrowserContext;

async function open(file: string): Promise<Opened> {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const problems: string[] = [];
  const leaks: string[] = [];
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : (leaks.push(route.request().url()), route.abort())));
  // Chromium's software GL reports its own read-back stalls as console warnings: not the page's.
  page.on('console', (m) => (m.type() === 'error' || (m.type() === 'warning' && !/GL Driver Message/.test(m.text()))) && problems.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { atpExplorer?: unknown }).atpExplorer !== undefined, undefined, { timeout: 120_000 });
  return { page, problems, leaks };
}

const hooks = <T>(page: Page, f: (h: Hooks, a: unknown) => T | Promise<T>, arg?: unknown) =>
  page.evaluate(
    ([src, a]) => {
      const h = (window as unknown as { atpExplorer: Hooks }).atpExplorer;
      return new Function('h', 'a', `return (${src})(h, a)`)(h, a) as T;
    },
    [f.toString(), arg] as const,
  );

async function clickAgent(page: Page, agent: number): Promise<void> {
  const at = await hooks(page, (h, a) => h.nodeOnScreen(a as number), agent);
  expect(at).not.toBeNull();
  await page.mouse.click(at!.x, at!.y);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENS, `explorer-${name}.png`), fullPage: true });
}

describe.skipIf(skip)('the explorer in a browser', () => {
  let runDir: string;
  let cascade: Opened;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`browser test: ${CHROMIUM} not found. Install it with "apt-get install -y chromium", or set ATP_SIM_SKIP_BROWSER=1 to skip.`);
    mkdirSync(SCREENS, { recursive: true });
    context = await chromium.launchPersistentContext(join(tempDir('atp-sim-explorer-browser-'), 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1300, height: 900 } });
    runDir = await cascadeRun();
    const res = await cli(['explore', runDir]);
    expect(res.code, res.stderr).toBe(0);
    cascade = await open(join(runDir, 'explorer.html'));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
  });

  it('opens on round 1 with no console error and no request leaving the page', async () => {
    expect(await hooks(cascade.page, (h) => h.state())).toEqual({ run: 'cascade', round: 1, selected: null, focus: null });
    expect(await cascade.page.locator('#round-label').innerText()).toBe('round 1 of 5');
    await shot(cascade.page, 'run');
    expect(cascade.problems).toEqual([]);
    expect(cascade.leaks).toEqual([]);
  });

  it('shows a clicked agent: role, policy, neighbours, and its reply as text', async () => {
    const { page } = cascade;
    await page.locator('#round').fill('2');
    await clickAgent(page, 1);
    await expect.poll(() => page.locator('#agent-title').textContent()).toBe('Agent 1');
    expect(await page.locator('#agent dd[data-fact="role"]').textContent()).toBe('regular');
    expect(await page.locator('#agent dd[data-fact="policy"]').textContent()).toBe('llm');
    expect(await page.locator('#agent .chip').evaluateAll((b) => b.map((x) => x.getAttribute('data-agent')))).toEqual(['0', '2']);
    const turn = page.locator('#agent details.turn[data-round="2"]');
    expect(await turn.getAttribute('open')).toBe('');
    expect(await turn.locator('pre.reply-text').textContent()).toBe(EVIL_REPLY);
    // The reasoning is folded: closed until the reader opens it, then shown as text.
    const reasoning = turn.locator('details.reasoning');
    expect(await reasoning.getAttribute('open')).toBeNull();
    expect(await reasoning.locator('pre').isVisible()).toBe(false);
    await reasoning.locator('summary').click();
    expect(await reasoning.locator('pre').textContent()).toBe(REASONING);
    expect(await reasoning.locator('pre').isVisible()).toBe(true);
    const record = readFileSync(join(runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionRecord).find((d) => d.agent === 1 && d.round === 2)!;
    expect(await turn.locator('.message:not(.reply) pre').allTextContents()).toEqual(record.messages!.map((m) => m.content));
    // The reply's markup made no element and ran nothing.
    expect(await page.locator('#agent script, #agent img, #agent b, #agent i').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await shot(page, 'agent');
  });

  it('recolours the network when the slider moves', async () => {
    const { page } = cascade;
    await page.locator('#round').fill('1');
    const before = await hooks(page, (h) => [0, 1, 2, 3].map((a) => h.nodeColor(a)));
    await page.locator('#round').fill('3');
    const after = await hooks(page, (h) => [0, 1, 2, 3].map((a) => h.nodeColor(a)));
    const choices = readFileSync(join(runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionRecord);
    const colour = (round: number, agent: number) => (choices.find((d) => d.round === round && d.agent === agent)!.violated ? '#d62728' : '#1f77b4');
    expect(before).toEqual([0, 1, 2, 3].map((a) => colour(1, a)));
    expect(after).toEqual([0, 1, 2, 3].map((a) => colour(3, a)));
    expect(after).not.toEqual(before);
    expect(await page.locator('#round-marker').getAttribute('data-round')).toBe('3');
    await shot(page, 'round3');
  });

  it('sizes nodes by capital when asked', async () => {
    const { page } = cascade;
    await page.locator('#round').fill('5');
    const rows = readFileSync(join(runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionRecord).filter((d) => d.round === 5);
    const [poorest, richest] = [rows.reduce((a, b) => (b.capital < a.capital ? b : a)), rows.reduce((a, b) => (b.capital > a.capital ? b : a))];
    expect(richest.capital).toBeGreaterThan(poorest.capital);
    const sizes = () => hooks(page, (h, a) => (a as number[]).map((x) => h.nodeSize(x)), [poorest.agent, richest.agent]);
    const [p0, r0] = await sizes();
    expect(p0).toBe(r0); // by degree: every agent of the ring has two neighbours
    await page.locator('#size-by').selectOption('capital');
    await expect.poll(async () => { const [p, r] = await sizes(); return (r ?? 0) > (p ?? 0); }).toBe(true);
    await shot(page, 'capital');
    await page.locator('#size-by').selectOption('degree');
  });

  it('highlights, on hovering a violator, the neighbours it could have copied from', async () => {
    const { page } = cascade;
    const rows = readFileSync(join(runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionRecord);
    const rewarded = (round: number, agent: number) => rows.some((d) => d.round === round && d.agent === agent && d.violated && d.payoff > 0);
    const sourcesOf = (d: DecisionRecord) => [(d.agent + 11) % 12, (d.agent + 1) % 12].filter((j) => rewarded(d.round - 1, j)).sort((a, b) => a - b);
    // The first violation that had a rewarded violation next to it in the round before.
    const hovered = rows.find((d) => d.round > 1 && d.violated && sourcesOf(d).length > 0)!;
    expect(hovered).toBeDefined();
    const [violator, round, expected] = [hovered.agent, hovered.round, sourcesOf(hovered)];
    await page.locator('#round').fill(String(round));
    const at = await hooks(page, (h, a) => h.nodeOnScreen(a as number), violator);
    await page.mouse.move(at!.x, at!.y);
    await expect.poll(async () => ((await hooks(page, (h) => h.state())).focus ?? []).sort((a, b) => a - b)).toEqual(expected);
    expect(await page.locator('#hover-note').textContent()).toBe(`Agent ${violator} violated in round ${round}; neighbours it could have copied from (violated and were paid in round ${round - 1}): ${expected.join(', ')}.`);
    const faded = await hooks(page, (h) => [...Array(12).keys()].filter((a) => h.nodeColor(a) === '#ececec').length);
    expect(faded).toBe(12 - 1 - expected.length);
    await shot(page, 'hover');
    await page.mouse.move(5, 5);
  });

  it('names, on a rewired network, the neighbours a violator had in that round, not in round 1', async () => {
    const scenario = { ...imitationScenario(24, { kind: 'ring', k: 4 }, { rounds: 5, seeds: 5 }), interventions: [{ kind: 'rewire', share: 0.4, from: 2 }] };
    const run = await runScenario(scenario, { out: tempDir('atp-sim-explorer-rewired-'), id: 'rewired' });
    const loaded = readRun(run.runDir);
    const at = graphTimeline(runNetwork(loaded)!, loaded.rounds as never)!;
    const neighboursAt = (round: number, a: number) => { const g = at(round); return [...g.targets.subarray(g.offsets[a], g.offsets[a + 1])]; };
    const rows = readFileSync(join(run.runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionRecord);
    const rewarded = (round: number, agent: number) => rows.some((d) => d.round === round && d.agent === agent && d.violated && d.payoff > 0);
    const sources = (graphRound: number, d: DecisionRecord) => neighboursAt(graphRound, d.agent).filter((j) => rewarded(d.round - 1, j)).sort((a, b) => a - b);
    // A violation whose possible sources in its own round's graph differ from those in round 1's.
    const hovered = rows.find((d) => d.round > 2 && d.violated && sources(d.round, d).length > 0 && sources(d.round, d).join() !== sources(1, d).join())!;
    expect(hovered).toBeDefined();
    const file = join(run.runDir, 'explorer.html');
    writeFileSync(file, renderExplorer(loadExplorerData(run.runDir)));
    const { page, problems, leaks } = await open(file);
    await page.locator('#round').fill(String(hovered.round));
    const where = await hooks(page, (h, a) => h.nodeOnScreen(a as number), hovered.agent);
    await page.mouse.move(where!.x, where!.y);
    await expect.poll(async () => ((await hooks(page, (h) => h.state())).focus ?? []).sort((a, b) => a - b)).toEqual(sources(hovered.round, hovered));
    expect(problems).toEqual([]);
    expect(leaks).toEqual([]);
    await page.close();
  });

  it('plays to the last round and stops', async () => {
    const { page } = cascade;
    await page.locator('#round').fill('1');
    await page.locator('#play').click();
    expect(await page.locator('#play').textContent()).toBe('Pause');
    await expect.poll(() => page.locator('#round-label').textContent(), { timeout: 30_000 }).toBe('round 5 of 5');
    await expect.poll(() => page.locator('#play').textContent()).toBe('Play');
    expect((await hooks(page, (h) => h.state())).round).toBe(5);
    await shot(page, 'played');
    expect(cascade.problems).toEqual([]);
    expect(cascade.leaks).toEqual([]);
  });

  it('switches condition on a sweep', async () => {
    const sweepDir = await cascadeSweep();
    expect((await cli(['explore', sweepDir])).code).toBe(0);
    const { page, problems, leaks } = await open(join(sweepDir, 'explorer.html'));
    expect(await page.locator('#condition option').allTextContents()).toEqual(['network.k=2', 'network.k=4']);
    const first = (await hooks(page, (h) => h.state())).run;
    expect(await page.locator('#run-label').textContent()).toContain('12 agents, 12 edges');
    await page.locator('#condition').selectOption({ label: 'network.k=4' });
    await expect.poll(async () => (await hooks(page, (h) => h.state())).run).not.toBe(first);
    expect(await page.locator('#run-label').textContent()).toContain('12 agents, 24 edges');
    expect(await page.locator('#replicate option').count()).toBe(2);
    await page.locator('#replicate').selectOption({ index: 1 });
    await clickAgent(page, 5);
    await expect.poll(() => page.locator('#agent .chip').count()).toBe(4);
    await shot(page, 'sweep');
    expect(problems).toEqual([]);
    expect(leaks).toEqual([]);
    await page.close();
  }, 120_000);

  it('says so when it draws a sample of a larger network', async () => {
    const run = await runScenario(imitationScenario(400, { kind: 'watts-strogatz', k: 4, beta: 0.1 }), { out: tempDir(), id: 'wide' });
    const file = join(run.runDir, 'sampled.html');
    writeFileSync(file, renderExplorer(loadExplorerData(run.runDir, { nodeLimit: 100 })));
    const { page, problems, leaks } = await open(file);
    expect(await page.locator('#sample-note').textContent()).toMatch(/^Sampled view: 100 of 400 agents are drawn/);
    await shot(page, 'sampled');
    expect(problems).toEqual([]);
    expect(leaks).toEqual([]);
    await page.close();
  }, 120_000);

  it('draws 10,000 agents and times its frames', async () => {
    const scenario = imitationScenario(10_000, { kind: 'watts-strogatz', k: 4, beta: 0.1 }, { rounds: 12, seeds: 200, seed: 11 });
    const run = await runScenario(scenario, { out: tempDir(), id: 'big' });
    expect((await cli(['explore', run.runDir])).code).toBe(0);
    const t0 = Date.now();
    const { page, problems, leaks } = await open(join(run.runDir, 'explorer.html'));
    const loadMs = Date.now() - t0;
    expect(await page.locator('#sample-note').textContent()).toBe('');
    expect(await hooks(page, (h) => [0, 9_999].map((a) => h.nodeColor(a) !== null))).toEqual([true, true]);
    const times = await hooks(page, (h) => h.timeRoundChanges(8));
    const sorted = [...times].sort((a, b) => a - b);
    const figures = { agents: 10_000, edges: 20_000, loadMs, roundChangeMs: times.map(Math.round), medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]), maxMs: Math.round(sorted[sorted.length - 1]) };
    writeFileSync(join(SCREENS, 'explorer-frames.json'), JSON.stringify(figures, null, 2) + '\n');
    await shot(page, 'large');
    expect(times).toHaveLength(8);
    expect(problems).toEqual([]);
    expect(leaks).toEqual([]);
    await page.close();
  }, 300_000);
});
