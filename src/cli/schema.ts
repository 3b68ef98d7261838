/** `atp-sim schema scenario|sweep [--out FILE]`: the JSON Schema of scenario or sweep files, for editors. */
import { AtpSimError, describeValue } from '../core/errors.ts';
import { writeFileAtomic } from '../io/files.ts';
import { scenarioSchema, sweepSchema } from '../scenarios/schema/index.ts';
import { parseCommand } from './args.ts';
import type { CliIo } from './io.ts';

export const SCHEMA_HELP = `Usage: atp-sim schema scenario|sweep [--out FILE]

Prints the JSON Schema (draft-07) of scenario or sweep files, generated from atp-sim's own
validator: every field it reads, with its type, range, choices and default, and for each kind
(game, network, policy, intervention) the fields that kind takes. Editors complete and check
files with it; the VS Code YAML extension reads a first line such as
  # yaml-language-server: $schema=../scenario.schema.json
(the shipped files under scenarios/ have one). Rules that join several fields (a threshold at
most the population size, either count or share, ...) stay in the validator: run
\`atp-sim run FILE --dry-run\` to check a file completely.

Options:
  --out FILE   Write the schema there (whole or not at all) instead of printing it`;

export async function schemaCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { out: { type: 'string' } });
  if (values.help) {
    io.stdout(SCHEMA_HELP);
    return 0;
  }
  const what = positionals[0];
  if (positionals.length !== 1 || (what !== 'scenario' && what !== 'sweep')) {
    throw new AtpSimError('INVALID_ARGUMENT', `schema: expected scenario or sweep; got ${positionals.length ? describeValue(positionals.join(' ')) : 'nothing'} (fix: atp-sim schema scenario, or atp-sim schema sweep)`);
  }
  const text = `${JSON.stringify(what === 'scenario' ? scenarioSchema() : sweepSchema(), null, 2)}\n`;
  if (values.out) {
    writeFileAtomic(values.out, text, 'schema file');
    io.stderr(`wrote ${values.out}`);
  } else io.stdout(text.trimEnd());
  return 0;
}
