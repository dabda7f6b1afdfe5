import { IpfsError, UsageError } from "../../errors";
import { openOutput, type OutputOptions, type OutputTarget } from "../out-file";
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
export async function openFile(store: BlockStore, cidText: string) {
  const cid = await parseCid(cidText);
  const { exporter } = await import("ipfs-unixfs-exporter");
  const checked = await verifyingStore(store);
  const entry = await exporter(cid, checked as never).catch((err) => {
    throw err instanceof IpfsError ? err : new IpfsError(`cannot read ${cid}: ${(err as Error).message}`, "IPFS_FAILED", { cause: err });
  });
  if (entry.type !== "file" && entry.type !== "raw") throw new UsageError(`${cid} is a ${entry.type}, not a file`);
  return { cid, entry };
}

/** Bytes of a file read per pass of the exporter: what may wait in memory for a slow reader. */
export const READ_WINDOW = 8 << 20;

/**
 * A file's bytes in order, in windows of `READ_WINDOW`: the exporter walks a DAG as fast as
 * the store answers and queues every block it reads, whatever the consumer's pace (a
 * decryption, a pipe), so a whole file would pile up in memory; a window at a time bounds it.
 */
export async function* fileContent(entry: Awaited<ReturnType<typeof openFile>>["entry"]): AsyncGenerator<Uint8Array> {
  const size = Number(entry.size);
  for (let offset = 0; offset < size; offset += READ_WINDOW) yield* entry.content({ offset, length: Math.min(READ_WINDOW, size - offset) });
}

/**
 * Writes the file behind `cid` to `out` (a path, '-' or a target `checkOutput` decided):
 * every block is checked against its CID as it is read; a regular file appears only when
 * complete (temporary file, fsync, rename); nothing is left on failure.
 */
export async function getFile(
  store: BlockStore,
  cidText: string,
  out: string | OutputTarget,
  options: OutputOptions & { onProgress?: (bytes: number, total: number) => void } = {},
): Promise<{ cid: string; size: number }> {
  const { cid, entry } = await openFile(store, cidText);
  const total = Number(entry.size);
  const sink = openOutput(out, options);
  let size = 0;
  try {
    for await (const chunk of fileContent(entry)) {
      await sink.write(chunk);
      size += chunk.length;
      options.onProgress?.(size, total);
    }
    await sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return { cid: cid.toString(), size };
}

/** The whole file behind `cid` in memory, every block checked (for a ciphertext to decrypt). */
export async function getBytes(store: BlockStore, cidText: string): Promise<Uint8Array> {
  const { entry } = await openFile(store, cidText);
  const parts: Uint8Array[] = [];
  for await (const chunk of fileContent(entry)) parts.push(chunk);
  return Buffer.concat(parts);
}
