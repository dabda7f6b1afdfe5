import { availableParallelism } from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { hashFileSync, type AcceptOptions, type FileHash } from "./hash-file";

export interface HashFilesOptions extends AcceptOptions {
  /** Worker threads; default: one per core. 0 hashes on the calling thread. */
  threads?: number;
  /** Called after each file with the running totals. */
  onProgress?: (done: number, bytes: number, total: number) => void;
}

/** Below this many files, starting workers costs more than it saves. */
const INLINE_BELOW = 8;
/** Jobs queued per worker, so none waits for the next path. */
const QUEUE_DEPTH = 4;

/**
 * SHA-256 of every file, on all cores; results in the order of `files`, whatever order the
 * workers finish in. A file that cannot be hashed gets `{ ok: false, error }` and the others go on.
 */
export async function hashFiles(files: string[], options: HashFilesOptions = {}): Promise<FileHash[]> {
  const { onProgress } = options;
  const accept: AcceptOptions = { anyFile: Boolean(options.anyFile), allowEmpty: Boolean(options.allowEmpty) };
  const threads = Math.min(options.threads ?? availableParallelism(), files.length);
  const results: FileHash[] = new Array(files.length);
  let done = 0;
  let bytes = 0;
  const settle = (i: number, r: FileHash) => {
    results[i] = r;
    done += 1;
    if (r.ok) bytes += r.size;
    onProgress?.(done, bytes, files.length);
  };
  if (threads < 1 || files.length < INLINE_BELOW) {
    const buf = Buffer.allocUnsafe(1 << 20);
    files.forEach((f, i) => settle(i, hashFileSync(f, buf, accept)));
    return results;
  }
  const script = path.join(__dirname, "hash-worker.js");
  const workers = Array.from({ length: threads }, () => new Worker(script, { workerData: accept }));
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const feed = () => {
              while (inFlight < QUEUE_DEPTH && next < files.length) {
                w.postMessage({ id: next, path: files[next] });
                next += 1;
                inFlight += 1;
              }
              if (inFlight === 0) resolve();
            };
            w.on("message", (m: { id: number; result: FileHash }) => {
              inFlight -= 1;
              settle(m.id, m.result);
              feed();
            });
            w.on("error", reject);
            w.on("exit", (code) => (inFlight > 0 ? reject(new Error(`hash worker exited with code ${code}`)) : resolve()));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
