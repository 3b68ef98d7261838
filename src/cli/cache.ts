/** `atp-sim cache merge <a.sqlite> <b.sqlite>... --out <c.sqlite>`: one response cache from several. */
import { AtpSimError } from '../core/errors.ts';
import { mergeCaches } from '../llm/cache-merge.ts';
import type { CliIo } from './io.ts';
import { parseCommand } from './args.ts';

export const CACHE_HELP = `Usage: atp-sim cache merge <cache.sqlite>... --out <merged.sqlite>

Merges response caches (the cache.sqlite of runs or sweeps on several machines, or of the
shards of a cluster sweep) into one file, so a rerun anywhere with --cache <merged.sqlite> is
answered without a model call. Replies keep the key they were stored under (which model, server
and request), so nothing answers for another server. An existing --out is merged into; when two
files hold different replies for one request the first listed wins (--out first) and the
count is printed. The file is written whole at the end: a failure leaves --out as it was.

Options:
  --out PATH   The merged cache (required)
  -h, --help   Show this help
`;

export async function cacheCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { out: { type: 'string' } });
  if (values.help) {
    io.stdout(CACHE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new AtpSimError('INVALID_ARGUMENT', 'cache: expected a subcommand (fix: atp-sim cache merge a.sqlite b.sqlite --out c.sqlite)');
  const [sub, ...files] = positionals;
  if (sub !== 'merge') throw new AtpSimError('INVALID_ARGUMENT', `cache: unknown subcommand "${sub}" (fix: atp-sim cache merge a.sqlite b.sqlite --out c.sqlite)`);
  if (!values.out) throw new AtpSimError('INVALID_ARGUMENT', 'cache merge: --out PATH is required (the merged cache file)');
  const r = mergeCaches(files, values.out);
  io.stdout(`merged ${files.length} cache(s) into ${values.out}: ${r.replies} replies (${r.added} added${r.conflicts ? `; ${r.conflicts} request(s) had another reply in a later file, the first kept` : ''})`);
  return 0;
}
