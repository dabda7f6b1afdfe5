import * as path from "node:path";

/** A hashed file as `xray hash` prints it. */
export interface HashedFile {
  path: string;
  size: number;
  sha256: string;
  label: string;
  mime: string;
}

export const HASH_FORMATS = ["text", "jsonl", "csv", "icon"] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

/** `sha256sum`'s line: a name holding a backslash or newline is escaped and the line starts with "\". */
export function sha256sumLine(f: HashedFile): string {
  if (!/[\\\n\r]/.test(f.path)) return `${f.sha256}  ${f.path}`;
  const escaped = f.path.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  return `\\${f.sha256}  ${escaped}`;
}

export function jsonLine(f: HashedFile): string {
  return JSON.stringify({ path: f.path, size: f.size, sha256: f.sha256, label: f.label, mime: f.mime });
}

const csvField = (v: string | number) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
export const CSV_HEADER = "path,size,sha256,label,mime";
export function csvLine(f: HashedFile): string {
  return [f.path, f.size, f.sha256, f.label, f.mime].map(csvField).join(",");
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
    case "csv":
      return [CSV_HEADER, ...files.map(csvLine)].join("\n");
    case "icon":
      return iconModule(files);
  }
}
