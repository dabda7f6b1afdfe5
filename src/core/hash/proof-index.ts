/**
 * The home's index of batch-anchored data sets, so that `xray verify <file>` finds an image's
 * Merkle proof by itself, as `ots verify` finds the .ots file. One folder per chain and contract:
 *
 *   <home>/proofs/<chainId>-<xr address>/roots/<root>.json       the proofs file of one batch
 *   <home>/proofs/<chainId>-<xr address>/by-sha256/<aa>.tsv      "<sha256> <root>" lines, for hashes starting with aa
 *
 * Anchoring a batch costs O(batch), whatever the index holds: its lines are appended to the 256
 * shards, then its proofs file is written atomically. That file is the commit: a reader follows
 * a shard line only to a root whose file exists, so a run killed half-way is invisible (and
 * repeated in full by the rerun). Writers take turns under `index.lock`; readers never lock,
 * read one shard and one proofs file, and skip a line torn by a crash.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { acquireLock } from "../lock";
import { outputError } from "../out-file";
import { readProofs, writeProofs, type ProofsFile } from "./proofs";

/** The index folder of one deployment (xr contract on one chain) in `home`. */
export function proofIndexDir(home: string, chainId: number, contract: string): string {
  return path.join(home, "proofs", `${chainId}-${contract.toLowerCase()}`);
}

const rootFile = (dir: string, root: string) => path.join(dir, "roots", `${root.replace(/^0x/, "").toLowerCase()}.json`);
const shardFile = (dir: string, sha256: string) => path.join(dir, "by-sha256", `${sha256.slice(0, 2)}.tsv`);
const LINE = /^([0-9a-f]{64}) (0x[0-9a-f]{64})$/;

/** Adds an anchored batch to the index; a batch already there is left as it is. */
export async function indexBatch(dir: string, proofs: ProofsFile): Promise<void> {
  const file = rootFile(dir, proofs.root);
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.join(dir, "by-sha256"), { recursive: true });
  const release = await acquireLock(path.join(dir, "index.lock"), { what: `the proof index ${dir}` });
  try {
    if (fs.existsSync(file)) return; // another run indexed it while we waited
    const shards = new Map<string, string[]>();
    for (const sha256 of Object.keys(proofs.proofs)) {
      const shard = shardFile(dir, sha256);
      shards.set(shard, [...(shards.get(shard) ?? []), `${sha256} ${proofs.root.toLowerCase()}\n`]);
    }
    for (const [shard, lines] of shards) appendDurably(shard, lines.join(""));
    writeProofs(file, proofs); // the commit
  } finally {
    release();
  }
}

function appendDurably(file: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "a+", 0o644);
    // after a torn write (a killed run), start on a fresh line
    const size = fs.fstatSync(fd).size;
    const tail = Buffer.alloc(1);
    if (size > 0 && fs.readSync(fd, tail, 0, 1, size - 1) === 1 && tail[0] !== 0x0a) text = "\n" + text;
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } catch (err) {
    throw outputError(err, file);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Reads the index of one deployment; proofs files are read once per process. */
export function proofIndex(dir: string) {
  const cache = new Map<string, ProofsFile | undefined>();
  return {
    /** Every indexed batch holding a proof for `sha256` (usually one; none when it was never batch-anchored). */
    find(sha256: string): ProofsFile[] {
      let text: string;
      try {
        text = fs.readFileSync(shardFile(dir, sha256), "utf8");
      } catch {
        return [];
      }
      const roots = new Set<string>();
      for (const line of text.split("\n")) {
        const m = LINE.exec(line);
        if (m && m[1] === sha256) roots.add(m[2]);
      }
      const found: ProofsFile[] = [];
      for (const root of roots) {
        if (!cache.has(root)) cache.set(root, fs.existsSync(rootFile(dir, root)) ? readProofs(rootFile(dir, root)) : undefined);
        const p = cache.get(root);
        if (p?.proofs[sha256]) found.push(p);
      }
      return found;
    },
  };
}
