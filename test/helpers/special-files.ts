import { spawnSync } from "node:child_process";
import * as path from "node:path";

/**
 * A character device with /dev/null's numbers, made in `dir` (never the real /dev), or
 * undefined where mknod is not allowed (not root): the device cases are then skipped.
 */
export function makeDevice(dir: string): string | undefined {
  const dev = path.join(dir, "null-device");
  return spawnSync("mknod", [dev, "c", "1", "3"]).status === 0 ? dev : undefined;
}
