import * as fs from "node:fs";
import * as path from "node:path";
import { XrayError } from "../errors";
import { outputError, tempPathFor } from "./out-file";

/** Where xray keeps its state: the embedded chain, deployments, the running node's address. */
export interface HomePaths {
  root: string;
  /** Ganache's LevelDB folder for the embedded chain. */
  chainDb: string;
  /** Held (O_EXCL) by the one process that has the embedded chain open. */
  chainLock: string;
  /** Written by `xray node` while it serves the embedded chain. */
  nodeInfo: string;
  /** Contract addresses and role accounts, per chain. */
  deployments: string;
  /** Written by the background chain process while it serves the chain (pid, start time, socket). */
  daemonInfo: string;
  /** Held while a command starts the background chain process, so two commands start one. */
  daemonStartLock: string;
  /** The background chain process's messages (it has no terminal). */
  daemonLog: string;
}

export function homePaths(root: string): HomePaths {
  const abs = path.resolve(root);
  return {
    root: abs,
    chainDb: path.join(abs, "chain"),
    chainLock: path.join(abs, "chain.lock"),
    nodeInfo: path.join(abs, "node.json"),
    deployments: path.join(abs, "deployments.json"),
    daemonInfo: path.join(abs, "chain-daemon.json"),
    daemonStartLock: path.join(abs, "chain-daemon.lock"),
    daemonLog: path.join(abs, "chain-daemon.log"),
  };
}

export { tempPathFor } from "./out-file";

/** Writes `data` to `file` through a temporary file and a rename: never half-written. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(file);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw outputError(err, file);
  }
}

export function readJsonFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new XrayError(`cannot read ${file}: ${(err as Error).message}`, "UNREADABLE", { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new XrayError(`${file} is damaged (not valid JSON: ${(err as Error).message}): restore it from a backup, or move it aside and run \`xray doctor\``, "DAMAGED_FILE", { cause: err });
  }
}

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Pretty JSON with the list (array or object) under `key` written one item per line, so that
 * files of thousands of entries stay readable in diffs and greps.
 */
export function jsonOneItemPerLine(doc: Record<string, unknown>, key: string): string {
  const { [key]: items, ...head } = doc;
  const isArray = Array.isArray(items);
  const lines = isArray
    ? (items as unknown[]).map((x) => "    " + JSON.stringify(x))
    : Object.entries(items as Record<string, unknown>).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  const body = lines.length ? `${open}\n${lines.join(",\n")}\n  ${close}` : open + close;
  return JSON.stringify({ ...head, [key]: isArray ? [] : {} }, null, 2).replace(`"${key}": ${open}${close}`, () => `"${key}": ${body}`) + "\n";
}
