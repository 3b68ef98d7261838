/** `atp-sim explore <run or sweep> [--out file.html]`: the interactive explorer, one offline HTML file. */
import { join, resolve } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import { writeFileAtomic } from '../io/files.ts';
import { EXPLORER_NODE_LIMIT, loadExplorerData, renderExplorer } from '../report/explorer/index.ts';
import { parseCommand } from './args.ts';
import type { CliIo } from './io.ts';

export const EXPLORE_HELP = `Usage: atp-sim explore <run or sweep directory> [--out FILE] [--max-runs N]

Writes one self-contained HTML file to follow a cascade: the network coloured by each agent's
choice, a round slider and a play button, node size by degree or capital, a condition and
replicate picker for sweeps, the diffusion curve with the current round marked, and a click on
an agent that shows its role, policy, neighbours and, for LLM agents, the exact messages and
reply of each round. Hovering a violating agent highlights the neighbours it could have copied
from (those that violated and were paid in the round before). The page works offline and
sends no request (its data and code are inline; its security policy forbids fetching).

Networks above ${EXPLORER_NODE_LIMIT.toLocaleString('en-US')} agents are drawn as a seeded sample (the page says so); the
diffusion curve always counts every agent. Ring lattices, small worlds and complete graphs are
drawn on a circle, grids as grids, other networks with a seeded force-directed layout.

Options:
  --out FILE      Where to write (default <dir>/explorer.html); written whole or not at all
  --max-runs N    Sweeps: the most runs carried into the page (default 60; the first
                  replicates of every condition are kept)
  -h, --help      Show this help
`;

export async function exploreCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { out: { type: 'string' }, 'max-runs': { type: 'string' } });
  if (values.help) {
    io.stdout(EXPLORE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `explore: expected one run or sweep directory; got ${positionals.length} (see atp-sim explore --help)`);
  const maxRuns = values['max-runs'] === undefined ? undefined : Number(values['max-runs']);
  if (maxRuns !== undefined && !(Number.isInteger(maxRuns) && maxRuns >= 1)) {
    throw new AtpSimError('INVALID_ARGUMENT', `--max-runs: must be a whole number of at least 1; got "${values['max-runs']}"`);
  }
  const dir = positionals[0];
  const data = loadExplorerData(dir, { maxRuns });
  const out = resolve(values.out ?? join(dir, 'explorer.html'));
  writeFileAtomic(out, renderExplorer(data));
  const agents = data.runs.reduce((a, r) => a + r.agents.length, 0);
  const sampled = data.runs.some((r) => r.sampleNote) ? ' (sampled view: see the note on the page)' : '';
  io.stdout(`${data.title}: ${data.runs.length} run(s) in ${data.conditions.length} condition(s), ${agents} agents drawn${sampled}\nexplorer: ${out}`);
  return 0;
}
