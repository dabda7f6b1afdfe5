import * as fs from "node:fs";
import * as path from "node:path";
import { sha256File } from "../hash/sha256";
import type { ManifestEntry } from "../hash/manifest";
import { changedIdentity, type DicomDigests } from "./digests";

/** How a DICOM file compares with what was recorded of it. */
export type DicomVerdict = "identical" | "re-encoded" | "identity-changed" | "image-changed";

export interface DicomComparison {
  verdict: DicomVerdict;
  /** Identity attributes whose values differ (when the record has per-attribute parts). */
  changed: string[];
}

export const VERDICT_TEXT: Record<DicomVerdict, string> = {
  identical: "identical",
  "re-encoded": "same image, file re-encoded",
  "identity-changed": "same image, identity changed",
  "image-changed": "image changed",
};

/** Compares a file's digests with a recorded entry: the file, then the image, then its identity. */
export function compareDicom(expected: ManifestEntry, sha256: string, actual: DicomDigests): DicomComparison {
  const changed = expected.identityParts ? changedIdentity(expected.identityParts, actual.identityParts) : [];
  if (sha256 === expected.sha256) return { verdict: "identical", changed: [] };
  if (actual.contentSha256 !== expected.contentSha256) return { verdict: "image-changed", changed };
  if (actual.identitySha256 === expected.identitySha256) return { verdict: "re-encoded", changed: [] };
  return { verdict: "identity-changed", changed };
}

export interface DicomFileCheck {
  file: string;
  sopInstanceUid: string;
  /** The manifest entry it was compared with; absent when the manifest has no instance of that UID. */
  expected?: string;
  verdict?: DicomVerdict;
  changed: string[];
  ok: boolean;
  /** Why there is no verdict. */
  reason?: string;
}

/**
 * Checks DICOM files against a manifest's entries, offline: each file is matched by its SOP
 * Instance UID (the name a PACS keeps whatever it does to the bytes), else by its path.
 */
export async function checkDicomFiles(files: string[], entries: ManifestEntry[], manifestDir: string): Promise<DicomFileCheck[]> {
  const { dicomDigests } = require("./digests") as typeof import("./digests");
  const byUid = new Map(entries.filter((e) => e.sopInstanceUid).map((e) => [e.sopInstanceUid!, e]));
  const byPath = new Map(entries.map((e) => [path.resolve(manifestDir, e.path), e]));
  const out: DicomFileCheck[] = [];
  for (const file of files) {
    const [digests, sha256] = await Promise.all([dicomDigests(fs.readFileSync(file)), sha256File(file)]);
    const entry = byUid.get(digests.sopInstanceUid) ?? byPath.get(path.resolve(file));
    if (!entry?.contentSha256) {
      const reason = entry ? "the manifest has no DICOM digests for it (written by an older xray: hash the originals again)" : "no instance with this SOP Instance UID or path in the manifest";
      out.push({ file, sopInstanceUid: digests.sopInstanceUid, expected: entry?.path, changed: [], ok: false, reason });
      continue;
    }
    const c = compareDicom(entry, sha256, digests);
    out.push({ file, sopInstanceUid: digests.sopInstanceUid, expected: entry.path, verdict: c.verdict, changed: c.changed, ok: c.verdict === "identical" || c.verdict === "re-encoded" });
  }
  return out;
}
