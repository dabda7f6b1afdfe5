/**
 * JSON-RPC to the home's background chain process over its unix socket, with the few lines of
 * HTTP/1.1 that server speaks written here by hand. node:http's client costs a command more CPU
 * to load and make its first request than the request itself (measured on this machine: ~25 ms
 * of CPU against ~11 ms with node:net), and every embedded command makes one.
 */
import * as net from "node:net";
import { rpcProvider } from "./http";
import type { Provider } from "./provider";

interface Connection {
  socket: net.Socket;
  /** Bytes received for the request in flight. */
  chunks: Buffer[];
  received: number;
  /** Set while a request is in flight. */
  settle?: (err: NodeJS.ErrnoException | undefined, answer?: { status: number; text: string }) => void;
  /** True once the connection answered a request: a failure of its next one may be a close meanwhile. */
  used: boolean;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * Connections at most, as node:http's agent had (maxSockets 8): a command sending a window of
 * transactions at once queues them here rather than filling the socket's accept queue.
 */
const MAX_CONNECTIONS = 8;

/** The status and body of a complete HTTP response in `data`, or undefined while it is incomplete. */
function parseResponse(data: Buffer): { status: number; text: string } | undefined {
  const end = data.indexOf(HEAD_END);
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString("latin1");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!length) throw Object.assign(new Error("an answer without content-length"), { code: "EPROTO" });
  const bodyEnd = end + 4 + Number(length[1]);
  if (data.length < bodyEnd) return undefined;
  return { status, text: data.subarray(end + 4, bodyEnd).toString("utf8") };
}

/**
 * A provider for the JSON-RPC server on `socketPath` (daemon.ts: every answer has a
 * content-length; connections are kept for the command). Concurrent requests each get a
 * connection, up to MAX_CONNECTIONS, then wait for one to be free; an idle one is reused. `url` names the server in errors, as httpProvider's would.
 */
export function socketProvider(url: string, socketPath: string, options: { timeoutMs: number; description: string; embedded?: boolean }): Provider {
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  /** Requests waiting for a connection, first come first served. */
  const waiting: { resolve(c: Connection): void; reject(err: Error): void }[] = [];
  const release = (c: Connection) => {
    const next = waiting.shift();
    if (next) next.resolve(c);
    else idle.push(c);
  };
  const acquire = (): Promise<Connection> => {
    const c = idle.pop();
    if (c) return Promise.resolve(c);
    if (all.size < MAX_CONNECTIONS) return Promise.resolve(connect());
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };

  const connect = (): Connection => {
    const c: Connection = { socket: net.connect(socketPath), chunks: [], received: 0, used: false };
    all.add(c);
    const fail = (err: NodeJS.ErrnoException) => {
      if (!all.delete(c)) return;
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      c.settle?.(err);
      if (waiting.length && all.size < MAX_CONNECTIONS) waiting.shift()!.resolve(connect()); // its place goes to a waiting request
    };
    c.socket.on("error", fail);
    c.socket.on("close", () => fail(Object.assign(new Error("the chain process closed the connection"), { code: "ECONNRESET" })));
    c.socket.on("data", (d: Buffer) => {
      c.chunks.push(d);
      c.received += d.length;
      let answer: { status: number; text: string } | undefined;
      try {
        answer = parseResponse(c.chunks.length === 1 ? c.chunks[0] : Buffer.concat(c.chunks, c.received));
      } catch (err) {
        c.socket.destroy(err as Error);
        return;
      }
      if (answer) c.settle?.(undefined, answer);
    });
    return c;
  };

  const post = async (body: string, retried = false): Promise<{ status: number; text: string }> => {
    const c = await acquire();
    return new Promise((resolve, reject) => {
      const reused = c.used;
      const timer = setTimeout(() => c.socket.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: "ETIMEDOUT" })), options.timeoutMs);
      c.chunks = [];
      c.received = 0;
      c.settle = (err, answer) => {
        clearTimeout(timer);
        c.settle = undefined;
        if (answer) {
          c.used = true;
          release(c);
          resolve(answer);
        } else if (!retried && reused && err?.code === "ECONNRESET" && c.received === 0) {
          // a kept connection the server closed meanwhile: the request never reached it
          post(body, true).then(resolve, reject);
        } else reject(err);
      };
      c.socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  };

  return rpcProvider(url, post, {
    description: options.description,
    embedded: options.embedded,
    async close() {
      const open = [...all];
      all.clear();
      idle.length = 0;
      for (const w of waiting.splice(0)) w.reject(Object.assign(new Error("the connection was closed"), { code: "ECONNRESET" }));
      for (const c of open) c.socket.destroy();
    },
  });
}
