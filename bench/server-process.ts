/**
 * Child-process entry for the latency server (bench/latency-server.ts). The parent forks it with
 * `fork('bin/run-ts.js', ['bench/server-process.ts', JSON options])`, receives `{ url }`, and may
 * send `stats`, `reset` or `close`. Keeping the server in its own process keeps its CPU out of
 * the engine's `process.cpuUsage()`.
 */
import { startLatencyServer, type LatencyServerOptions } from './latency-server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as LatencyServerOptions;
const server = await startLatencyServer(options);
let cpuAtReset = process.cpuUsage();
process.send!({ type: 'ready', url: server.url });
process.on('message', async (msg: { type: string }) => {
  if (msg.type === 'stats') {
    const cpu = process.cpuUsage(cpuAtReset);
    process.send!({ type: 'stats', stats: server.stats, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (msg.type === 'reset') {
    server.reset();
    cpuAtReset = process.cpuUsage();
    process.send!({ type: 'reset' });
  } else if (msg.type === 'close') {
    await server.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
