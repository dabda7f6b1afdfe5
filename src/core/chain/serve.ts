import * as fs from "node:fs";
import { XrayError } from "../../errors";
import { homePaths, writeFileAtomic } from "../home";
import { ganacheOptions, liveNode, type NodeInfo } from "./embedded";
import { selfHolder } from "../holder";
import { acquireLock } from "../lock";
import { stopDaemon } from "./daemon-client";

export interface ServeOptions {
  port?: number;
  host?: string;
  /** How long to wait for a command holding the chain (default 10 s). */
  waitMs?: number;
}

export interface RunningNode {
  info: NodeInfo;
  stop(): Promise<void>;
}

/**
 * Serves the home's embedded chain over JSON-RPC (what `xray node` runs), so Truffle and
 * other tools attach to it. While it runs, xray commands on the same home talk to it.
 */
export async function serveEmbedded(home: string, options: ServeOptions = {}): Promise<RunningNode> {
  const { port = 8545, host = "127.0.0.1", waitMs = 10_000 } = options;
  const paths = homePaths(home);
  const other = await liveNode(home);
  if (other) throw new XrayError(`xray node (pid ${other.pid}) is already serving ${paths.root} at ${other.url}`, "NODE_RUNNING");
  fs.mkdirSync(paths.chainDb, { recursive: true });
  // the background chain process steps aside (it finishes the commands it serves first)
  await stopDaemon(home, waitMs);
  const release = await acquireLock(paths.chainLock, { what: `the embedded chain in ${paths.root}`, waitMs, command: "xray node" });
  const ganache = require("ganache") as typeof import("ganache");
  const server = ganache.server(ganacheOptions(paths.chainDb) as never);
  try {
    await server.listen(port, host);
  } catch (err) {
    await server.close().catch(() => undefined);
    release();
    const code = (err as NodeJS.ErrnoException).code;
    throw new XrayError(`cannot listen on ${host}:${port}${code ? ` (${code})` : ""}: choose another --port`, "LISTEN_FAILED", { cause: err });
  }
  const { pid, start } = selfHolder();
  const info: NodeInfo = { pid, start, command: "xray node", url: `http://${host}:${port}`, port, host, startedAt: new Date().toISOString() };
  writeFileAtomic(paths.nodeInfo, JSON.stringify(info, null, 2) + "\n");
  let stopped = false;
  return {
    info,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        fs.rmSync(paths.nodeInfo, { force: true });
        await server.close();
      } finally {
        release();
      }
    },
  };
}
