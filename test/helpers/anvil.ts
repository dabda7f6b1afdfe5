/**
 * A real Ethereum node for tests and benchmarks: Foundry's anvil, from its npm platform package
 * (@foundry-rs/anvil-linux-amd64; the wrapper's postinstall, which could download, is denied in
 * package.json). Listens on 127.0.0.1 on a free port, state in memory; stopped by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { freePort, ROOT, stopProcess } from "./cli";

export interface Anvil {
  url: string;
  pid: number;
  child: ChildProcess;
  /** anvil's unlocked dev accounts (the well-known mnemonic), in order. */
  accounts: string[];
  /** One JSON-RPC call to the node. */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  /**
   * `count` new random keys, funded with 1,000 ETH each (anvil_setBalance): accounts the node
   * cannot sign for, so xray must sign locally (--private-key, --keystore, XRAY_PRIVATE_KEY).
   */
  fundedKeys(count: number): Promise<{ keys: string[]; addresses: string[] }>;
  stop(): Promise<void>;
}

/** The anvil binary shipped in npm, or an error naming the package to install. */
export function anvilBinary(): string {
  const bin = path.join(ROOT, "node_modules", "@foundry-rs", `anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`, "bin", "anvil");
  if (!fs.existsSync(bin)) throw new Error(`anvil is not installed (${bin} missing): run npm ci`);
  return bin;
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

/** Starts anvil and waits until it answers eth_accounts (about 0.1-0.2 s). */
export async function startAnvil(options: { accounts?: number; /** seconds between blocks (interval mining; default: a block per transaction) */ blockTime?: number; /** mine only on evm_mine */ noMining?: boolean } = {}): Promise<Anvil> {
  const port = await freePort();
  const args = ["--host", "127.0.0.1", "--port", String(port), "--accounts", String(options.accounts ?? 10), "--silent"];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  if (options.noMining) args.push("--no-mining");
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr.trim()}`);
    try {
      const accounts = (await rpc(url, "eth_accounts")) as string[];
      return { url, pid: child.pid!, child, accounts, rpc: (method, params) => rpc(url, method, params), fundedKeys: (n) => fundedKeys(url, n), stop: () => stopProcess(child) };
    } catch {
      if (Date.now() > deadline) {
        await stopProcess(child, "SIGKILL");
        throw new Error(`anvil did not answer on ${url} within 15 s: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function fundedKeys(url: string, count: number): Promise<{ keys: string[]; addresses: string[] }> {
  const crypto = await import("node:crypto");
  const { privateKeyToAddress } = require("web3-eth-accounts") as typeof import("web3-eth-accounts");
  const keys = Array.from({ length: count }, () => "0x" + crypto.randomBytes(32).toString("hex"));
  const addresses = keys.map((k) => privateKeyToAddress(k));
  for (const a of addresses) await rpc(url, "anvil_setBalance", [a, "0x" + (10n ** 21n).toString(16)]);
  return { keys, addresses };
}
