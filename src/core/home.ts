import * as fs from "node:fs";
import * as path from "node:path";

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
}

export function homePaths(root: string): HomePaths {
  const abs = path.resolve(root);
  return {
    root: abs,
    chainDb: path.join(abs, "chain"),
    chainLock: path.join(abs, "chain.lock"),
    nodeInfo: path.join(abs, "node.json"),
    deployments: path.join(abs, "deployments.json"),
  };
}

/** Writes `data` to `file` through a temporary file and a rename: never half-written. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function readJsonFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
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
