import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../errors";
import { jsonOneItemPerLine } from "../home";
import { checkOutput, writeOutput, type OutputOptions, type OutputTarget } from "../out-file";

/** One hashed file in a manifest; `path` is relative to the manifest's folder, with "/" separators. */
export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
  /** The folder the file was in (NORMAL, PNEUMONIA, ...). */
  label: string;
  mime: string;
  /** DICOM instances (docs/dicom-digests.md): pixels and image attributes, patient and study attributes. */
  contentSha256?: string;
  identitySha256?: string;
  /** One 16-hex-digit digest per identity attribute: which ones changed, without keeping their values. */
  identityParts?: Record<string, string>;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopClassUid?: string;
  transferSyntaxUid?: string;
}

/** A hashed file as a manifest entry: the DICOM digests flat beside sha256. */
export function manifestEntry(f: { path: string; size: number; sha256: string; label: string; mime: string; dicom?: Partial<ManifestEntry> }): ManifestEntry {
  const { dicom, ...rest } = f;
  return { ...rest, ...(dicom ?? {}) };
}

/** A data set's hashes: what `xray hash --manifest` writes and `verify`/`anchor` read. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  algorithm: "sha256";
  created: string;
  /** The files and folders that were hashed, relative to the manifest's folder. */
  roots: string[];
  count: number;
  bytes: number;
  files: ManifestEntry[];
  /** Files under the roots that were not hashed, and why (not an image, empty, unreadable). */
  failed: { path: string; error: string }[];
}

export const MANIFEST_FORMAT = "xray-manifest/1";

/** `file` relative to the folder of `manifestFile`, with "/" separators (portable between machines). */
export function relativeToManifest(manifestFile: string, file: string): string {
  return path.relative(path.dirname(path.resolve(manifestFile)), path.resolve(file)).split(path.sep).join("/") || ".";
}

/** The absolute path of a manifest entry. */
export function resolveFromManifest(manifestFile: string, rel: string): string {
  return path.resolve(path.dirname(path.resolve(manifestFile)), ...rel.split("/"));
}

/**
 * Writes the manifest as `checkOutput` decided: a regular file through a temporary file and a
 * rename (a reader sees the old file or the whole new one), a FIFO or device written through.
 */
export async function writeManifest(target: string | OutputTarget, manifest: Manifest, options: OutputOptions = {}): Promise<void> {
  await writeOutput(target, jsonOneItemPerLine({ ...manifest }, "files"), options);
}

/**
 * Where `xray hash --manifest` may write, decided before any hashing. As `checkOutput`, with one
 * exception: an existing xray manifest of the same roots (a rerun over the same data set) is
 * replaced without --force, as it only brings that manifest up to date. Any other existing
 * file (another data set's manifest, a file that is no manifest) needs --force.
 */
export function checkManifestOutput(file: string, inputs: string[], options: OutputOptions = {}): OutputTarget {
  try {
    return checkOutput(file, options);
  } catch (err) {
    if (options.force || !(err instanceof UsageError)) throw err;
    const target = checkOutput(file, { ...options, force: true }); // a folder still throws here
    if (target.kind !== "file" || !target.exists || !sameRoots(target.path, inputs.map((p) => relativeToManifest(file, p)))) throw err;
    return target;
  }
}

function sameRoots(file: string, roots: string[]): boolean {
  try {
    const m = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Manifest>;
    return m.format === MANIFEST_FORMAT && Array.isArray(m.roots) && m.roots.length === roots.length && m.roots.every((r, i) => r === roots[i]);
  } catch {
    return false;
  }
}

/** The files xray keeps beside a manifest: never part of the data set it describes. */
export function manifestCompanions(manifestFile: string) {
  return {
    /** Record indexes after `xray anchor`. */
    anchor: `${manifestFile}.anchor.json`,
    /** Merkle proofs after `xray anchor --batch`. */
    proofs: `${manifestFile}.proofs.json`,
    /** Held while `xray anchor` runs. */
    lock: `${manifestFile}.lock`,
  };
}

/** The manifest and its companions, as absolute paths: what hashing and audits leave out. */
export function manifestAndCompanions(manifestFile: string): Set<string> {
  return new Set([manifestFile, ...Object.values(manifestCompanions(manifestFile))].map((f) => path.resolve(f)));
}

/** Reads and checks a manifest; a UsageError says what is wrong with it. */
export function readManifest(file: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the manifest ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new UsageError(`${file} is not a manifest: not valid JSON (write one with xray hash --manifest)`);
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.files) || !Array.isArray(m.roots)) {
    throw new UsageError(`${file} is not an xray manifest (format "${MANIFEST_FORMAT}"; write one with xray hash --manifest)`);
  }
  m.failed ??= [];
  m.files.forEach((f, i) => {
    if (typeof f?.path !== "string" || !/^[0-9a-f]{64}$/.test(String(f.sha256)) || !Number.isSafeInteger(f.size)) {
      throw new UsageError(`${file}: entry ${i} is damaged (needs path, size and a 64-hex-digit sha256)`);
    }
  });
  return m;
}
