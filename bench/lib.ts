/** Shared by the benchmarks: run a command and time it, medians, where the project is. */
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const BIN = path.join(ROOT, "bin", "xray.js");
export const TRUFFLE = path.join(ROOT, "node_modules", ".bin", "truffle");

/** Runs a command to the end; resolves to its wall time in ms and its stdout. */
export function timedRun(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${path.basename(cmd)} ${args.slice(0, 4).join(" ")} ... failed (${code}): ${err.slice(-2000)}`));
      else resolve({ ms, stdout: out });
    });
  });
}

export const timed = async (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => (await timedRun(cmd, args, env)).ms;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const machine = () => `${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}`;
