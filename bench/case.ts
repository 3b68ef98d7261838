/**
 * Child-process entry for one benchmark case: `bench/case.ts <name> <json params>` imports
 * bench/<name>.ts, runs its `run(params)` and sends `{ type: 'result', result }` to the parent
 * (bench/proc.ts runCase). Each case gets a fresh process: its memory and CPU are its own.
 */
const [name, json] = process.argv.slice(2);
const CASES = ['llm', 'pool', 'classic', 'python', 'memory', 'prompt', 'startup', 'surrogate'];

async function main(): Promise<unknown> {
  if (!CASES.includes(name)) throw new Error(`unknown bench case ${JSON.stringify(name)} (one of ${CASES.join(', ')})`);
  const mod = (await import(`./${name}.ts`)) as { run(params: unknown): Promise<unknown> };
  return mod.run(JSON.parse(json ?? '{}'));
}

const send = (message: object) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
try {
  await send({ type: 'result', result: await main() });
} catch (err) {
  await send({ type: 'result', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
process.exit(0);
