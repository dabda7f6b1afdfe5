/**
 * The XrayhashSet events of the home's embedded chain, cached in the home: hash → record
 * indexes, complete up to a block whose hash is kept with it. Ganache answers eth_getLogs by
 * reading every block of the range, even with a topic filter (measured: 76 ms for 1,000 blocks,
 * ~0.07 ms a block), so the duplicate check of `set-xray-hash` grew with the chain; with the
 * cache each command asks only for the blocks mined since the last one looked.
 *
 * A cache, never the truth: a missing, unreadable or foreign file, or one whose block is no
 * longer on the chain (reset, restored from a backup), is rebuilt from the chain. Writers
 * replace the file whole (temporary file and rename); two at once leave one's complete view.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tempPathFor } from "../../out-file";
import type { XrContext, XrLog } from "../xr";

interface IndexFile {
  version: 1;
  /** The xr contract the events are of (lowercase). */
  xr: string;
  /** Every event up to and including this block is in `hashes`. */
  block: number;
  blockHash: string;
  hashes: Record<string, number[]>;
}

const hex = (n: number) => "0x" + n.toString(16);

/**
 * Blocks a command reads past the cache's before it rewrites the cache: rewriting costs
 * O(records) (JSON of every hash), reading a few blocks again costs little.
 */
const REWRITE_AFTER_BLOCKS = 32;

/** The cache file of contract `xr` in a home: one per contract (a hospital home has one per patient). */
export const hashIndexFile = (home: string, xr: string) => path.join(home, "xrayhash-index", `${xr.toLowerCase()}.json`);

function readIndex(file: string, xr: string): IndexFile | undefined {
  try {
    const idx = JSON.parse(fs.readFileSync(file, "utf8")) as IndexFile;
    return idx.version === 1 && idx.xr === xr && Number.isInteger(idx.block) && typeof idx.blockHash === "string" && idx.hashes ? idx : undefined;
  } catch {
    return undefined;
  }
}

function writeIndex(file: string, idx: IndexFile): void {
  // a cache: written whole through a rename, but not synced (a lost write costs a rebuild)
  const tmp = tempPathFor(file);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(idx));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true }); // a read-only or full home: the cache is skipped
  }
}

/**
 * Record indexes of every hash recorded on the home's embedded chain, from the cache and the
 * events of the blocks mined since. `topic` is XrayhashSet's topic 0.
 */
export async function indexedHashes(ctx: XrContext, topic: string): Promise<Map<string, number[]>> {
  const { provider } = ctx.chain;
  const xr = ctx.deployment.xr.toLowerCase();
  const file = hashIndexFile(ctx.chain.home, xr);
  let idx = readIndex(file, xr);
  const block = (n: number | "latest") => provider.request<{ number: string; hash: string } | null>("eth_getBlockByNumber", [typeof n === "number" ? hex(n) : n, false]);
  const [tip, cursor] = await Promise.all([block("latest"), idx ? block(idx.block) : undefined]);
  if (idx && cursor?.hash !== idx.blockHash) idx = undefined;
  const hashes = new Map<string, number[]>(Object.entries(idx?.hashes ?? {}));
  const from = idx ? idx.block + 1 : ctx.deployment.block;
  const latest = Number(BigInt(tip?.number ?? "0x0"));
  if (!tip || latest < from) return hashes;
  const logs = await provider.request<XrLog[]>("eth_getLogs", [{ address: ctx.deployment.xr, fromBlock: hex(from), toBlock: hex(latest), topics: [topic] }]);
  for (const log of logs) {
    const hash = log.topics[3].slice(2).toLowerCase();
    hashes.set(hash, [...(hashes.get(hash) ?? []), Number(BigInt(log.topics[1]))]);
  }
  if (!idx || latest - idx.block >= REWRITE_AFTER_BLOCKS) writeIndex(file, { version: 1, xr, block: latest, blockHash: tip.hash, hashes: Object.fromEntries(hashes) });
  return hashes;
}
