import * as fs from "node:fs";
import { homePaths, processAlive, readJsonFile } from "../home";
import { acquireLock } from "../lock";
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
  url: string;
  port: number;
  host: string;
  startedAt: string;
}

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

/** The running `xray node` for this home, if there is one. */
export function runningNode(home: string): NodeInfo | undefined {
  const info = readJsonFile<NodeInfo>(homePaths(home).nodeInfo);
  return info && processAlive(info.pid) ? info : undefined;
}

/**
 * Opens the home's embedded chain. If `xray node` is serving it, requests go to that node
 * (it holds the database); otherwise Ganache runs in this process on the database, under a
 * lock so concurrent xray commands take turns instead of failing.
 */
export async function openEmbedded(home: string): Promise<Provider> {
  const paths = homePaths(home);
  const node = runningNode(home);
  if (node) {
    return httpProvider(node.url, { description: `the embedded chain served by xray node at ${node.url}` });
  }
  fs.mkdirSync(paths.chainDb, { recursive: true });
  const release = await acquireLock(paths.chainLock, { what: `the embedded chain in ${paths.root}` });
  try {
    // ganache is heavy (about 0.6 s to start): loaded only by commands that use the chain.
    const ganache = require("ganache") as typeof import("ganache");
    const inner = ganache.provider(ganacheOptions(paths.chainDb) as never);
    await inner.request({ method: "eth_chainId", params: [] });
    return {
      description: `the embedded chain in ${paths.root}`,
      exclusive: true,
      async request<T>(method: string, params: unknown[] = []): Promise<T> {
        try {
          return (await inner.request({ method, params } as never)) as T;
        } catch (err) {
          const e = err as { message?: string; code?: number; data?: unknown };
          throw new RpcError(e.message ?? String(err), e.code, e.data);
        }
      },
      async close() {
        try {
          await inner.disconnect();
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
