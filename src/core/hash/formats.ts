import * as path from "node:path";
import { DICOM_FIELDS, type DicomHashFields } from "../dicom/hash-dicom";

/** A hashed file as `xray hash` prints it. */
export interface HashedFile {
  path: string;
  size: number;
  sha256: string;
  label: string;
  mime: string;
  /** DICOM instances: the content and identity digests and the UIDs. */
  dicom?: DicomHashFields & { identityParts?: Record<string, string> };
}

/** The DICOM fields of a hashed file, flat, without the per-attribute parts. */
const dicomFields = (f: HashedFile) => (f.dicom ? Object.fromEntries(DICOM_FIELDS.map((k) => [k, f.dicom![k]])) : {});

export const HASH_FORMATS = ["text", "jsonl", "csv", "icon"] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

/** `sha256sum`'s line: a name holding a backslash or newline is escaped and the line starts with "\". */
export function sha256sumLine(f: HashedFile): string {
  if (!/[\\\n\r]/.test(f.path)) return `${f.sha256}  ${f.path}`;
  const escaped = f.path.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  return `\\${f.sha256}  ${escaped}`;
}

export function jsonLine(f: HashedFile): string {
  return JSON.stringify({ path: f.path, size: f.size, sha256: f.sha256, label: f.label, mime: f.mime, ...dicomFields(f) });
}

const csvField = (v: string | number) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
export const CSV_HEADER = "path,size,sha256,label,mime";
/** With DICOM files in the set, the DICOM columns follow (empty for other images). */
export function csvLine(f: HashedFile, dicom = false): string {
  const extra = dicom ? DICOM_FIELDS.map((k) => f.dicom?.[k] ?? "") : [];
  return [f.path, f.size, f.sha256, f.label, f.mime, ...extra].map(csvField).join(",");
}

/**
 * Lin et al.'s module: `const icon = { "<name>icon": "data:<mime>;sha256,<hex>", ... }`, the key
 * being the file name without its extension. Two files with one name (train/ and test/) get
 * "-2", "-3" ... on the later keys rather than one silently replacing the other.
 */
export function iconModule(files: HashedFile[]): string {
  const used = new Map<string, number>();
  const lines = files.map((f) => {
    const base = path.basename(f.path, path.extname(f.path)) + "icon";
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const key = n === 1 ? base : `${base}-${n}`;
    return `  ${JSON.stringify(key)}: ${JSON.stringify(`data:${f.mime};sha256,${f.sha256}`)},`;
  });
  return ["const icon = {", ...lines, "};", "module.exports = icon;"].join("\n");
}

/** The whole output of `xray hash` in one of its formats. */
export function formatHashes(files: HashedFile[], format: HashFormat): string {
  switch (format) {
    case "text":
      return files.map(sha256sumLine).join("\n");
    case "jsonl":
      return files.map(jsonLine).join("\n");
    case "csv": {
      const dicom = files.some((f) => f.dicom);
      return [dicom ? [CSV_HEADER, ...DICOM_FIELDS].join(",") : CSV_HEADER, ...files.map((f) => csvLine(f, dicom))].join("\n");
    }
    case "icon":
      return iconModule(files);
  }
}
