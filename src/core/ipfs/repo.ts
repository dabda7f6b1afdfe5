/**
 * Upkeep of the embedded block store, as Kubo's `ipfs repo gc` and `ipfs repo verify`: remove
 * the blocks no root reaches (what a killed `upload` leaves), and re-hash every block against
 * the multihash its file is named by.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { IpfsError } from "../../errors";
import { processAlive } from "../home";
import { parseCid } from "./get";
import { readBlock, storePaths, type BlockStore } from "./store";

const DAG_PB = 0x70;
const SHA2_256 = 0x12;

/** One block file: its key (the multihash in base32, upper case, as blockstore-fs names it). */
export interface BlockFile {
  key: string;
  file: string;
  size: number;
  /** Last modified, ms since 1970. */
  mtimeMs: number;
}

/**
 * Every block file of the embedded store under `home`; with `partial`, instead the
 * half-written ones a killed writer left (blockstore-fs writes `.<key>.data.tmp`, then renames).
 */
export function listBlocks(home: string, partial = false): BlockFile[] {
  const { blocks } = storePaths(home);
  if (!fs.existsSync(blocks)) return [];
  const out: BlockFile[] = [];
  for (const shard of fs.readdirSync(blocks, { withFileTypes: true })) {
    if (!shard.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(blocks, shard.name), { withFileTypes: true })) {
      const m = /^(\.?)([A-Z2-7]+)\.data(\.tmp)?$/.exec(f.name);
      const isBlock = m && !m[1] && !m[3];
      const isPartial = m && m[1] && m[3];
      if (!f.isFile() || !m || !(partial ? isPartial : isBlock)) continue;
      const file = path.join(blocks, shard.name, f.name);
      const st = fs.statSync(file);
      out.push({ key: m[2], file, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** The roots pinned in the embedded store (`ipfs add`, `upload`, `approve` write one each). */
export function pinnedRoots(home: string): string[] {
  const { pins } = storePaths(home);
  return fs.existsSync(pins) ? fs.readdirSync(pins).filter((n) => !n.startsWith(".")).sort() : [];
}

/** The key blockstore-fs files a CID's block under. */
async function keyOf(cid: { multihash: { bytes: Uint8Array } }): Promise<string> {
  const { base32upper } = await import("multiformats/bases/base32");
  return base32upper.encoder.encode(cid.multihash.bytes);
}

/** A block's name for people: its multihash as a CIDv0 (Qm...), what `ipfs repo verify` would name. */
async function nameOf(key: string): Promise<string> {
  const { base32upper } = await import("multiformats/bases/base32");
  const { base58btc } = await import("multiformats/bases/base58");
  try {
    return base58btc.encoder.encode(base32upper.decoder.decode(key)).slice(1);
  } catch {
    return key;
  }
}

export interface GcResult {
  roots: number;
  /** Roots whose DAG is not (wholly) in the store: recorded on chain, stored elsewhere. */
  missingRoots: string[];
  kept: number;
  removed: { cid: string; bytes: number }[];
  bytesFreed: number;
  dryRun: boolean;
}

/**
 * Removes every block of the embedded store that no root reaches (`roots`: pins and CIDs
 * recorded on chain); with `dryRun`, only says which. Refuses while another process writes;
 * blocks written since it started are kept (a writer that began meanwhile).
 */
export async function collectGarbage(home: string, store: BlockStore, p: { roots: string[]; dryRun?: boolean }): Promise<GcResult> {
  const { writers } = storePaths(home);
  // A writer that starts after this check writes blocks newer than `start`: those are kept.
  const start = Date.now();
  const busy = fs.existsSync(writers) ? fs.readdirSync(writers).map(Number).filter((pid) => pid !== process.pid && Number.isInteger(pid) && processAlive(pid)) : [];
  if (busy.length) throw new IpfsError(`another xray process (pid ${busy.join(", ")}) is adding blocks to the store: run gc when it has ended`, "IPFS_BUSY");
  const dagPb = await import("@ipld/dag-pb");
  const reachable = new Set<string>();
  const missingRoots = new Set<string>();
  for (const text of new Set(p.roots)) {
    const root = await parseCid(text);
    const walk = async (cid: typeof root): Promise<void> => {
      const key = await keyOf(cid);
      if (reachable.has(key)) return;
      if (!(await store.has(cid))) {
        missingRoots.add(text);
        return;
      }
      reachable.add(key);
      if (cid.code !== DAG_PB) return;
      let links;
      try {
        links = dagPb.decode(await readBlock(store, cid)).Links;
      } catch (err) {
        // Removing what a damaged node hides could lose the rest of its file: stop, remove nothing.
        throw new IpfsError(`block ${cid} (of ${text}) cannot be decoded, so what it links to is unknown: nothing removed; run \`xray ipfs verify\``, "IPFS_TAMPERED", { cause: err });
      }
      for (const link of links) await walk(link.Hash as typeof root);
    };
    await walk(root);
  }
  const removed: GcResult["removed"] = [];
  // Half-written blocks first: no writer is alive (checked above), so none will be renamed.
  for (const b of [...listBlocks(home, true), ...listBlocks(home)]) {
    if ((reachable.has(b.key) && !b.file.endsWith(".tmp")) || b.mtimeMs >= start) continue;
    if (!p.dryRun) fs.rmSync(b.file, { force: true });
    removed.push({ cid: await nameOf(b.key), bytes: b.size });
  }
  return { roots: new Set(p.roots).size, missingRoots: [...missingRoots], kept: reachable.size, removed, bytesFreed: removed.reduce((n, r) => n + r.bytes, 0), dryRun: Boolean(p.dryRun) };
}

export interface VerifyResult {
  blocks: number;
  bytes: number;
  bad: { cid: string; file: string; error: string }[];
}

/** Re-hashes every block of the embedded store against the multihash it is filed under. */
export async function verifyBlocks(home: string, onProgress?: (done: number, total: number) => void): Promise<VerifyResult> {
  const { createHash } = await import("node:crypto");
  const { base32upper } = await import("multiformats/bases/base32");
  const blocks = listBlocks(home);
  const bad: VerifyResult["bad"] = [];
  let bytes = 0;
  for (const [i, b] of blocks.entries()) {
    const cid = await nameOf(b.key);
    let multihash: Uint8Array;
    try {
      multihash = base32upper.decoder.decode(b.key);
    } catch {
      bad.push({ cid, file: b.file, error: "its file name is not a multihash" });
      continue;
    }
    if (multihash[0] !== SHA2_256 || multihash[1] !== 32) {
      bad.push({ cid, file: b.file, error: `its hash (0x${multihash[0].toString(16)}) is not one xray checks` });
      continue;
    }
    const data = fs.readFileSync(b.file);
    bytes += data.length;
    const digest = createHash("sha256").update(data).digest();
    if (!digest.equals(Buffer.from(multihash.subarray(2)))) bad.push({ cid, file: b.file, error: "its bytes do not hash to its CID" });
    onProgress?.(i + 1, blocks.length);
  }
  return { blocks: blocks.length, bytes, bad };
}
