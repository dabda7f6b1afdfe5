/**
 * Mocha root hooks (loaded by .mocharc.json): every temporary folder the tests and the xray
 * processes they start make goes under one folder for the run (TMPDIR), removed at the end
 * even when a test forgot its own clean-up or failed half-way.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-run-"));
process.env.TMPDIR = runDir;
const removeRunDir = () => fs.rmSync(runDir, { recursive: true, force: true });
process.once("exit", removeRunDir);

export const mochaHooks = {
  afterAll() {
    removeRunDir();
  },
};
