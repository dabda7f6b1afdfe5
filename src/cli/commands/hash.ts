import { formatHashes, HASH_FORMATS, type HashedFile, type HashFormat } from "../../core/hash/formats";
import { hashDataset } from "../../core/hash/hash-dataset";
import { checkManifestOutput, writeManifest } from "../../core/hash/manifest";
import { checkOutput, writeOutput, type OutputTarget } from "../../core/out-file";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes, progressBar, type Progress } from "../progress";
import { runCheck, type CheckFlags } from "./hash-check";

export interface HashOptions extends CheckFlags {
  format: string;
  manifest?: string;
  out?: string;
  force?: boolean;
  hidden?: boolean;
  anyFile?: boolean;
  threads?: string;
  check?: boolean;
}

export async function run(g: Globals, paths: string[], o: HashOptions): Promise<CommandOutput> {
  if (!HASH_FORMATS.includes(o.format as HashFormat)) throw new UsageError(`unknown format "${o.format}": use ${HASH_FORMATS.join(", ")}`);
  const threads = o.threads === undefined ? undefined : Number(o.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 256)) throw new UsageError(`--threads must be a whole number from 0 to 256, got "${o.threads}"`);
  if (o.check) {
    const other = o.out ? "--out" : o.manifest ? "--manifest" : o.format !== "text" ? "--format" : undefined;
    if (other) throw new UsageError(`${other} does not go with --check (it prints sha256sum -c's lines)`);
    return runCheck(g, paths, { ...o, threads });
  }
  const checkOnly = (["status", "strict", "ignoreMissing", "warn"] as const).find((k) => o[k]);
  if (!paths.length) throw new UsageError("give the files and folders to hash ('-' = standard input), or --check <list>");
  if (checkOnly) throw new UsageError(`--${checkOnly.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())} only goes with --check`);

  // Every output is decided before any work: a folder or an existing file is refused now.
  const out: OutputTarget | undefined = o.out ? checkOutput(o.out, { force: o.force }) : undefined;
  const manifest: OutputTarget | undefined = o.manifest ? checkManifestOutput(o.manifest, paths, { force: o.force }) : undefined;
  if (manifest?.kind === "stdout" && g.json) throw new UsageError("--manifest - and --json would both go to standard output: give a file for --manifest");
  if (manifest?.kind === "stdout" && (!out || out.kind === "stdout")) throw new UsageError("--manifest - and the hash list would both go to standard output: give --out <file> for the list");
  if (out && manifest && out.kind !== "stdout" && "path" in manifest && manifest.path === out.path) throw new UsageError("--out and --manifest name the same file");

  const started = Date.now();
  let bar: Progress | undefined;
  const result = await hashDataset(paths, {
    hidden: o.hidden,
    anyFile: o.anyFile,
    threads,
    manifestFile: o.manifest,
    stdin: process.stdin,
    onProgress: (done, bytes, total) => (bar ??= progressBar("hashing", total, !g.json)).update(done, formatBytes(bytes)),
  }).finally(() => bar?.done());
  const seconds = (Date.now() - started) / 1000;
  const io = { force: o.force, stdout: process.stdout };
  if (manifest && result.manifest) await writeManifest(manifest, result.manifest, io);
  const body = formatHashes(result.files, o.format as HashFormat);
  const toFile = out && out.kind !== "stdout";
  if (toFile) await writeOutput(out, body ? body + "\n" : "", io);

  const failed = result.failed.length;
  return {
    json: {
      count: result.files.length,
      failedCount: failed,
      bytes: result.bytes,
      seconds,
      ...(o.manifest ? { manifest: o.manifest } : {}),
      ...(toFile ? { out: o.out } : {}),
      files: result.files.map(({ path, dicom, ...f }) => ({ file: path, ...f, ...(dicom ? dicomJson(dicom) : {}) })),
      failed: result.failed.map((f) => ({ file: f.path, error: f.error })),
    },
    text: toFile ? "" : body,
    stderr: result.failed.map((f) => `${safeText(f.path)}: ${f.error}`),
    summary: `${result.files.length} files, ${formatBytes(result.bytes)} hashed in ${seconds.toFixed(2)} s${failed ? `; ${failed} failed` : ""}`,
    exitCode: failed ? 1 : 0,
  };
}

/** The DICOM digests and UIDs beside sha256, without the per-attribute parts (the manifest keeps those). */
function dicomJson(d: NonNullable<HashedFile["dicom"]>) {
  const { identityParts: _parts, ...flat } = d;
  return flat;
}
