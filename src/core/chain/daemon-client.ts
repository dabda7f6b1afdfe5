/**
 * Finding, starting and stopping a home's background chain process (daemon.ts). A command
 * connects to the live one, or starts one under a start lock (so two commands at once start
 * one), waits for its ready line, and talks to it over its unix socket. A record whose
 * process is gone, or whose pid now belongs to another process, or whose socket refuses, is
 * stale: removed (only if unchanged) and replaced.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { homePaths, readJsonFile } from "../home";
import { holderAlive, readOrEmpty, removeIfUnchanged } from "../holder";
import { acquireLock } from "../lock";
import { packageRoot } from "../paths";
import { httpProvider } from "./http";
import { nodeAnswers } from "./embedded";
import type { DaemonInfo } from "./daemon";
import type { Provider } from "./provider";
import { ChainUnreachableError, XrayError } from "../../errors";

/** The background process serving this home, checked (alive, same start time, socket answers); stale records removed. */
export async function liveDaemon(home: string, probeMs = 2_000): Promise<DaemonInfo | undefined> {
  const file = homePaths(home).daemonInfo;
  const text = readOrEmpty(file);
  if (!text) return undefined;
  let info: DaemonInfo | undefined;
  try {
    info = readJsonFile<DaemonInfo>(file);
  } catch {
    info = undefined;
  }
  if (info && holderAlive(info) && (await nodeAnswers("http://localhost/", probeMs, info.socket)) !== "refused") return info;
  removeIfUnchanged(file, text);
  return undefined;
}

/**
 * The background process this home's record names, if that process runs (same pid and start
 * time); not probed: `connectDaemon`'s provider finds out on its first request.
 */
export function recordedDaemon(home: string): { info: DaemonInfo; text: string } | undefined {
  const file = homePaths(home).daemonInfo;
  const text = readOrEmpty(file);
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as DaemonInfo;
    if (info && typeof info.socket === "string" && holderAlive(info)) return { info, text };
  } catch {
    // unreadable: stale
  }
  removeIfUnchanged(file, text);
  return undefined;
}

/**
 * A provider for the home's background process, started if none runs; or why it could
 * not start (the caller then opens the chain itself). A recorded process is used without a
 * probe round trip: if its socket refuses the first request (it just went idle, or was
 * killed), the request never reached it, so the record is dropped, a new process started
 * and the request sent there.
 */
export async function connectDaemon(home: string, options: { idleSeconds: number; waitMs?: number }): Promise<Provider | StartFailure> {
  const recorded = recordedDaemon(home);
  if (!recorded) {
    const started = await startDaemon(home, options);
    return "info" in started ? daemonProvider(home, started.info) : started;
  }
  let current = daemonProvider(home, recorded.info);
  let proven = false;
  const restart = async (err: unknown) => {
    removeIfUnchanged(homePaths(home).daemonInfo, recorded.text);
    await current.close();
    const started = await startDaemon(home, options);
    if (!("info" in started)) throw new XrayError(started.error, started.code, { cause: err });
    current = daemonProvider(home, started.info);
  };
  return {
    get description() {
      return current.description;
    },
    embedded: true,
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      if (proven) return current.request<T>(method, params);
      try {
        const result = await current.request<T>(method, params);
        proven = true;
        return result;
      } catch (err) {
        const code = (err as { details?: string }).details;
        if (!(err instanceof ChainUnreachableError) || (code !== "ECONNREFUSED" && code !== "ENOENT")) throw err;
        await restart(err);
        proven = true;
        return current.request<T>(method, params);
      }
    },
    close: () => current.close(),
  };
}

/** A provider talking to the background process over its socket. */
export function daemonProvider(home: string, info: DaemonInfo): Provider {
  return httpProvider("http://localhost/", {
    socketPath: info.socket,
    embedded: true,
    description: `the embedded chain in ${homePaths(home).root} (background process ${info.pid})`,
  });
}

/**
 * How long a starting background process waits for the chain's lock: enough for one that is
 * stopping (killed, or idle) to let go. A longer holder (a command running Ganache itself)
 * is then waited for by the command, with its --wait and its message.
 */
const DAEMON_LOCK_WAIT_MS = 3_000;

export type StartFailure = { error: string; code: string };
export type StartResult = { info: DaemonInfo } | StartFailure;

/**
 * Starts the home's background process unless one is already live; resolves to its info, or
 * to the reason it could not start (another process holds the chain, a damaged database).
 */
export async function startDaemon(home: string, options: { idleSeconds: number; waitMs?: number }): Promise<StartResult> {
  const paths = homePaths(home);
  fs.mkdirSync(paths.root, { recursive: true });
  const release = await acquireLock(paths.daemonStartLock, { what: `the start of the chain process of ${paths.root}`, waitMs: options.waitMs ?? 60_000, command: "xray (starting the chain process)" });
  try {
    const live = await liveDaemon(home);
    if (live) return { info: live };
    const log = fs.openSync(paths.daemonLog, "a");
    const entry = path.join(packageRoot(), "dist", "src", "cli", "chain-daemon.js");
    const child = spawn(process.execPath, [entry, paths.root, String(options.idleSeconds), String(Math.min(options.waitMs ?? 60_000, DAEMON_LOCK_WAIT_MS))], { detached: true, stdio: ["ignore", "pipe", log] });
    fs.closeSync(log);
    const line = await new Promise<string>((resolve) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d;
        if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
      });
      child.on("exit", (code) => resolve(out || JSON.stringify({ error: `the chain process exited (${code}) before it was ready; see ${paths.daemonLog}`, code: "DAEMON_FAILED" })));
      child.on("error", (err) => resolve(JSON.stringify({ error: err.message, code: "DAEMON_FAILED" })));
    });
    child.stdout!.destroy();
    child.unref();
    const parsed = JSON.parse(line) as DaemonInfo & { error?: string; code?: string };
    return parsed.error ? { error: parsed.error, code: parsed.code ?? "DAEMON_FAILED" } : { info: parsed };
  } finally {
    release();
  }
}

/**
 * Asks the home's background process to stop (SIGTERM) and waits until it has released the
 * chain: what `xray node` does before it serves the chain itself. False if none was running.
 */
export async function stopDaemon(home: string, waitMs = 15_000): Promise<boolean> {
  const info = readJsonFile<DaemonInfo>(homePaths(home).daemonInfo);
  if (!info || !holderAlive(info)) return false;
  process.kill(info.pid, "SIGTERM");
  const deadline = Date.now() + waitMs;
  while (holderAlive(info) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return true;
}
