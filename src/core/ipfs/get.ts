import * as fs from "node:fs";
import { promisify } from "node:util";
import { tempPathFor } from "../home";
import { IpfsError, UsageError } from "../../errors";
import { type BlockStore, verifyingStore } from "./store";

/** Parses a CID (v0 "Qm..." or v1 "bafy..."); a UsageError names what is wrong. */
export async function parseCid(text: string) {
  const { CID } = await import("multiformats/cid");
  try {
    return CID.parse(text.trim());
  } catch (err) {
    throw new UsageError(`not a CID: "${text}" (${(err as Error).message})`);
  }
}

/** The unixfs file behind `cid`, its blocks checked against their CIDs as they are read. */
async function openFile(store: BlockStore, cidText: string) {
  const cid = await parseCid(cidText);
  const { exporter } = await import("ipfs-unixfs-exporter");
  const checked = await verifyingStore(store);
  const entry = await exporter(cid, checked as never).catch((err) => {
    throw err instanceof IpfsError ? err : new IpfsError(`cannot read ${cid}: ${(err as Error).message}`, "IPFS_FAILED", { cause: err });
  });
  if (entry.type !== "file" && entry.type !== "raw") throw new UsageError(`${cid} is a ${entry.type}, not a file`);
  return { cid, entry };
}

/**
 * Writes the file behind `cid` to `out`: every block is checked against its CID as it is
 * read, into a temporary file renamed only when the whole file is there and verified.
 */
export async function getFile(store: BlockStore, cidText: string, out: string): Promise<{ cid: string; size: number }> {
  const tmp = tempPathFor(out);
  let size = 0;
  let cid;
  try {
    const opened = await openFile(store, cidText);
    cid = opened.cid;
    // Writes straight to the page cache (synchronous: cheaper than a thread-pool round trip
    // per block); the flush to disk is asynchronous, so files fetched at once overlap it.
    const fd = fs.openSync(tmp, "w");
    try {
      for await (const chunk of opened.entry.content()) {
        fs.writeSync(fd, chunk);
        size += chunk.length;
      }
      await promisify(fs.fsync)(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { cid: cid.toString(), size };
}

/** The whole file behind `cid` in memory, every block checked (for a ciphertext to decrypt). */
export async function getBytes(store: BlockStore, cidText: string): Promise<Uint8Array> {
  const { entry } = await openFile(store, cidText);
  const parts: Uint8Array[] = [];
  for await (const chunk of entry.content()) parts.push(chunk);
  return Buffer.concat(parts);
}
