import * as fs from "node:fs";
import * as path from "node:path";

let root: string | undefined;

/** The installed xray package's folder (holds package.json, build/, models/). */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "contracts"))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`cannot find the xray package above ${__dirname}`);
  }
}
