/** `atp-sim import-atp <file> --out <dir>`: ATP templates/questions -> scenario files. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { AtpSimError } from '../core/errors.ts';
import { importAtpFile } from '../scenarios/atp-import.ts';
import { resolveScenario } from '../scenarios/parse.ts';
import { ensureDir, writeFileAtomic } from '../io/files.ts';
import type { CliIo } from './io.ts';
import { parseCommand, wholeNumber } from './args.ts';

export const IMPORT_HELP = `Usage: atp-sim import-atp <ATP file> --out <dir> [options]

Converts an ATP checkout's data file into runnable scenario files with ATP's exact texts:
  ma_templates.json       -> 7 group games (threshold public goods, imitative diffusion)
  ma_questions_70.json    -> rendered group-game items
  sa_questions_64.json    -> role-play dilemmas (self-interested exploration), one per item
  sa_templates.json       -> role-play dilemmas as ATP's generator renders them: 4 per template,
                             violating pays more (ratios normalised as ATP does)

Options (default: the paper's settings):
  --out DIR               Folder for the scenario files (required)
  --agents N              Group size (default 8)
  --threshold T           Collective choosers needed (default 4)
  --rounds R              Rounds (default 3 for group games, 6 for dilemmas)
  --reward-mode M         multiplicative (default) or additive
  --peers P               final (default) or full
  --window W              History window in rounds (default 3 / 5)
  --committed K           Committed agents (the last K always choose the collective option)
  --supervision P         Dilemma supervision pattern (default all_unsupervised)
  --format F              yaml (default) or json
  --force                 Overwrite scenario files that already exist
  -h, --help              Show this help
`;

export async function importAtpCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    out: { type: 'string' },
    agents: { type: 'string' },
    threshold: { type: 'string' },
    rounds: { type: 'string' },
    'reward-mode': { type: 'string' },
    peers: { type: 'string' },
    window: { type: 'string' },
    committed: { type: 'string' },
    supervision: { type: 'string' },
    format: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(IMPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `import-atp: expected one ATP file; got ${positionals.length} (see atp-sim import-atp --help)`);
  if (!values.out) throw new AtpSimError('INVALID_ARGUMENT', 'import-atp: --out <dir> is required (where to write the scenario files)');
  const int = wholeNumber;
  const format = values.format ?? 'yaml';
  if (!['yaml', 'json'].includes(format)) throw new AtpSimError('INVALID_ARGUMENT', `--format: must be yaml or json; got "${format}"`);
  const mode = values['reward-mode'];
  if (mode !== undefined && mode !== 'multiplicative' && mode !== 'additive') throw new AtpSimError('INVALID_ARGUMENT', `--reward-mode: must be multiplicative or additive; got "${mode}"`);
  const peers = values.peers;
  if (peers !== undefined && peers !== 'final' && peers !== 'full') throw new AtpSimError('INVALID_ARGUMENT', `--peers: must be final or full; got "${peers}"`);
  const rounds = int('rounds', values.rounds, 1);
  const window = int('window', values.window, 0);
  const scenarios = importAtpFile(
    positionals[0],
    {
      n_agents: int('agents', values.agents, 1),
      threshold_abs: int('threshold', values.threshold, 1) ?? 4,
      max_rounds: rounds,
      reward_mode: mode as 'multiplicative' | 'additive' | undefined,
      peer_history_mode: peers === 'full' ? 'full' : 'final_only',
      history_window: window,
      fixed_cooperators_k: int('committed', values.committed, 0),
    },
    { max_rounds: rounds, history_window: window, supervision_pattern: values.supervision },
  );
  // Validate everything before writing anything.
  scenarios.forEach((s) => resolveScenario(s, `${positionals[0]} -> ${String(s.name)}`));
  const names = new Set<string>();
  for (const s of scenarios) {
    let name = String(s.name);
    for (let k = 2; names.has(name); k++) name = `${s.name}-${k}`;
    names.add(name);
    s.name = name;
  }
  const pathOf = (s: Record<string, unknown>) => join(values.out!, `${String(s.name)}.${format === 'json' ? 'json' : 'yaml'}`);
  const existing = values.force ? [] : scenarios.map(pathOf).filter((p) => existsSync(p));
  if (existing.length > 0) {
    throw new AtpSimError('INVALID_ARGUMENT', `import-atp: ${existing.length} file(s) already exist, e.g. ${existing[0]}; nothing written (fix: add --force to overwrite them, or choose another --out)`);
  }
  ensureDir(values.out, '--out');
  for (const s of scenarios) {
    const path = pathOf(s);
    const header = `# Imported from ${positionals[0]} by atp-sim import-atp (ATP data, MIT licence).\n`;
    writeFileAtomic(path, format === 'json' ? `${JSON.stringify(s, null, 2)}\n` : header + YAML.stringify(s, { lineWidth: 0 }));
  }
  io.stdout(`wrote ${scenarios.length} scenario file(s) to ${values.out}`);
  return 0;
}
