/**
 * One xray command's wall time beside `node -e 0` (issue 16), shared by bench:cli and
 * bench:chain: `xray xray-count` and `xray set-xray-hash` on the embedded chain (its background
 * process warm), through --rpc to `xray node` and to anvil, measured in rounds: each round runs
 * every row once, in the same order, so the load of a shared machine falls on all rows alike,
 * and every ratio compares medians of the same rounds.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { BIN, ratio, startXrayNode, summarise, timed, type Measurement, type Ratio } from "./lib";
import { startAnvil } from "../test/helpers/anvil";
import { stopDaemon } from "../src/core/chain/daemon-client";

export const randomHash = () => crypto.randomBytes(32).toString("hex");

/** One measured row: a command run once per round; resolves to its wall time in ms. */
export interface Row {
  id: string;
  label: string;
  run: () => Promise<number>;
}

/**
 * Runs one unmeasured warm-up round, then `runs` rounds of every row; a measurement per row.
 * Progress goes to stderr, a line per row at the end.
 */
export async function interleaved(rows: Row[], runs: number): Promise<Measurement[]> {
  const times = rows.map(() => [] as number[]);
  for (let round = 0; round <= runs; round++) {
    for (const [i, row] of rows.entries()) {
      const ms = await row.run();
      if (round > 0) times[i].push(ms);
    }
  }
  return rows.map((row, i) => {
    const m = summarise(row.id, row.label, times[i]);
    process.stderr.write(`${m.label}: median ${m.median} ms (${m.min}-${m.max}, ${runs} runs, interleaved)\n`);
    return m;
  });
}

/** Where the commands run: the home's environment, and how the row names it. */
export interface Target {
  where: string;
  label: string;
  env: NodeJS.ProcessEnv;
}

export interface CommandSetup {
  /** `node -e 0` and `xray --help`: the floor and the start-up of the CLI itself. */
  floor: Row[];
  targets: Target[];
  /** Stops what was started (background chain processes, xray node, anvil), in reverse order. */
  stop(): Promise<void>;
}

/** `xray ...` in `env`, timed. */
export const xray = (args: string[], env: NodeJS.ProcessEnv) => timed(process.execPath, [BIN, ...args], env);

/**
 * Prepares a home per target under `work` (xray init, a doctor granted): the embedded chain
 * (background process), and as asked a second home served by `xray node` and a home on anvil.
 */
export async function setupCommands(work: string, o: { xrayNode?: boolean; anvil?: boolean } = {}): Promise<CommandSetup & { anvilUrl?: string; nodeEnv?: NodeJS.ProcessEnv }> {
  const stops: (() => Promise<void> | void)[] = [];
  const targets: Target[] = [];
  const prepare = async (env: NodeJS.ProcessEnv) => {
    await xray(["init", "-q"], env);
    await xray(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"], env);
  };
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  let anvilUrl: string | undefined;
  let nodeEnv: NodeJS.ProcessEnv | undefined;
  try {
    const home = path.join(work, "embedded");
    const env = { XRAY_HOME: home, XRAY_RPC: "", XRAY_CHAIN_IDLE: "600" };
    stops.push(async () => void (await stopDaemon(home)));
    await prepare(env);
    targets.push({ where: "embedded", label: "embedded chain (background process)", env });
    if (o.xrayNode) {
      const nodeHome = path.join(work, "xray-node");
      const base = { XRAY_HOME: nodeHome, XRAY_RPC: "", XRAY_CHAIN_IDLE: "0" };
      await prepare(base);
      const node = await startXrayNode(base);
      stops.push(node.stop);
      nodeEnv = node.env;
      targets.push({ where: "xray-node", label: "--rpc to xray node", env: { ...node.env, XRAY_RPC: `http://127.0.0.1:${node.port}` } });
    }
    if (o.anvil) {
      const anvil = await startAnvil();
      stops.push(() => anvil.stop());
      anvilUrl = anvil.url;
      const anvilEnv = { XRAY_HOME: path.join(work, "anvil"), XRAY_RPC: anvil.url };
      await prepare(anvilEnv);
      targets.push({ where: "anvil", label: "--rpc to anvil", env: anvilEnv });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const floor: Row[] = [
    { id: "node-e-0", label: "node -e 0", run: () => timed(process.execPath, ["-e", "0"]) },
    { id: "help", label: "xray --help", run: () => xray(["--help"], targets[0].env) },
  ];
  return { floor, targets, stop, anvilUrl, nodeEnv };
}

/** The two commands on each target: xray-count (one read) and set-xray-hash (a new hash each run). */
export function commandRows(targets: Target[]): Row[] {
  return targets.flatMap((t) => [
    { id: `xray-count.${t.where}`, label: `xray xray-count, ${t.label}`, run: () => xray(["xray-count", "-q"], t.env) },
    { id: `set-xray-hash.${t.where}`, label: `xray set-xray-hash, ${t.label}`, run: () => xray(["set-xray-hash", "chest", randomHash(), "-q"], t.env) },
  ]);
}

/** Each measurement over `node -e 0`, and `xray --help`'s. */
export function ratiosToNode(ms: Measurement[]): Ratio[] {
  const floor = ms.find((m) => m.id === "node-e-0");
  if (!floor) return [];
  return ms.filter((m) => m !== floor && !m.id.startsWith("truffle")).map((m) => ratio(`${m.id}/node`, m, floor));
}

/** Removes `work` (after `stop`). */
export function removeWork(work: string): void {
  fs.rmSync(work, { recursive: true, force: true });
}
