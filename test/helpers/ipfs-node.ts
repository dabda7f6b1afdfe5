/**
 * A real IPFS node for the `--ipfs` tests: js-ipfs 0.66.1 (a complete implementation that
 * serves Kubo's RPC API), installed in its own test package, test/ipfs-node/ (never a product
 * dependency; `.ci/run` installs it with `npm ci --prefix test/ipfs-node`). Each start is a
 * fresh repository in a temporary folder, offline, with its API on a free loopback port and
 * no swarm, gateway or gRPC listener; stopped by its PID.
 *
 * Quirks met (and allowed for by src/core/ipfs/kubo.ts): it ignores `cid-codec` on block/put
 * (it reads `format`), a CID it does not have is looked for forever unless the call carries a
 * `timeout`, and after kill -9 its repository lock stays for about 10 s (hence SIGTERM here).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, ROOT, stopProcess } from "./cli";

export interface IpfsNode {
  /** The RPC API, for --ipfs / XRAY_IPFS. */
  url: string;
  pid: number;
  /** Its repository (IPFS_PATH): blocks under blocks/. */
  repo: string;
  /** POSTs one RPC call (`cat`, `dag/export`, ...) straight to the node; the body as bytes. */
  call(pathAndQuery: string, body?: { name: string; bytes: Buffer }): Promise<Buffer>;
  stop(): Promise<void>;
}

export const IPFS_NODE_DIR = path.join(ROOT, "test", "ipfs-node");
const JSIPFS = path.join(IPFS_NODE_DIR, "node_modules", "ipfs", "src", "cli.js");

/** Why the node cannot run here, or undefined when it can. */
export function ipfsNodeMissing(): string | undefined {
  if (fs.existsSync(JSIPFS)) return undefined;
  return `js-ipfs is not installed (${path.relative(ROOT, JSIPFS)} missing): run npm ci --prefix test/ipfs-node (1.5-3.5 minutes; .ci/run does)`;
}

/**
 * For a `before` hook: the node, or, when js-ipfs is not installed, a skip with the reason
 * (locally) or a failure (in CI, where CI is set: the evidence must not silently vanish).
 */
export async function startIpfsNodeOrSkip(ctx: Mocha.Context): Promise<IpfsNode> {
  const missing = ipfsNodeMissing();
  if (missing) {
    if (process.env.CI) throw new Error(`CI: ${missing}`);
    console.warn(`      skipped: ${missing}`);
    ctx.skip();
  }
  return startIpfsNode();
}

/** Starts `jsipfs daemon --offline`, initialising a new repository with the config below (5-10 s). */
export async function startIpfsNode(): Promise<IpfsNode> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-jsipfs-"));
  const port = await freePort();
  const config = { Addresses: { Swarm: [], API: `/ip4/127.0.0.1/tcp/${port}`, Gateway: "", RPC: "", Delegates: [] }, Bootstrap: [] };
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
  const child = spawn(process.execPath, [JSIPFS, "daemon", "--offline", "--init-config", path.join(dir, "config.json")], {
    env: { ...process.env, IPFS_PATH: path.join(dir, "repo") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopWithin(child, 15_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await new Promise<void>((resolve, reject) => {
    let out = "";
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`js-ipfs did not start within 60 s:\n${out}`)), 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      stop().then(() => reject(err), () => reject(err));
    };
    child.stdout!.on("data", (d) => {
      out += d;
      if (!ready && /Daemon is ready/.test(out)) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on("data", (d) => (out += d));
    child.on("exit", (code) => !ready && fail(new Error(`js-ipfs exited (${code}) before it was ready:\n${out}`)));
  });
  return {
    url,
    pid: child.pid!,
    repo: path.join(dir, "repo"),
    call: (pathAndQuery, body) => rpcCall(url, pathAndQuery, body),
    stop,
  };
}

async function stopWithin(child: ChildProcess, ms: number): Promise<void> {
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  await stopProcess(child);
  clearTimeout(timer);
}

async function rpcCall(url: string, pathAndQuery: string, body?: { name: string; bytes: Buffer }): Promise<Buffer> {
  let init: RequestInit = { method: "POST", signal: AbortSignal.timeout(20_000) };
  if (body) {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(body.bytes)]), body.name);
    init = { ...init, body: form };
  }
  const res = await fetch(`${url}/api/v0/${pathAndQuery}`, init);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${pathAndQuery}: HTTP ${res.status}: ${bytes.toString("utf8").slice(0, 300)}`);
  return bytes;
}
