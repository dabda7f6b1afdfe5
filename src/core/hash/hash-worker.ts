// A worker thread of `hashFiles`: hashes the paths it is sent, one reply per path.
import { parentPort, workerData } from "node:worker_threads";
import { hashFileSync, type AcceptOptions } from "./hash-file";

const buf = Buffer.allocUnsafe(1 << 20);
const accept = (workerData ?? {}) as AcceptOptions;
parentPort?.on("message", (job: { id: number; path: string }) => {
  parentPort?.postMessage({ id: job.id, result: hashFileSync(job.path, buf, accept) });
});
