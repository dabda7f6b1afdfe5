import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { errorText } from "./files";
import { SNIFF_BYTES, sniffImage } from "./sniff";

/** One file's hash, or why it has none. */
export type FileHash = { ok: true; size: number; sha256: string; mime: string } | { ok: false; error: string };

/** Read size: large enough that system calls do not dominate, small enough for any file size. */
const CHUNK = 1 << 20;

/**
 * Hashes one file with SHA-256 in fixed-size reads (memory does not grow with the file),
 * checking that it is a non-empty image unless `anyFile`. Synchronous on purpose: it runs
 * in a worker thread, where blocking reads are the fastest way through a file.
 */
export function hashFileSync(file: string, buf: Buffer = Buffer.allocUnsafe(CHUNK), anyFile = false): FileHash {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    return { ok: false, error: errorText(err) };
  }
  try {
    const hash = createHash("sha256");
    let size = 0;
    let mime: string | undefined;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      if (size === 0) {
        mime = sniffImage(buf.subarray(0, Math.min(n, SNIFF_BYTES)));
        if (!mime && !anyFile) return { ok: false, error: "not an image (no JPEG, PNG, DICOM, GIF, BMP, TIFF, WebP or JPEG 2000 signature)" };
      }
      hash.update(buf.subarray(0, n));
      size += n;
    }
    if (size === 0) return { ok: false, error: "empty file" };
    return { ok: true, size, sha256: hash.digest("hex"), mime: mime ?? "application/octet-stream" };
  } catch (err) {
    return { ok: false, error: errorText(err) };
  } finally {
    fs.closeSync(fd);
  }
}
