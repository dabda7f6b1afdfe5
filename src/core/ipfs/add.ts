import * as fs from "node:fs";
import type { CID } from "multiformats/cid" with { "resolution-mode": "import" };
import type { FileLayout } from "ipfs-unixfs-importer/layout" with { "resolution-mode": "import" };
import { UsageError } from "../../errors";
import { notRegular } from "../hash/files";
import type { BlockStore, IpfsStore } from "./store";

export interface AddOptions {
  /** 0 (Kubo's default: dag-pb leaves) or 1 (Kubo's `--cid-version 1`: raw leaves). */
  cidVersion?: 0 | 1;
  /** Called with the bytes read so far (for a progress bar). */
  onProgress?: (bytes: number) => void;
}

export interface Added {
  cid: string;
  /** Bytes of the file. */
  size: number;
}

/** Kubo's `ipfs add` defaults: 256 KiB chunks, balanced DAG of up to 174 links a node. */
export const KUBO_CHUNK_SIZE = 262_144;
export const KUBO_MAX_CHILDREN = 174;

/**
 * Adds a file to the block store as Kubo's `ipfs add` would, so the CID is byte-identical to
 * Kubo's for the same file and settings. Streams: memory does not grow with the file.
 */
export async function addFile(store: BlockStore, file: string, options: AddOptions = {}): Promise<Added> {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) throw new UsageError(`no such file: ${file}`);
  // A FIFO or device would block or never end: only regular files are added.
  if (!st.isFile()) throw new UsageError(`${file}: ${notRegular(st) ?? "not a regular file"}`);
  // 1 MiB reads: with the default 64 KiB the importer waits on 16 times as many thread-pool round trips.
  const content = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  return { cid: await addStream(store, counted(content, options.onProgress), options), size: st.size };
}

/** Adds bytes already in memory (a ciphertext) as `ipfs add` would a file holding them. */
export async function addBytes(store: BlockStore, bytes: Uint8Array, options: AddOptions = {}): Promise<Added> {
  return { cid: await addStream(store, bytes, options), size: bytes.length };
}

async function* counted(source: AsyncIterable<Uint8Array>, onProgress?: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.length;
    onProgress?.(bytes);
    yield chunk;
  }
}

/**
 * Imports one file's content (a stream: memory stays bounded) with Kubo's defaults and pins
 * its root where the store pins; returns the root CID.
 */
export async function addStream(store: BlockStore, content: AsyncIterable<Uint8Array> | Uint8Array, options: AddOptions): Promise<string> {
  const { cidVersion = 0 } = options;
  const { importer } = await import("ipfs-unixfs-importer");
  const { fixedSize } = await import("ipfs-unixfs-importer/chunker");
  const { balanced } = await import("ipfs-unixfs-importer/layout");
  let root: CID | undefined;
  for await (const entry of importer([{ content }], store as never, {
    cidVersion,
    rawLeaves: cidVersion === 1,
    chunker: fixedSize({ chunkSize: KUBO_CHUNK_SIZE }),
    layout: withoutLeafData(balanced({ maxChildrenPerNode: KUBO_MAX_CHILDREN })),
    reduceSingleLeafToSelf: true,
    wrapWithDirectory: false,
  })) {
    root = entry.cid;
  }
  await (store as Partial<IpfsStore>).pin?.(root!);
  return root!.toString();
}

/**
 * The balanced layout holds each leaf until its parent is written (up to 174 at a time), and
 * with dag-pb leaves each one keeps its UnixFS with the whole chunk (256 KiB) although the
 * parent needs only the chunk's length: 45 MB held, and twice the peak memory of an import.
 * The leaf's data is replaced by a stand-in that has that length and nothing else (the
 * reducer of ipfs-unixfs-importer 17 reads `unixfs.data.length` of a leaf, nothing more;
 * the CID vectors in test/ipfs.test.ts would catch a version that reads more).
 */
function withoutLeafData(layout: FileLayout): FileLayout {
  return (source, reduce) =>
    layout(
      (async function* () {
        for await (const leaf of source) {
          if (leaf.unixfs?.data) leaf.unixfs.data = { length: leaf.unixfs.data.length } as never;
          yield leaf;
        }
      })(),
      reduce,
    );
}
