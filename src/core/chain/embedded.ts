import * as fs from "node:fs";
import { homePaths, readJsonFile } from "../home";
import { holderAlive, readOrEmpty, removeIfUnchanged } from "../holder";
import { acquireLock, type LockOptions } from "../lock";
import { chainDbFailure } from "./db-errors";
import { httpProvider } from "./http";
import { RpcError } from "../../errors";
import type { Provider } from "./provider";

/** The embedded chain's fixed identity: the same accounts on every machine. */
export const EMBEDDED_CHAIN = {
  chainId: 1337,
  networkId: 5777,
  /** Ganache's well-known deterministic mnemonic: test accounts, never for real value. */
  mnemonic: "myth like bonus scare over problem client lizard pioneer submit female collect",
  totalAccounts: 10,
  hardfork: "shanghai",
} as const;

/** What `xray node` writes to the home while it serves the chain. */
export interface NodeInfo {
  pid: number;
  /** The node process's start time (see Holder): a pid reused by another process is not the node. */
  start?: string;
  command?: string;
  url: string;
  port: number;
  host: string;
  startedAt: string;
}

export interface OpenEmbeddedOptions {
  /** How long to wait for another process holding the chain (default 60 s; 0 = fail at once). */
  waitMs?: number;
  /** Called once when the wait begins, with what is waited for. */
  onWait?: LockOptions["onWait"];
  /** The command opening the chain, recorded in the lock: "xray set-xray-hash". */
  command?: string;
  /**
   * Seconds the background chain process stays after its last client (default 120); 0 starts
   * none: a running one is used, else Ganache runs in this process, under the lock.
   */
  idleSeconds?: number;
}

const WAIT_HINT = ", or wait longer with --wait <seconds>";

/** Ganache options for the home's persistent chain, shared by the CLI and `xray node`. */
export function ganacheOptions(dbPath: string): Record<string, unknown> {
  return {
    database: { dbPath },
    wallet: { mnemonic: EMBEDDED_CHAIN.mnemonic, totalAccounts: EMBEDDED_CHAIN.totalAccounts, defaultBalance: 1000 },
    chain: { chainId: EMBEDDED_CHAIN.chainId, networkId: EMBEDDED_CHAIN.networkId, hardfork: EMBEDDED_CHAIN.hardfork },
    miner: { instamine: "eager" },
    logging: { quiet: true },
  };
}

/** The `xray node` this home's node.json names, if its process still runs (same pid and start time). */
export function runningNode(home: string): NodeInfo | undefined {
  const info = readJsonFile<NodeInfo>(homePaths(home).nodeInfo);
  return info && holderAlive(info) ? info : undefined;
}

/**
 * The home's `xray node`, checked: its process runs and its URL answers. A node file that
 * fails either check is stale (a killed node, a pid now used by another process) and is
 * removed, only if nobody rewrote it meanwhile; the caller then opens the chain itself.
 */
export async function liveNode(home: string, probeMs = 2_000): Promise<NodeInfo | undefined> {
  const file = homePaths(home).nodeInfo;
  const text = readOrEmpty(file);
  if (!text) return undefined;
  const info = readJsonFile<NodeInfo>(file);
  if (!info) return undefined;
  if (holderAlive(info) && (await nodeAnswers(info.url, probeMs)) !== "refused") return info;
  removeIfUnchanged(file, text);
  return undefined;
}

/**
 * Asks a node for its chain id: "ok", "refused" (nothing listens: the node is gone) or
 * "silent" (no answer in time: a busy node, not proof that it is gone).
 */
export async function nodeAnswers(url: string, timeoutMs: number, socketPath?: string): Promise<"ok" | "refused" | "silent"> {
  const probe = httpProvider(url, { timeoutMs, socketPath });
  try {
    await probe.request("eth_chainId");
    return "ok";
  } catch (err) {
    if (err instanceof RpcError) return "ok"; // it answered, with an error: a node all the same
    const code = (err as { details?: string }).details;
    return code === "ETIMEDOUT" ? "silent" : "refused";
  } finally {
    await probe.close();
  }
}

/**
 * Opens the home's embedded chain. If `xray node` serves it, requests go to that node;
 * otherwise to the home's background chain process (daemon.ts), started here if none runs:
 * Ganache starts once per idle period instead of once per command. With `idleSeconds: 0`,
 * or when the background process cannot start (another process holds the chain: it is
 * waited for; a damaged database: reported), Ganache runs in this process under the lock.
 */
export async function openEmbedded(home: string, options: OpenEmbeddedOptions = {}): Promise<Provider> {
  const { idleSeconds = 120, waitMs = 60_000 } = options;
  for (const deadline = Date.now() + waitMs; ; ) {
    const node = await liveNode(home);
    if (node) {
      return httpProvider(node.url, { description: `the embedded chain served by xray node at ${node.url}`, embedded: true });
    }
    const { connectDaemon, daemonProvider, liveDaemon } = require("./daemon-client") as typeof import("./daemon-client");
    if (idleSeconds === 0) {
      // none is started, but one already running holds the chain: use it
      const live = await liveDaemon(home);
      if (live) return daemonProvider(home, live);
      break;
    }
    const provider = await connectDaemon(home, { idleSeconds, waitMs });
    if (!("code" in provider)) return provider;
    // an `xray node` starting up holds the chain before it records its address: wait for that
    if (provider.code !== "NODE_RUNNING" || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return openInProcess(home, options);
}

/** Ganache in this process on the home's database, under the chain lock. */
async function openInProcess(home: string, options: OpenEmbeddedOptions): Promise<Provider> {
  const paths = homePaths(home);
  const what = `the embedded chain in ${paths.root}`;
  const dbError = (err: unknown) => chainDbFailure(err, paths) ?? err;
  try {
    fs.mkdirSync(paths.chainDb, { recursive: true });
  } catch (err) {
    throw dbError(err);
  }
  const release = await acquireLock(paths.chainLock, { what, waitMs: options.waitMs, onWait: options.onWait, command: options.command, waitHint: WAIT_HINT }).catch(
    (err) => {
      throw dbError(err); // the lock is written beside the database: a full disk fails here first
    },
  );
  try {
    // ganache is heavy (about 0.6 s to start): loaded only by commands that use the chain.
    const ganache = require("ganache") as typeof import("ganache");
    const inner = ganache.provider(ganacheOptions(paths.chainDb) as never);
    await opening(inner.request({ method: "eth_chainId", params: [] }), inner).catch((err) => {
      throw dbError(err);
    });
    return {
      description: what,
      exclusive: true,
      embedded: true,
      async request<T>(method: string, params: unknown[] = []): Promise<T> {
        try {
          return (await inner.request({ method, params } as never)) as T;
        } catch (err) {
          const known = chainDbFailure(err, paths);
          if (known) throw known;
          const e = err as { message?: string; code?: number; data?: unknown };
          throw new RpcError(e.message ?? String(err), e.code, e.data);
        }
      },
      async close() {
        try {
          await inner.disconnect();
        } catch (err) {
          throw dbError(err);
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * LevelDB reports a database it cannot open by throwing from a callback, outside any promise
 * (an uncaught exception that prints Ganache's minified source). While the database opens,
 * such an exception rejects the opening instead; the listener is removed right after.
 */
export async function opening<T>(first: Promise<T>, inner: { disconnect(): Promise<void> }): Promise<T> {
  let onFatal: ((err: unknown) => void) | undefined;
  const fatal = new Promise<never>((_, reject) => {
    onFatal = (err) => {
      void inner.disconnect().catch(() => undefined);
      reject(err);
    };
    process.prependListener("uncaughtException", onFatal);
  });
  try {
    return await Promise.race([first, fatal]);
  } finally {
    process.removeListener("uncaughtException", onFatal!);
  }
}
