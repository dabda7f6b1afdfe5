/**
 * Mocha root hooks (loaded by .mocharc.json): every temporary folder the tests and the xray
 * processes they start make goes under one folder for the run (TMPDIR), removed at the end
 * even when a test forgot its own clean-up or failed half-way. With `--parallel`, the first
 * process makes the folder and the workers it starts inherit it; the one that made it removes it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const inherited = process.env.XRAY_TEST_RUN_DIR;
const runDir = inherited && fs.existsSync(inherited) ? inherited : fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-run-"));
process.env.XRAY_TEST_RUN_DIR = runDir;
process.env.TMPDIR = runDir;
if (runDir !== inherited) process.once("exit", () => fs.rmSync(runDir, { recursive: true, force: true }));

export const mochaHooks = {};

// The background chain process each test home starts leaves 3 s after its last command
// (not the default 120 s), so a run does not gather one idle Ganache per home.
process.env.XRAY_CHAIN_IDLE ??= "3";
