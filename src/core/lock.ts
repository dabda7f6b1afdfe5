import * as fs from "node:fs";
import { ChainBusyError } from "../errors";
import { processAlive } from "./home";

export interface LockOptions {
  /** How long to wait for another xray process to finish with the chain. */
  waitMs?: number;
  /** What the lock protects, for the error message. */
  what?: string;
}

/**
 * Takes an exclusive lock file holding our pid. A lock left by a process that no longer
 * exists (killed with -9) is taken over. Returns the function that releases it.
 */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<() => void> {
  const { waitMs = 60_000, what = "the embedded chain" } = options;
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number.parseInt(readOrEmpty(file), 10);
    if (!Number.isInteger(holder) || !processAlive(holder)) {
      // Stale: its owner died (or is mid-write, if the file is still empty: wait for it).
      if (Number.isInteger(holder)) removeIfStillHeldBy(file, holder);
      else if (ageMs(file) > 2_000) removeIfStillHeldBy(file, NaN);
      else await new Promise((resolve) => setTimeout(resolve, delay));
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ChainBusyError(`${what} is in use by process ${holder}; try again when it finishes`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

/** Moves the stale lock aside atomically and deletes it only if it was really `holder`'s. */
function removeIfStillHeldBy(file: string, holder: number): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else dealt with it
  }
  const content = readOrEmpty(aside);
  if (content === (Number.isNaN(holder) ? "" : String(holder))) fs.unlinkSync(aside);
  else fs.renameSync(aside, file); // it was a fresh lock taken in between: put it back
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
