import { formatHashes, HASH_FORMATS, type HashFormat } from "../../core/hash/formats";
import { hashDataset } from "../../core/hash/hash-dataset";
import { writeManifest } from "../../core/hash/manifest";
import { writeFileAtomic } from "../../core/home";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes, progressBar, type Progress } from "../progress";

interface HashOptions {
  format: string;
  manifest?: string;
  out?: string;
  hidden?: boolean;
  anyFile?: boolean;
  threads?: string;
}

export async function run(g: Globals, paths: string[], o: HashOptions): Promise<CommandOutput> {
  if (!HASH_FORMATS.includes(o.format as HashFormat)) throw new UsageError(`unknown format "${o.format}": use ${HASH_FORMATS.join(", ")}`);
  const threads = o.threads === undefined ? undefined : Number(o.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 256)) throw new UsageError(`--threads must be a whole number from 0 to 256, got "${o.threads}"`);
  const started = Date.now();
  let bar: Progress | undefined;
  const result = await hashDataset(paths, {
    hidden: o.hidden,
    anyFile: o.anyFile,
    threads,
    manifestFile: o.manifest,
    onProgress: (done, bytes, total) => (bar ??= progressBar("hashing", total, !g.json)).update(done, formatBytes(bytes)),
  }).finally(() => bar?.done());
  const seconds = (Date.now() - started) / 1000;
  if (o.manifest && result.manifest) writeManifest(o.manifest, result.manifest);
  const body = formatHashes(result.files, o.format as HashFormat);
  if (o.out) writeFileAtomic(o.out, body + "\n");

  const failedLines = result.failed.map((f) => `${f.path}: ${f.error}`);
  const summary = `${result.files.length} files, ${formatBytes(result.bytes)} hashed in ${seconds.toFixed(2)} s${result.failed.length ? `; ${result.failed.length} failed` : ""}`;
  return {
    json: {
      count: result.files.length,
      failedCount: result.failed.length,
      bytes: result.bytes,
      seconds,
      ...(o.manifest ? { manifest: o.manifest } : {}),
      ...(o.out ? { out: o.out } : {}),
      files: result.files,
      failed: result.failed,
    },
    text: o.out || !body ? summary : body,
    stderr: result.failed.length ? [...failedLines, summary] : [],
    exitCode: result.failed.length ? 1 : 0,
  };
}
