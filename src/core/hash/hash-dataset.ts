import type { HashedFile } from "./formats";
import { hashFiles, type HashFilesOptions } from "./hash-files";
import { listFiles } from "./files";
import { MANIFEST_FORMAT, manifestAndCompanions, relativeToManifest, type Manifest } from "./manifest";

export interface HashDatasetOptions extends HashFilesOptions {
  /** Include hidden files and folders. */
  hidden?: boolean;
  /** When a manifest will be written: its paths are made relative to this file's folder, and it is not hashed itself. */
  manifestFile?: string;
}

export interface HashDatasetResult {
  /** Hashed files, paths as the user would write them (relative to where xray runs). */
  files: HashedFile[];
  /** Files that could not be hashed (unreadable, empty, not an image) and folders that could not be read. */
  failed: { path: string; error: string }[];
  bytes: number;
  /** Set when `manifestFile` was given: the manifest to write. */
  manifest?: Manifest;
}

/** Lists and hashes files and folders: the work behind `xray hash`. */
export async function hashDataset(inputs: string[], options: HashDatasetOptions = {}): Promise<HashDatasetResult> {
  const { manifestFile } = options;
  const exclude = manifestFile ? manifestAndCompanions(manifestFile) : new Set<string>();
  const listed = listFiles(inputs, { hidden: options.hidden, exclude });
  const results = await hashFiles(
    listed.files.map((f) => f.path),
    options,
  );
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
      files: files.map((f) => ({ ...f, path: rel(f.path) })),
      failed: failed.map((f) => ({ ...f, path: rel(f.path) })),
    };
  }
  return out;
}
