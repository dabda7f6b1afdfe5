import * as fs from "node:fs";
import * as path from "node:path";
import { addFile, type Added } from "../../core/ipfs/add";
import { mapLimit } from "../../core/concurrent";
import { listFiles } from "../../core/hash/files";
import type { BlockStore } from "../../core/ipfs/store";
import { exportCar, importCar } from "../../core/ipfs/car";
import { getFile } from "../../core/ipfs/get";
import { UsageError } from "../../errors";
import { withIpfs, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes } from "../progress";

/** Files added or fetched at once: enough to overlap one file's disk waits with another's hashing. */
const CONCURRENCY = 4;

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** A store that keeps nothing: the CID alone, as `ipfs add --only-hash`. */
const hashOnly: BlockStore = { put: async () => {}, get: () => Promise.reject(new Error("nothing stored")), has: () => false };

export async function add(g: Globals, paths: string[], o: { cidVersion: string; onlyHash?: boolean }): Promise<CommandOutput> {
  if (o.cidVersion !== "0" && o.cidVersion !== "1") throw new UsageError(`--cid-version must be 0 or 1, got "${o.cidVersion}"`);
  const cidVersion = Number(o.cidVersion) as 0 | 1;
  const single = paths.length === 1 && fs.statSync(paths[0], { throwIfNoEntry: false })?.isFile();
  const { files, problems }: { files: { path: string }[]; problems: { path: string; error: string }[] } = single ? { files: [{ path: paths[0] }], problems: [] } : listFiles(paths);
  if (files.length === 0 && problems.length === 0) throw new UsageError(`no files in ${paths.join(", ")}`);
  if (single === false && files.length === 0) throw new UsageError(problems.map((p) => `${p.path}: ${p.error}`).join("; "));
  const t0 = performance.now();
  type Row = Added & { path: string };
  const addAll = async (store: BlockStore) => {
    return mapLimit(files, CONCURRENCY, async (f): Promise<Row> => ({ path: f.path, ...(await addFile(store, f.path, { cidVersion })) }));
  };
  const added = o.onlyHash ? await addAll(hashOnly) : await withIpfs(g, addAll);
  const t = seconds(t0);
  const bytes = added.reduce((n, a) => n + a.size, 0);
  const stderr = problems.map((p) => `${p.path}: ${p.error}`);
  const stored = o.onlyHash ? "hashed (not stored)" : "added";
  if (added.length === 1 && single) {
    const r = added[0];
    return { json: { cid: r.cid, size: r.size, file: r.path, onlyHash: Boolean(o.onlyHash), seconds: t }, text: `${r.cid}\n${r.path}: ${formatBytes(r.size)} ${stored} in ${t.toFixed(2)} s` };
  }
  return {
    json: { files: added.map((a) => ({ cid: a.cid, size: a.size, file: a.path })), bytes, onlyHash: Boolean(o.onlyHash), seconds: t, failed: stderr },
    text: added.map((a) => `${a.cid}  ${a.path}`).join("\n"),
    stderr: [...stderr, `${added.length} files, ${formatBytes(bytes)} ${stored} in ${t.toFixed(2)} s`],
    exitCode: stderr.length ? 1 : 0,
  };
}

export async function get(g: Globals, cids: string[], o: { out: string }): Promise<CommandOutput> {
  const isDir = fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory();
  if (cids.length === 1 && isDir) throw new UsageError(`--out ${o.out} is a folder; give a file name`);
  if (cids.length > 1 && !isDir) throw new UsageError(`with ${cids.length} CIDs, --out must be an existing folder (each file is named by its CID)`);
  const t0 = performance.now();
  const got = await withIpfs(g, async (s) => {
    return mapLimit(cids, CONCURRENCY, async (cid) => {
      const file = cids.length > 1 ? path.join(o.out, cid.trim()) : o.out;
      return { ...(await getFile(s, cid, file)), out: file };
    });
  });
  const t = seconds(t0);
  if (got.length === 1) {
    const r = got[0];
    return { json: { ...r, seconds: t }, text: `${r.out}: ${formatBytes(r.size)} from ${r.cid}, every block checked, in ${t.toFixed(2)} s` };
  }
  const bytes = got.reduce((n, r) => n + r.size, 0);
  return { json: { files: got, bytes, seconds: t }, text: `${o.out}: ${got.length} files, ${formatBytes(bytes)}, every block checked, in ${t.toFixed(2)} s` };
}

export async function exportCmd(g: Globals, cid: string, o: { car: string }): Promise<CommandOutput> {
  const r = await withIpfs(g, (s) => exportCar(s, cid, o.car));
  return { json: { ...r, car: o.car }, text: `${o.car}: ${r.blocks} blocks, ${formatBytes(r.bytes)}, root ${r.root}` };
}

export async function importCmd(g: Globals, car: string): Promise<CommandOutput> {
  const r = await withIpfs(g, (s) => importCar(s, car));
  return { json: { ...r, car }, text: `${r.roots.join("\n")}\n${car}: ${r.blocks} blocks imported, each checked against its CID` };
}
