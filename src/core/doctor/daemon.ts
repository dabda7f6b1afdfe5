import * as fs from "node:fs";
import { homePaths } from "../home";
import { holderAlive, removeIfUnchanged } from "../holder";
import { nodeAnswers } from "../chain/embedded";
import type { DaemonInfo } from "../chain/daemon";
import { ok, problem, reason, warning, type Check } from "./check";

/**
 * chain-daemon.json: absent (the next command starts the background chain process), a
 * process that runs and answers on its socket, or stale (gone, pid reused, socket refusing).
 */
export async function checkDaemon(home: string, fix: boolean): Promise<Check> {
  const file = homePaths(home).daemonInfo;
  let text: string;
  let info: DaemonInfo | undefined;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return ok("daemon", "no background chain process runs (the next command starts one)");
    return problem("daemon", reason(err), `remove ${file} (only the background chain process writes it)`);
  }
  try {
    info = JSON.parse(text) as DaemonInfo;
  } catch {
    info = undefined;
  }
  const alive = info !== undefined && typeof info.socket === "string" && holderAlive(info);
  const answer = alive ? await nodeAnswers("http://localhost/", 2_000, info!.socket) : "refused";
  if (alive && answer === "ok") {
    return ok("daemon", `the background chain process (process ${info!.pid}) serves this home on ${info!.socket}; it exits after ${info!.idleSeconds} s without a command`);
  }
  if (alive && answer === "silent") {
    return warning("daemon", `the background chain process (process ${info!.pid}) runs but does not answer on ${info!.socket} within 2 s`, `wait for it, or stop it (kill ${info!.pid}); the next command starts another`);
  }
  const why = !info ? "unreadable content" : alive ? `nothing answers on ${info.socket}` : `process ${info.pid} is gone`;
  if (fix && removeIfUnchanged(file, text)) return ok("daemon", `removed a stale background process file (${why})`);
  return warning("daemon", `stale background process file ${file}: ${why}`, "`xray doctor --fix` removes it (xray commands also replace it by themselves)");
}
