import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAliveFetch } from '../../src/llm/http-fetch.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A loopback server that answers every request with its own name and the path it was asked. */
async function named(name: string): Promise<number> {
  const server = createServer((req, res) => res.end(`${name} ${req.url}`));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('keepAliveFetch send', () => {
  it('sends every call with the same URL object to that URL', async () => {
    const t = keepAliveFetch({ env: {} });
    const url = new URL(`http://127.0.0.1:${await named('a')}/v1/chat/completions?x=1`);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await (await t.send(url, 'POST', {}, '{}', undefined)).text());
    t.close();
    expect(replies).toEqual(Array(3).fill('a /v1/chat/completions?x=1'));
  });

  it('follows a URL object that was changed after its first call', async () => {
    const t = keepAliveFetch({ env: {} });
    const url = new URL(`http://127.0.0.1:${await named('a')}/first`);
    const first = await (await t.send(url, 'POST', {}, '{}', undefined)).text();
    url.port = String(await named('b'));
    url.pathname = '/second';
    const second = await (await t.send(url, 'POST', {}, '{}', undefined)).text();
    t.close();
    expect([first, second]).toEqual(['a /first', 'b /second']);
  });

  it('refuses a protocol other than http and https on every call', async () => {
    const t = keepAliveFetch({ env: {} });
    const url = new URL('ftp://127.0.0.1/x');
    for (let i = 0; i < 2; i++) await expect(t.send(url, 'GET', {}, undefined, undefined)).rejects.toThrow('unsupported protocol ftp:');
    t.close();
  });
});
