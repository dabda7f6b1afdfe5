import * as fs from "node:fs";
import { mapLimit } from "../concurrent";
import type { DicomDigests } from "./digests";

/** The DICOM fields `xray hash` adds beside `sha256` (jsonl, csv, manifests, --json). */
export const DICOM_FIELDS = ["contentSha256", "identitySha256", "sopInstanceUid", "studyInstanceUid", "seriesInstanceUid", "sopClassUid", "transferSyntaxUid"] as const;

/** What `xray hash` records of a DICOM instance (the manifest also keeps `identityParts`). */
export type DicomHashFields = Pick<DicomDigests, (typeof DICOM_FIELDS)[number]>;

/**
 * The digests of DICOM files, read one at a time (a 16-bit X-ray decodes to tens of MB):
 * an instance that cannot be read (truncated, damaged, unsupported syntax) gets its error.
 */
export async function digestFiles(files: string[], concurrency = 2): Promise<({ ok: true; digests: DicomDigests } | { ok: false; error: string })[]> {
  const { dicomDigests } = require("./digests") as typeof import("./digests");
  return mapLimit(files, concurrency, async (file) => {
    try {
      return { ok: true as const, digests: await dicomDigests(fs.readFileSync(file)) };
    } catch (err) {
      return { ok: false as const, error: (err as Error).message };
    }
  });
}
