/**
 * The background chain process (like gpg-agent): one process per home holds the embedded
 * chain's database and lock, and serves JSON-RPC on a unix socket in the home, so each xray
 * command is a small client instead of a process that starts Ganache (~1 s). The first
 * command that needs the chain starts it (daemon-client.ts); it exits after `idleMs` with no
 * client connected, when its home disappears, or on SIGTERM (what `xray node` sends to take over).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { XrayError } from "../../errors";
import { homePaths, writeFileAtomic } from "../home";
import { readOrEmpty, removeIfUnchanged, selfHolder, type Holder } from "../holder";
import { acquireLock } from "../lock";
import { ganacheOptions, opening } from "./embedded";
import { keccakHex } from "./keccak";

/** What the background process writes to the home while it serves the chain. */
export interface DaemonInfo extends Holder {
  socket: string;
  /** Seconds without a connected client before it exits. */
  idleSeconds: number;
  startedAt: string;
}

/** The command name the background process records in the lock and its info file. */
export const DAEMON_COMMAND = "xray chain daemon";

/** Where the socket goes: in the home, or (a path too long for a socket) in the temp folder. */
export function daemonSocketPath(home: string): string {
  const inHome = path.join(homePaths(home).root, "chain.sock");
  if (Buffer.byteLength(inHome) < 100) return inHome;
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return path.join(os.tmpdir(), `xray-chain-${uid}-${keccakHex(homePaths(home).root).slice(2, 18)}.sock`);
}

export interface DaemonHandle {
  info: DaemonInfo;
  /** Resolves when the process has stopped serving and released the chain. */
  stopped: Promise<void>;
  stop(): void;
}

/**
 * Opens the chain under its lock (waiting up to `waitMs` for another process holding it: a
 * command running Ganache itself, a background process being killed) and serves
 * it. Every request is answered only after Ganache has handled it, and Ganache writes a
 * mined block to its database before it answers (instamine "eager"): an acknowledged
 * transaction is in the operating system's hands and survives a kill -9 of this process.
 */
export async function runDaemon(home: string, idleMs: number, waitMs = 0): Promise<DaemonHandle> {
  const paths = homePaths(home);
  fs.mkdirSync(paths.chainDb, { recursive: true });
  const release = await acquireLock(paths.chainLock, {
    what: `the embedded chain in ${paths.root}`,
    waitMs,
    command: DAEMON_COMMAND,
    waitHint: ", or wait longer with --wait <seconds>",
    onWait(holder) {
      // `xray node` serves the chain now: the command should talk to it, not wait for it
      if (holder.command === "xray node") throw new XrayError(`xray node (process ${holder.pid}) holds the chain`, "NODE_RUNNING");
    },
  });
  let chain: GanacheLike;
  try {
    const ganache = require("ganache") as typeof import("ganache");
    chain = ganache.provider(ganacheOptions(paths.chainDb) as never) as unknown as GanacheLike;
    await opening(chain.request({ method: "eth_chainId", params: [] }), chain);
  } catch (err) {
    release();
    throw err;
  }
  const socket = daemonSocketPath(home);
  fs.rmSync(socket, { force: true }); // we hold the lock: a socket file left here is a dead process's
  const server = http.createServer((req, res) => void answer(chain, req, res));
  // A client keeps its connection for the whole command, and the idle timer counts connections:
  // the longest keep-alive Node's timers hold (it adds 1 s; 0x7fffffff itself overflowed and
  // logged a TimeoutOverflowWarning on every connection; 0 let idle connections close, so a
  // command pausing between requests could see the process go idle under it).
  server.keepAliveTimeout = 0x7fffffff - 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socket, () => resolve());
  });
  fs.chmodSync(socket, 0o600); // every account is unlocked: only this user may connect
  const info: DaemonInfo = { ...selfHolder(DAEMON_COMMAND), socket, idleSeconds: Math.round(idleMs / 1000), startedAt: new Date().toISOString() };
  const infoText = JSON.stringify(info, null, 2) + "\n";
  writeFileAtomic(paths.daemonInfo, infoText);

  let connections = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (connections === 0) idleTimer = setTimeout(stop, idleMs);
  };
  server.on("connection", (sock) => {
    connections++;
    clearTimeout(idleTimer);
    sock.on("close", () => {
      connections--;
      armIdle();
    });
  });
  // The home removed, or its info file replaced: this process no longer serves anyone.
  const watch = setInterval(() => {
    if (!fs.existsSync(paths.chainDb) || readOrEmpty(paths.daemonInfo) !== infoText) stop();
  }, 1_000);
  watch.unref();

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping = false;
  function stop() {
    if (stopping) return;
    stopping = true;
    clearTimeout(idleTimer);
    clearInterval(watch);
    removeIfUnchanged(paths.daemonInfo, infoText); // first, so no new client finds it
    server.close(() => {
      fs.rmSync(socket, { force: true });
      chain
        .disconnect()
        .catch(() => undefined)
        .finally(() => {
          release();
          resolveStopped();
        });
    });
    // clients still connected finish their command; a stuck one is cut off after 10 s
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  }
  armIdle();
  return { info, stopped, stop };
}

interface GanacheLike {
  request(a: { method: string; params: unknown[] }): Promise<unknown>;
  disconnect(): Promise<void>;
}

interface RpcCall {
  id?: unknown;
  method: string;
  params?: unknown[];
}

/**
 * Methods that change the chain, run one at a time: Ganache gives two concurrent
 * eth_sendTransaction calls from one unlocked account the same nonce (one is then refused),
 * which the lock once prevented by letting one command in at a time.
 */
const SERIAL = /^(eth_sendTransaction|eth_sendRawTransaction|evm_|miner_)/;
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
}
/**
 * A read waits for the changes accepted before it: a killed client's send still being mined
 * must be seen by its rerun (as pending, then mined), or the rerun records the same hash again.
 */
function afterWrites<T>(work: () => Promise<T>): Promise<T> {
  return queue.then(work);
}

async function answer(chain: GanacheLike, req: http.IncomingMessage, res: http.ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const one = async (call: RpcCall) => {
    try {
      const ask = () => chain.request({ method: call.method, params: call.params ?? [] });
      // A queued send whose client was killed meanwhile is dropped, not sent: that client's
      // rerun finds it neither mined nor pending, and sends it again itself.
      const unlessGone = () => (req.socket.destroyed ? Promise.reject(new Error("the client went away before this was sent")) : ask());
      return { jsonrpc: "2.0", id: call.id ?? null, result: await (SERIAL.test(call.method) ? serially(unlessGone) : afterWrites(ask)) };
    } catch (err) {
      const e = err as { message?: string; code?: number; data?: unknown };
      return { jsonrpc: "2.0", id: call.id ?? null, error: { code: e.code ?? -32603, message: e.message ?? String(err), data: e.data } };
    }
  };
  let body: unknown;
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcCall | RpcCall[];
    body = Array.isArray(parsed) ? await Promise.all(parsed.map(one)) : await one(parsed);
  } catch (err) {
    body = { jsonrpc: "2.0", id: null, error: { code: -32700, message: `parse error: ${(err as Error).message}` } };
  }
  const text = JSON.stringify(body, (_, v) => (typeof v === "bigint" ? "0x" + v.toString(16) : v));
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
