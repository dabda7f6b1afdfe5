import * as fs from "node:fs";
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

/**
 * Writes the file behind `cid` to `out`: every block is checked against its CID as it is
 * read, into a temporary file renamed only when the whole file is there and verified.
 */
export async function getFile(store: BlockStore, cidText: string, out: string): Promise<{ cid: string; size: number }> {
  const cid = await parseCid(cidText);
  const { exporter } = await import("ipfs-unixfs-exporter");
  const checked = await verifyingStore(store);
  const tmp = tempPathFor(out);
  let size = 0;
  try {
    const entry = await exporter(cid, checked as never).catch((err) => {
      throw err instanceof IpfsError ? err : new IpfsError(`cannot read ${cid}: ${(err as Error).message}`, "IPFS_FAILED", { cause: err });
    });
    if (entry.type !== "file" && entry.type !== "raw") throw new UsageError(`${cid} is a ${entry.type}, not a file`);
    const fd = fs.openSync(tmp, "w");
    try {
      for await (const chunk of entry.content()) {
        fs.writeSync(fd, chunk);
        size += chunk.length;
      }
      fs.fsyncSync(fd);
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
