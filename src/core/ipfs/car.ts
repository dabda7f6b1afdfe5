import * as fs from "node:fs";
import { openOutput, type OutputOptions, type OutputTarget } from "../out-file";
import { IpfsError, UsageError } from "../../errors";
import { parseCid } from "./get";
import { type BlockStore, readBlock, verifyingStore } from "./store";

const DAG_PB = 0x70;

/**
 * Writes the DAG under `cid` as a CARv1 file (what `ipfs dag export` writes and `ipfs dag
 * import` reads), every block checked against its CID on the way; through `openOutput`
 * (a regular file appears whole, '-' is the given stdout, a device is written through).
 */
export async function exportCar(store: BlockStore, cidText: string, out: string | OutputTarget, options: OutputOptions = {}): Promise<{ root: string; blocks: number; bytes: number }> {
  const root = await parseCid(cidText);
  const { CarWriter } = await import("@ipld/car/writer");
  const dagPb = await import("@ipld/dag-pb");
  const checked = await verifyingStore(store);
  const sink = openOutput(out, options);
  const { writer, out: carBytes } = CarWriter.create([root as never]);
  let blocks = 0;
  let bytes = 0;
  const written = (async () => {
    for await (const chunk of carBytes) {
      await sink.write(chunk);
      bytes += chunk.length;
    }
  })();
  try {
    const walk = async (cid: typeof root): Promise<void> => {
      const block = await readBlock(checked, cid).catch((err) => {
        throw err instanceof IpfsError && err.code === "IPFS_NOT_FOUND" ? new IpfsError(`${cid} is not in the store (export needs every block of ${root})`, "IPFS_NOT_FOUND") : err;
      });
      await writer.put({ cid: cid as never, bytes: block });
      blocks += 1;
      if (cid.code === DAG_PB) for (const link of dagPb.decode(block).Links) await walk(link.Hash as typeof root);
    };
    await walk(root);
    await writer.close();
    await written;
    await sink.commit();
  } catch (err) {
    await writer.close().catch(() => {});
    await written.catch(() => {});
    sink.abort();
    throw err;
  }
  return { root: root.toString(), blocks, bytes };
}

/** Reads a CAR file into the store, checking every block against its CID first; returns its roots. */
export async function importCar(store: BlockStore, file: string): Promise<{ roots: string[]; blocks: number }> {
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const { CarBlockIterator } = await import("@ipld/car/iterator");
  const { sha256 } = await import("multiformats/hashes/sha2");
  const { equals } = await import("multiformats/bytes");
  let reader;
  try {
    reader = await CarBlockIterator.fromIterable(fs.createReadStream(file));
  } catch (err) {
    throw new UsageError(`${file} is not a CAR file: ${(err as Error).message}`);
  }
  let blocks = 0;
  try {
    for await (const { cid, bytes } of reader) {
      const digest = await sha256.digest(bytes);
      if (cid.multihash.code !== sha256.code || !equals(digest.digest, cid.multihash.digest)) {
        throw new IpfsError(`block ${cid} in ${file} is damaged: its bytes do not hash to its CID`, "IPFS_TAMPERED");
      }
      await store.put(cid as never, bytes);
      blocks += 1;
    }
  } catch (err) {
    if (err instanceof IpfsError) throw err;
    throw new UsageError(`${file} is not a complete CAR file: ${(err as Error).message}`);
  }
  return { roots: (await reader.getRoots()).map(String), blocks };
}
