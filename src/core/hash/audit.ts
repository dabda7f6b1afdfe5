import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../errors";
import { hashFiles, type HashFilesOptions } from "./hash-files";
import { listFiles } from "./files";
import { manifestAndCompanions, readManifest, type ManifestEntry, relativeToManifest, resolveFromManifest } from "./manifest";

export interface AuditOptions extends Pick<HashFilesOptions, "threads" | "onProgress"> {
  /** Audit this folder instead of the manifest's own (a copy of the data set moved elsewhere). Needs a one-root manifest. */
  folder?: string;
}

/** Paths are relative to the manifest (or to `folder`), as the manifest writes them. */
export interface AuditResult {
  manifest: string;
  matched: number;
  changed: { path: string; expected: string; actual: string; verdict?: "image-changed" | "identity-changed"; attributes?: string[] }[];
  /** DICOM instances whose file changed but whose image and identity did not (a PACS re-encoded them): not a failure. */
  reencoded: string[];
  missing: string[];
  /** A manifest file found at another path with its bytes unchanged. */
  moved: { from: string; to: string }[];
  new: string[];
  unreadable: { path: string; error: string }[];
  /** True when every manifest file is present and unchanged and nothing was added. */
  ok: boolean;
}

/**
 * Audits files on disk against a manifest, like `hashdeep -a`: every file is read again and
 * hashed (no size or time shortcuts), then sorted into matched, changed, missing, moved and new.
 */
export async function auditManifest(manifestFile: string, options: AuditOptions = {}): Promise<AuditResult> {
  const manifest = readManifest(manifestFile);
  let toDisk = (rel: string) => resolveFromManifest(manifestFile, rel);
  let toRel = (abs: string) => relativeToManifest(manifestFile, abs);
  let roots = manifest.roots.map(toDisk);
  if (options.folder) {
    if (manifest.roots.length !== 1) throw new UsageError(`${manifestFile} has ${manifest.roots.length} roots; a folder to audit instead needs a manifest of one`);
    if (!fs.existsSync(options.folder)) throw new UsageError(`no such folder: ${options.folder}`);
    const root = manifest.roots[0];
    const folder = path.resolve(options.folder);
    const inRoot = (rel: string) => (rel === root ? "" : rel.startsWith(root + "/") ? rel.slice(root.length + 1) : rel);
    toDisk = (rel: string) => path.join(folder, ...inRoot(rel).split("/").filter(Boolean));
    toRel = (abs: string) => [root, ...path.relative(folder, abs).split(path.sep)].filter((s) => s && s !== ".").join("/");
    roots = [folder];
  }
  const excluded = new Set(manifest.failed.map((f) => f.path));
  const listed = listFiles(roots, { exclude: manifestAndCompanions(manifestFile) });
  const onDisk = listed.files.map((f) => toRel(f.path)).filter((rel) => !excluded.has(rel));
  const diskAbs = onDisk.map(toDisk);
  const hashes = await hashFiles(diskAbs, { ...options, anyFile: true });

  const expected = new Map(manifest.files.map((f) => [f.path, f.sha256]));
  const result: AuditResult = { manifest: manifestFile, matched: 0, changed: [], reencoded: [], missing: [], moved: [], new: [], unreadable: [], ok: false };
  result.unreadable.push(...listed.problems.map((p) => ({ path: toRel(p.path), error: p.error })));
  const seen = new Set<string>();
  const extra = new Map<string, string[]>(); // sha256 -> new paths with it
  onDisk.forEach((rel, i) => {
    const h = hashes[i];
    if (!h.ok) {
      if (expected.has(rel)) seen.add(rel);
      result.unreadable.push({ path: rel, error: h.error });
      return;
    }
    const want = expected.get(rel);
    if (want === undefined) {
      extra.set(h.sha256, [...(extra.get(h.sha256) ?? []), rel]);
      return;
    }
    seen.add(rel);
    if (want === h.sha256) result.matched += 1;
    else result.changed.push({ path: rel, expected: want, actual: h.sha256 });
  });
  for (const f of manifest.files) {
    if (seen.has(f.path)) continue;
    const to = extra.get(f.sha256)?.shift();
    if (to) result.moved.push({ from: f.path, to });
    else result.missing.push(f.path);
  }
  for (const paths of extra.values()) result.new.push(...paths);
  await sortDicomChanges(result, manifest.files, toDisk);
  result.new.sort();
  result.ok = !result.changed.length && !result.missing.length && !result.moved.length && !result.new.length && !result.unreadable.length;
  return result;
}

/** Changed DICOM files with digests in the manifest: re-encoded (passes), identity changed (which attributes) or image changed. */
async function sortDicomChanges(result: AuditResult, entries: ManifestEntry[], toDisk: (rel: string) => string): Promise<void> {
  const byPath = new Map(entries.filter((e) => e.contentSha256).map((e) => [e.path, e]));
  const dicom = result.changed.filter((c) => byPath.has(c.path));
  if (!dicom.length) return;
  const { digestFiles } = require("../dicom/hash-dicom") as typeof import("../dicom/hash-dicom");
  const { compareDicom } = require("../dicom/verify") as typeof import("../dicom/verify");
  const digests = await digestFiles(dicom.map((c) => toDisk(c.path)));
  dicom.forEach((c, i) => {
    const d = digests[i];
    if (!d.ok) return;
    const v = compareDicom(byPath.get(c.path)!, c.actual, d.digests);
    if (v.verdict === "re-encoded") {
      result.changed.splice(result.changed.indexOf(c), 1);
      result.reencoded.push(c.path);
    } else if (v.verdict !== "identical") Object.assign(c, { verdict: v.verdict, attributes: v.changed });
  });
}
