import type { Readable } from "node:stream";
import { UsageError } from "../../errors";
import type { HashedFile } from "./formats";
import { hashStream, type FileHash } from "./hash-file";
import { hashFiles, type HashFilesOptions } from "./hash-files";
import { listFiles } from "./files";
import { manifestEntry, MANIFEST_FORMAT, manifestAndCompanions, relativeToManifest, type Manifest } from "./manifest";

export interface HashDatasetOptions extends HashFilesOptions {
  /** Include hidden files and folders. */
  hidden?: boolean;
  /** When a manifest will be written: its paths are made relative to this file's folder, and it is not hashed itself. */
  manifestFile?: string;
  /** What the input "-" reads (the caller's standard input; the core never touches process.stdin). */
  stdin?: Readable;
}

export interface HashDatasetResult {
  /** Hashed files, paths as the user would write them (relative to where xray runs). */
  files: HashedFile[];
  /** Files that could not be hashed (unreadable, empty, not an image, FIFO, socket, device, dangling link) and folders that could not be read. */
  failed: { path: string; error: string }[];
  bytes: number;
  /** Set when `manifestFile` was given: the manifest to write. */
  manifest?: Manifest;
}

/** Lists and hashes files and folders: the work behind `xray hash`. */
export async function hashDataset(inputs: string[], options: HashDatasetOptions = {}): Promise<HashDatasetResult> {
  const { manifestFile, stdin } = options;
  if (inputs.includes("-") && (manifestFile || !stdin)) throw new UsageError(manifestFile ? "standard input ('-') cannot be part of a manifest: give files and folders" : "no standard input was given for '-'");
  const exclude = manifestFile ? manifestAndCompanions(manifestFile) : new Set<string>();
  const listed = listFiles(inputs, { hidden: options.hidden, exclude, stdin: true });
  const onDisk = listed.files.filter((f) => f.path !== "-");
  const hashed = await hashFiles(
    onDisk.map((f) => f.path),
    options,
  );
  const fromStdin: FileHash | undefined = stdin && onDisk.length < listed.files.length ? await hashStream(stdin, options) : undefined;
  const results = listed.files.map((f) => (f.path === "-" ? fromStdin! : hashed.shift()!));
  const files: HashedFile[] = [];
  const failed = [...listed.problems];
  let bytes = 0;
  results.forEach((r, i) => {
    const { path: p, label } = listed.files[i];
    if (r.ok) {
      files.push({ path: p, label, size: r.size, sha256: r.sha256, mime: r.mime });
      bytes += r.size;
    } else failed.push({ path: p, error: r.error });
  });
  bytes -= await addDicomDigests(files, failed);
  const out: HashDatasetResult = { files, failed, bytes };
  if (manifestFile) {
    const rel = (p: string) => relativeToManifest(manifestFile, p);
    out.manifest = {
      format: MANIFEST_FORMAT,
      algorithm: "sha256",
      created: new Date().toISOString(),
      roots: inputs.map(rel),
      count: files.length,
      bytes,
      files: files.map((f) => manifestEntry({ ...f, path: rel(f.path) })),
      failed: failed.map((f) => ({ ...f, path: rel(f.path) })),
    };
  }
  return out;
}

/**
 * DICOM instances get their content and identity digests and UIDs; one that cannot be decoded
 * (truncated, damaged, unsupported transfer syntax) moves to `failed` with the reason.
 */
async function addDicomDigests(files: HashedFile[], failed: { path: string; error: string }[]): Promise<number> {
  const dicom = files.filter((f) => f.mime === "application/dicom" && f.path !== "-");
  let lost = 0;
  if (!dicom.length) return lost;
  const { digestFiles } = require("../dicom/hash-dicom") as typeof import("../dicom/hash-dicom");
  const results = await digestFiles(dicom.map((f) => f.path));
  results.forEach((r, i) => {
    if (r.ok) dicom[i].dicom = r.digests;
    else {
      failed.push({ path: dicom[i].path, error: r.error });
      files.splice(files.indexOf(dicom[i]), 1);
      lost += dicom[i].size;
    }
  });
  return lost;
}
