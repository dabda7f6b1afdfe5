import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type { Readable } from "node:stream";
import { errorText, notRegular } from "./files";
import { SNIFF_BYTES, sniffImage } from "./sniff";

/** One file's hash, or why it has none. */
export type FileHash = { ok: true; size: number; sha256: string; mime: string } | { ok: false; error: string; code?: string };

/** What a file must be to be hashed. The defaults are xray's image checks (hash, anchor, set-xray-hash). */
export interface AcceptOptions {
  /** Accept files that are not images (hashed as application/octet-stream). */
  anyFile?: boolean;
  /** Accept an empty file (sha256sum -c does; an empty image is never one). */
  allowEmpty?: boolean;
}

/** Read size: large enough that system calls do not dominate, small enough for any file size. */
const CHUNK = 1 << 20;
const NOT_AN_IMAGE = "not an image (no JPEG, PNG, DICOM, GIF, BMP, TIFF, WebP or JPEG 2000 signature)";

/**
 * SHA-256 fed chunk by chunk, checking on the first chunk that the bytes are an image: the one
 * place where xray's image checks live, for files and for standard input alike.
 */
export function imageHasher(accept: AcceptOptions = {}) {
  const hash = createHash("sha256");
  let size = 0;
  let mime: string | undefined;
  return {
    /** Adds a chunk; returns the reason when the bytes cannot be an accepted file. */
    update(chunk: Buffer): string | undefined {
      if (size === 0 && chunk.length > 0) {
        mime = sniffImage(chunk.subarray(0, Math.min(chunk.length, SNIFF_BYTES)));
        if (!mime && !accept.anyFile) return NOT_AN_IMAGE;
      }
      hash.update(chunk);
      size += chunk.length;
      return undefined;
    },
    finish(): FileHash {
      if (size === 0 && !accept.allowEmpty) return { ok: false, error: "empty file" };
      return { ok: true, size, sha256: hash.digest("hex"), mime: mime ?? "application/octet-stream" };
    },
  };
}

/**
 * Hashes one file with SHA-256 in fixed-size reads (memory does not grow with the file),
 * checking that it is a non-empty image unless `accept` says otherwise. Only a regular file
 * is read: it is opened non-blocking and checked with fstat, so a FIFO (which would wait for a
 * writer forever), a socket or a device is reported, not read. Synchronous on purpose: it runs
 * in a worker thread, where blocking reads are the fastest way through a file.
 */
export function hashFileSync(file: string, buf: Buffer = Buffer.allocUnsafe(CHUNK), accept: AcceptOptions = {}): FileHash {
  let fd: number;
  try {
    const why = notRegular(fs.statSync(file));
    if (why) return { ok: false, error: why };
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, error: errorText(err), code: (err as NodeJS.ErrnoException).code };
  }
  try {
    const why = notRegular(fs.fstatSync(fd)); // replaced between the stat and the open
    if (why) return { ok: false, error: why };
    if (fs.fstatSync(fd).isDirectory()) return { ok: false, error: "is a folder", code: "EISDIR" };
    const hasher = imageHasher(accept);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const bad = hasher.update(buf.subarray(0, n));
      if (bad) return { ok: false, error: bad };
    }
    return hasher.finish();
  } catch (err) {
    return { ok: false, error: errorText(err), code: (err as NodeJS.ErrnoException).code };
  } finally {
    fs.closeSync(fd);
  }
}

/** Hashes a stream (standard input for `xray hash -`) with the same checks as a file. */
export async function hashStream(stream: Readable, accept: AcceptOptions = {}): Promise<FileHash> {
  const hasher = imageHasher(accept);
  try {
    for await (const chunk of stream) {
      const bad = hasher.update(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      if (bad) {
        stream.destroy();
        return { ok: false, error: bad };
      }
    }
  } catch (err) {
    return { ok: false, error: errorText(err) };
  }
  return hasher.finish();
}
