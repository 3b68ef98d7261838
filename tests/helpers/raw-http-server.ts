/**
 * A loopback server on raw `net` sockets for HTTP client tests: it records every request's exact
 * bytes, counts connections, and lets each test answer with whatever bytes it likes (split,
 * malformed, or none), per request and per connection.
 */
import net from 'node:net';

export interface RawRequest {
  /** The request's bytes as received (head and body), latin1. */
  readonly text: string;
  /** Which connection (0, 1, ...) and which request on it (0, 1, ...). */
  readonly connection: number;
  readonly index: number;
}

export type RawAnswer = (req: RawRequest, socket: net.Socket) => void;

export interface RawServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RawRequest[];
  /** Connections accepted so far. */
  readonly connections: () => number;
  /** Connections the peer has closed so far. */
  readonly closed: () => number;
  close(): Promise<void>;
}

/** Splits complete requests (head + Content-Length body) off the front of `buf`. */
function takeRequests(buf: Buffer): { requests: string[]; rest: Buffer } {
  const requests: string[] = [];
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) break;
    const head = buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    const total = end + 4 + (m ? Number(m[1]) : 0);
    if (buf.length < total) break;
    requests.push(buf.toString('latin1', 0, total));
    buf = buf.subarray(total);
  }
  return { requests, rest: buf };
}

export async function rawServer(answer: RawAnswer): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let closed = 0;
  const server = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    let index = 0;
    let pending: Buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed++;
      sockets.delete(socket);
    });
    socket.on('data', (d: Buffer) => {
      const { requests: got, rest } = takeRequests(Buffer.concat([pending, d]));
      pending = rest;
      for (const text of got) {
        const req = { text, connection, index: index++ };
        requests.push(req);
        answer(req, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    closed: () => closed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A complete response with a Content-Length body. */
export function response(body: string, status = '200 OK', fields: readonly string[] = ['content-type: application/json']): string {
  return [`HTTP/1.1 ${status}`, ...fields, `content-length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** Writes `bytes` one byte per TCP write, with a pause between writes so they arrive apart. */
export async function trickle(socket: net.Socket, bytes: string | Buffer): Promise<void> {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  socket.setNoDelay(true);
  for (let i = 0; i < buf.length && !socket.destroyed; i++) {
    socket.write(buf.subarray(i, i + 1));
    await new Promise((r) => setTimeout(r, 1));
  }
}
