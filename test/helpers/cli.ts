import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../../..");
export const BIN = path.join(ROOT, "bin", "xray.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  json?: any;
}

/** A fresh, empty xray home in the temp folder. */
export function tempHome(label = "home"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `xray-test-${label}-`));
}

/** Runs the real `xray` binary with XRAY_HOME = home. */
export function xray(home: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, XRAY_HOME: home, XRAY_RPC: "", ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd ?? ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Starts a long-running process and resolves once `ready` matches its stdout. */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; ready: RegExp; cwd?: string }): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd ?? ROOT });
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      if (options.ready.test(out)) resolve({ child, output: () => out });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${out}`)));
  });
}

/** Stops a child and waits for it to exit. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export const PAPER_HASH = "16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134";

/**
 * The shared real chest X-rays (originals: the bytes as published): env XRAY_CXR_DATA, else
 * ../shared/data/cxr beside the project. No machine's absolute path is a fallback.
 */
export function cxrData(): string {
  const candidates = [process.env.XRAY_CXR_DATA, path.resolve(ROOT, "..", "shared", "data", "cxr")];
  const found = candidates.find((c) => c && fs.existsSync(path.join(c, "originals")));
  if (!found) throw new Error(`the shared chest X-rays are not found (tried ${candidates.filter(Boolean).join(", ")}): set XRAY_CXR_DATA`);
  return found;
}

/** The command succeeded (the output is shown when it did not). */
export const ok = (r: CliResult) => expect(r.code, r.stderr + r.stdout).to.equal(0);

/** A failure: non-zero, one line on stderr, the stable code in --json. */
export function fails(r: CliResult, code: string, pattern: RegExp) {
  expect(r.code, r.stdout).to.not.equal(0);
  expect(r.stderr.trim().split("\n"), r.stderr).to.have.length(1);
  expect(r.stderr).to.match(pattern);
  if (r.json) expect(r.json.error.code).to.equal(code);
}

/**
 * A Ganache JSON-RPC node on loopback whose accounts (random keys, funded) are locked, as on
 * a real network: transactions must be signed by xray. `keyFile(i)` writes key i to a file
 * under `dir` for --private-key.
 */
export async function lockedNode(dir: string, count = 4) {
  const crypto = await import("node:crypto");
  const keys = Array.from({ length: count }, () => "0x" + crypto.randomBytes(32).toString("hex"));
  const ganache = require("ganache");
  const port = await freePort();
  const server = ganache.server({
    wallet: { accounts: keys.map((secretKey) => ({ secretKey, balance: "0x" + (10n ** 21n).toString(16) })), lock: true },
    chain: { chainId: 31337 },
    logging: { quiet: true },
  });
  await server.listen(port, "127.0.0.1");
  const { privateKeyToAddress } = require("web3-eth-accounts");
  return {
    url: `http://127.0.0.1:${port}`,
    keys,
    addresses: keys.map((k) => privateKeyToAddress(k) as string),
    keyFile(i: number, name = String(i)): string {
      const file = path.join(dir, `${name}.key`);
      fs.writeFileSync(file, keys[i] + "\n", { mode: 0o600 });
      return file;
    },
    close: (): Promise<void> => server.close(),
  };
}
