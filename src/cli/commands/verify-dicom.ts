import * as fs from "node:fs";
import * as path from "node:path";
import { checkDicomFiles, VERDICT_TEXT } from "../../core/dicom/verify";
import { readManifest } from "../../core/hash/manifest";
import { sniffImage, SNIFF_BYTES } from "../../core/hash/sniff";
import { safeText } from "../../core/text";
import type { CommandOutput } from "../output";

/** True when every path is a DICOM file (by its bytes): `verify --manifest` then compares images offline. */
export function allDicom(paths: string[]): boolean {
  return (
    paths.length > 0 &&
    paths.every((p) => {
      try {
        const fd = fs.openSync(p, "r");
        try {
          const head = Buffer.alloc(SNIFF_BYTES);
          return fs.fstatSync(fd).isFile() && sniffImage(head.subarray(0, fs.readSync(fd, head, 0, SNIFF_BYTES, 0))) === "application/dicom";
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return false;
      }
    })
  );
}

/** `xray verify <file.dcm>... --manifest m.json`: identical, re-encoded, identity changed (which attributes), image changed. */
export async function verifyDicom(manifestFile: string, paths: string[]): Promise<CommandOutput> {
  const m = readManifest(manifestFile);
  const checks = await checkDicomFiles(paths, m.files, path.dirname(path.resolve(manifestFile)));
  const bad = checks.filter((c) => !c.ok).length;
  const line = (c: (typeof checks)[number]) => {
    if (!c.verdict) return `NOT CHECKED       ${safeText(c.file)}  ${c.reason} (SOP Instance UID ${safeText(c.sopInstanceUid)})`;
    const head = { identical: "IDENTICAL        ", "re-encoded": "RE-ENCODED       ", "identity-changed": "IDENTITY CHANGED ", "image-changed": "IMAGE CHANGED    " }[c.verdict];
    const attrs = c.changed.length ? `: ${c.changed.join(", ")}` : "";
    return `${head} ${safeText(c.file)}  ${VERDICT_TEXT[c.verdict]}${attrs}`;
  };
  return {
    json: { manifest: manifestFile, ok: bad === 0, files: checks },
    text: checks.map(line).join("\n"),
    summary: `${checks.length - bad} of ${checks.length} DICOM files hold the recorded image and identity`,
    exitCode: bad ? 1 : 0,
  };
}
