import * as fs from "node:fs";
import { processAlive } from "./home";

/**
 * Who holds a lock or serves a node: enough to tell the live holder from a process that
 * merely reuses its pid (after a reboot or a container restart, pid 1 is always alive).
 */
export interface Holder {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); absent off Linux. */
  start?: string;
  /** e.g. "xray set-xray-hash". */
  command?: string;
  /** When it took the lock (ISO 8601). */
  since?: string;
}

/** The start time of process `pid` as /proc gives it, or undefined (gone, or not Linux). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19]; // field 22 overall: fields 1 and 2 come before the ')'
  } catch {
    return undefined;
  }
}

/** This process as a holder. */
export function selfHolder(command?: string): Holder {
  return { pid: process.pid, start: processStartTime(process.pid), command, since: new Date().toISOString() };
}

/** True when the holder's process still runs: same pid and, where known, the same start time. */
export function holderAlive(holder: Holder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0 || !processAlive(holder.pid)) return false;
  if (holder.start === undefined) return true;
  const now = processStartTime(holder.pid);
  return now === undefined || now === holder.start;
}

/** Reads a holder from a lock's text: JSON, or a bare pid (locks written by older xray). */
export function parseHolder(text: string): Holder | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t) };
  try {
    const v = JSON.parse(t) as Holder;
    return v && Number.isInteger(v.pid) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** "process 4242 (xray set-xray-hash, since 12:01:03)" */
export function describeHolder(holder: Holder): string {
  const facts = [holder.command, holder.since ? `since ${clock(holder.since)}` : undefined].filter(Boolean);
  return `process ${holder.pid}${facts.length ? ` (${facts.join(", ")})` : ""}`;
}

function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}

export function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * Removes `file` only if it still holds `expected`: it is moved aside atomically first, and
 * put back if another process replaced it in between. True when it was removed.
 */
export function removeIfUnchanged(file: string, expected: string): boolean {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false; // someone else dealt with it
  }
  if (readOrEmpty(aside) === expected) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  fs.renameSync(aside, file); // a fresh file written in between: put it back
  return false;
}
