import * as fs from "node:fs";
import { ChainBusyError } from "../errors";
import { describeHolder, holderAlive, parseHolder, readOrEmpty, removeIfUnchanged, selfHolder, type Holder } from "./holder";

export interface LockOptions {
  /** How long to wait for another xray process to finish with the chain (0 = fail at once). */
  waitMs?: number;
  /** What the lock protects, for messages: "the embedded chain in /home/ken/.xray". */
  what?: string;
  /** The command taking the lock, written into it for whoever waits: "xray set-xray-hash". */
  command?: string;
  /** Called once, when the lock is found held by a live process and the wait begins. */
  onWait?: (holder: Holder, what: string) => void;
  /** How to wait longer, for the busy message: ", or wait longer with --wait <seconds>". */
  waitHint?: string;
}

/** Lock files this process holds: removed by the exit handler, whichever way the process ends. */
const held = new Map<string, string>();
let exitHandlerInstalled = false;

function releaseAllOnExit(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // main turns SIGINT/SIGTERM/SIGHUP and uncaught failures into process.exit, which runs this
  process.on("exit", () => {
    for (const [file, content] of held) removeIfUnchanged(file, content);
    held.clear();
  });
}

/**
 * Takes an exclusive lock file naming this process (pid, start time, command, since when).
 * A lock whose holder is gone, or whose pid now belongs to another process (a different
 * start time), is stale and taken over. Returns the function that releases it.
 */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<() => void> {
  const { waitMs = 60_000, what = "the embedded chain", command, onWait, waitHint = "" } = options;
  const deadline = Date.now() + waitMs;
  let told = false;
  releaseAllOnExit();
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const content = JSON.stringify(selfHolder(command));
    try {
      const fd = fs.openSync(file, "wx");
      held.set(file, content);
      try {
        fs.writeSync(fd, content);
      } finally {
        fs.closeSync(fd);
      }
      return () => {
        if (held.get(file) !== content) return;
        held.delete(file);
        removeIfUnchanged(file, content);
      };
    } catch (err) {
      if (held.get(file) === content) {
        // the lock was created but not written (a full disk): do not leave it behind
        held.delete(file);
        fs.rmSync(file, { force: true });
      }
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const text = readOrEmpty(file);
    const holder = parseHolder(text);
    if (!holder || !holderAlive(holder)) {
      // Stale: its owner died or its pid was reused. An empty file may be mid-write: wait for it.
      if (holder || ageMs(file) > 2_000) removeIfUnchanged(file, text);
      else await sleep(delay);
      continue;
    }
    if (Date.now() >= deadline) {
      const waited = waitMs > 0 ? `; waited ${Math.round(waitMs / 1000)} s` : "";
      throw new ChainBusyError(`${what} is in use by ${describeHolder(holder)}${waited}: try again when it finishes${waitHint}`);
    }
    if (!told) {
      told = true;
      onWait?.(holder, what);
    }
    await sleep(delay);
  }
}

/** The holder of a lock file, if there is a lock: for `xray doctor`. */
export function readLock(file: string): { holder?: Holder; text: string } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = readOrEmpty(file);
  return { holder: parseHolder(text), text };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
