import * as fs from "node:fs";
import * as path from "node:path";
import { addFile, type Added } from "../../core/ipfs/add";
import { mapLimit } from "../../core/concurrent";
import { listFiles } from "../../core/hash/files";
import type { BlockStore } from "../../core/ipfs/store";
import { exportCar, importCar } from "../../core/ipfs/car";
import { getFile } from "../../core/ipfs/get";
import { checkOutput, type OutputTarget } from "../../core/out-file";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import { withIpfs, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes, progressBar, type Progress } from "../progress";

/** Files added or fetched at once: enough to overlap one file's disk waits with another's hashing. */
const CONCURRENCY = 4;

/** A file this size or larger, alone, gets a progress bar on a terminal. */
const PROGRESS_MIN_BYTES = 16 << 20;

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** A store that keeps nothing: the CID alone, as `ipfs add --only-hash`. */
const hashOnly: BlockStore = { put: async () => {}, get: () => Promise.reject(new Error("nothing stored")), has: () => false };

/** A file to add: its path, and its name as Kubo prints it (relative to the argument's parent). */
interface ToAdd {
  file: string;
  name: string;
}

/**
 * The arguments as files to add and problems to report, sorted by `listFiles` as `xray hash`
 * sorts them: a FIFO, a device or a dangling link is reported (never opened: a FIFO would
 * block); folders are walked.
 */
function filesToAdd(paths: string[]): { files: ToAdd[]; failed: { file: string; error: string }[] } {
  const files: ToAdd[] = [];
  const failed: { file: string; error: string }[] = [];
  for (const p of paths) {
    const found = listFiles([p]);
    const folder = fs.statSync(p, { throwIfNoEntry: false })?.isDirectory();
    if (folder && found.files.length === 0 && found.problems.length === 0) failed.push({ file: p, error: "no files in this folder" });
    const base = folder ? path.dirname(path.resolve(p)) : undefined;
    for (const f of found.files) files.push({ file: f.path, name: base ? path.relative(base, path.resolve(f.path)) : path.basename(f.path) });
    for (const q of found.problems) failed.push({ file: q.path, error: q.error });
  }
  return { files, failed };
}

export async function add(g: Globals, paths: string[], o: { cidVersion: string; onlyHash?: boolean; kuboFormat?: boolean }): Promise<CommandOutput> {
  if (o.cidVersion !== "0" && o.cidVersion !== "1") throw new UsageError(`--cid-version must be 0 or 1, got "${o.cidVersion}"`);
  const cidVersion = Number(o.cidVersion) as 0 | 1;
  const { files, failed } = filesToAdd(paths);
  const t0 = performance.now();
  type Row = Added & { file: string; name: string };
  const addAll = async (store: BlockStore) => {
    const size = files.length === 1 ? fs.statSync(files[0].file).size : 0;
    const bar = progressBar("adding", size, !g.json && size >= PROGRESS_MIN_BYTES, formatBytes);
    const rows = await mapLimit(files, CONCURRENCY, async (f): Promise<Row | undefined> => {
      try {
        return { ...f, ...(await addFile(store, f.file, { cidVersion, onProgress: (n) => bar.update(n) })) };
      } catch (err) {
        // a file that vanished or turned into a FIFO since it was listed: reported, the rest go on
        if (!(err instanceof UsageError)) throw err;
        failed.push({ file: f.file, error: err.message.replace(`${f.file} is `, "").replace(/^no such file: .*/, "no such file") });
        return undefined;
      }
    }).finally(() => bar.done());
    return rows.filter((r): r is Row => r !== undefined);
  };
  const added = files.length === 0 ? [] : o.onlyHash ? await addAll(hashOnly) : await withIpfs(g, addAll);
  const t = seconds(t0);
  const bytes = added.reduce((n, a) => n + a.size, 0);
  const stored = o.onlyHash ? "hashed (not stored)" : "added";
  const text = o.kuboFormat
    ? added.map((a) => `added ${a.cid} ${safeText(a.name)}`).join("\n")
    : added.length === 1 && failed.length === 0
      ? added[0].cid
      : added.map((a) => `${a.cid}  ${safeText(a.file)}`).join("\n");
  return {
    // One shape for one file and for many: the list under `files`.
    json: { files: added.map((a) => ({ cid: a.cid, size: a.size, file: a.file })), bytes, onlyHash: Boolean(o.onlyHash), seconds: t, failed },
    text,
    stderr: failed.map((f) => `${f.file}: ${f.error}`),
    summary: added.length ? `${added.length} file${added.length === 1 ? "" : "s"}, ${formatBytes(bytes)} ${stored} in ${t.toFixed(2)} s${failed.length ? `; ${failed.length} failed` : ""}` : undefined,
    exitCode: failed.length ? 1 : 0,
  };
}

export async function get(g: Globals, cids: string[], o: { out: string; force?: boolean }): Promise<CommandOutput> {
  const isDir = o.out !== "-" && fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory();
  if (cids.length === 1 && isDir) throw new UsageError(`--out ${o.out} is a folder; give a file name`);
  if (cids.length > 1 && !isDir) throw new UsageError(`with ${cids.length} CIDs, --out must be an existing folder (each file is named by its CID)`);
  if (o.out === "-" && g.json) throw new UsageError("--out - writes the file to stdout, where --json would print its document: use one or the other");
  // Every target decided before any work: an existing file is refused unless --force.
  const targets: { cid: string; out: string; target: OutputTarget }[] = cids.map((cid) => {
    const out = cids.length > 1 ? path.join(o.out, cid.trim()) : o.out;
    return { cid, out, target: checkOutput(out, { force: o.force }) };
  });
  const t0 = performance.now();
  const got = await withIpfs(g, async (s) => {
    return mapLimit(targets, CONCURRENCY, async (t) => {
      let bar: Progress | undefined;
      const r = await getFile(s, t.cid, t.target, {
        stdout: process.stdout,
        onProgress: targets.length === 1 ? (n, total) => (bar ??= progressBar("fetching", total, !g.json && total >= PROGRESS_MIN_BYTES, formatBytes)).update(n) : undefined,
      }).finally(() => bar?.done());
      return { ...r, out: t.out };
    });
  });
  const t = seconds(t0);
  const bytes = got.reduce((n, r) => n + r.size, 0);
  const toStdout = o.out === "-";
  const lines = got.map((r) => `${safeText(r.out)}: ${formatBytes(r.size)} from ${r.cid}, every block checked`);
  return {
    json: { files: got.map((r) => ({ cid: r.cid, size: r.size, out: r.out })), bytes, seconds: t },
    text: toStdout ? "" : lines.join("\n"),
    summary: toStdout ? lines[0] : `${got.length} file${got.length === 1 ? "" : "s"}, ${formatBytes(bytes)} in ${t.toFixed(2)} s`,
  };
}

export async function cat(g: Globals, cid: string): Promise<CommandOutput | void> {
  if (g.json) throw new UsageError("ipfs cat writes the file's bytes to stdout: there is no JSON document to print (use ipfs get --json)");
  await withIpfs(g, (s) => getFile(s, cid, { kind: "stdout" }, { stdout: process.stdout }));
}

export async function exportCmd(g: Globals, cid: string, o: { car: string; force?: boolean }): Promise<CommandOutput> {
  if (o.car === "-" && g.json) throw new UsageError("--car - writes the CAR to stdout, where --json would print its document: use one or the other");
  const target = checkOutput(o.car, { force: o.force });
  const r = await withIpfs(g, (s) => exportCar(s, cid, target, { stdout: process.stdout }));
  const line = `${safeText(o.car)}: ${r.blocks} blocks, ${formatBytes(r.bytes)}, root ${r.root}`;
  return { json: { ...r, out: o.car }, text: o.car === "-" ? "" : line, summary: o.car === "-" ? line : undefined };
}

export async function importCmd(g: Globals, car: string): Promise<CommandOutput> {
  const r = await withIpfs(g, (s) => importCar(s, car));
  return { json: { ...r, file: car }, text: r.roots.join("\n"), summary: `${safeText(car)}: ${r.blocks} blocks imported, each checked against its CID` };
}

/** gc and verify work on the embedded store only: a Kubo node has its own. */
export function embeddedOnly(g: Globals, verb: "gc" | "verify"): void {
  if (g.ipfs) throw new UsageError(`xray ipfs ${verb} works on the embedded store only: for the Kubo node at ${g.ipfs}, run \`ipfs repo ${verb}\` there`);
}
