import * as fs from "node:fs";
import * as path from "node:path";
import type { CID } from "multiformats/cid" with { "resolution-mode": "import" };
import { IpfsError } from "../../errors";
import { writeFileAtomic } from "../home";

/** The two calls xray needs of a block store (Helia's Blockstore has them; so do tests' in-memory maps). */
export interface BlockStore {
  put(cid: CID, bytes: Uint8Array): Promise<unknown>;
  get(cid: CID): Promise<Uint8Array> | AsyncGenerator<Uint8Array> | Uint8Array;
  has(cid: CID): Promise<boolean> | boolean;
}

/** Where content goes: the embedded store, or a Kubo node. */
export interface IpfsStore extends BlockStore {
  /** "the embedded IPFS store" or "the IPFS node at <url>", for messages. */
  description: string;
  /** Keeps a DAG from garbage collection (a Kubo node's pin; a pin record for the embedded store's `xray ipfs gc`). */
  pin?(cid: CID): Promise<void>;
  close(): Promise<void>;
}

/** Where the embedded store keeps its blocks, pin records and the marks of running writers. */
export function storePaths(home: string) {
  const root = path.join(path.resolve(home), "ipfs");
  return { root, blocks: path.join(root, "blocks"), pins: path.join(root, "pins"), writers: path.join(root, "writers") };
}

/**
 * The embedded IPFS block store: one file per block under `$XRAY_HOME/ipfs/blocks`. A pin is
 * a small file per root under `ipfs/pins` (written atomically: no shared list to race on);
 * while this process writes blocks, `ipfs/writers/<pid>` says so, and `xray ipfs gc` waits.
 */
export async function openBlockStore(home: string): Promise<IpfsStore> {
  const { FsBlockstore } = await import("blockstore-fs");
  const paths = storePaths(home);
  const store = new FsBlockstore(paths.blocks);
  await store.open();
  const writerMark = path.join(paths.writers, String(process.pid));
  let writing = false;
  return {
    description: "the embedded IPFS store",
    put: (cid, bytes) => {
      if (!writing) {
        fs.mkdirSync(paths.writers, { recursive: true });
        fs.writeFileSync(writerMark, `${new Date().toISOString()}\n`);
        writing = true;
      }
      return store.put(cid, bytes);
    },
    get: (cid) => store.get(cid),
    has: (cid) => store.has(cid),
    pin: async (cid) => writeFileAtomic(path.join(paths.pins, cid.toString()), JSON.stringify({ cid: cid.toString(), time: new Date().toISOString() }) + "\n"),
    close: async () => {
      if (writing) fs.rmSync(writerMark, { force: true });
      await store.close();
    },
  };
}

/** The Kubo node at `ipfs` (an RPC URL) when given, else the embedded store under `home`. */
export async function openIpfs(p: { home: string; ipfs?: string }): Promise<IpfsStore> {
  if (p.ipfs) return (require("./kubo") as typeof import("./kubo")).openKubo(p.ipfs);
  return openBlockStore(p.home);
}

/** Reads a block, whatever shape the store returns it in. */
export async function readBlock(store: BlockStore, cid: CID): Promise<Uint8Array> {
  try {
    const got = await store.get(cid);
    if (got instanceof Uint8Array) return got;
    const parts: Uint8Array[] = [];
    for await (const p of got) parts.push(p);
    return Buffer.concat(parts);
  } catch (err) {
    if (err instanceof IpfsError) throw err;
    throw new IpfsError(`${cid} is not in the IPFS store (block missing)`, "IPFS_NOT_FOUND", { cause: err });
  }
}

/**
 * Wraps a store so every block read is hashed and compared with its CID: a changed byte in
 * any block is an error, never silently returned.
 */
export async function verifyingStore(store: BlockStore): Promise<BlockStore> {
  const { sha256 } = await import("multiformats/hashes/sha2");
  const { equals } = await import("multiformats/bytes");
  return {
    put: (cid, bytes) => store.put(cid, bytes),
    has: (cid) => store.has(cid),
    // An async generator, the shape the unixfs exporter reads blocks in.
    async *get(cid) {
      const bytes = await readBlock(store, cid);
      if (cid.multihash.code !== sha256.code) throw new IpfsError(`block ${cid} uses a hash xray does not check (0x${cid.multihash.code.toString(16)})`, "IPFS_UNSUPPORTED");
      const digest = await sha256.digest(bytes);
      if (!equals(digest.digest, cid.multihash.digest)) throw new IpfsError(`block ${cid} is damaged: its bytes do not hash to its CID`, "IPFS_TAMPERED");
      yield bytes;
    },
  };
}
