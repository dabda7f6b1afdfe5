/**
 * Shared by the benchmarks: running and timing commands, medians, the machine, and the one
 * JSON schema every benchmark writes (docs/bench-schema.md) with its baseline check:
 * `--quick` (a CI-sized run), `--baseline <file.json> --max-regression 10%` (exit 1 naming
 * every ratio that got worse than allowed; ratios, not absolute times, since machines differ).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
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

/** One measured quantity: several runs, summarised. */
export interface Measurement {
  /** Stable id, compared across runs: "xray-count.embedded". */
  id: string;
  label: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** A measurement over its peer measured in the same run (what a baseline compares). */
export interface Ratio {
  id: string;
  /** Measurement ids: `of` / `over`. */
  of: string;
  over: string;
  value: number;
  /** Which way is better: "lower" for times over a peer's, "higher" for speed-ups. */
  better: "lower" | "higher";
}

export interface BenchResult {
  schema: "xray-bench/1";
  bench: string;
  date: string;
  quick: boolean;
  machine: { cpus: number; model: string; memoryGiB: number; os: string; load1: number };
  versions: Record<string, string>;
  measurements: Measurement[];
  ratios: Ratio[];
  /** Anything else the benchmark reports (tables, gas), outside the comparison. */
  extra?: unknown;
}

export interface BenchArgs {
  quick: boolean;
  baseline?: string;
  /** Allowed worsening of each ratio, as a fraction (0.1 = 10%). */
  maxRegression: number;
  /** Where to write the JSON (default bench/results/<bench>.json). */
  json?: string;
  runs?: number;
  rest: string[];
}

/** Parses the flags every benchmark shares; the others are left in `rest`. */
export function parseBenchArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const args: BenchArgs = { quick: false, maxRegression: 0.1, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") args.quick = true;
    else if (a === "--baseline") args.baseline = value();
    else if (a === "--json") args.json = value();
    else if (a === "--runs") args.runs = Number(value());
    else if (a === "--max-regression") {
      const v = value();
      const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(v);
      if (!m) throw new Error(`--max-regression must be a percentage like 10%, got "${v}"`);
      args.maxRegression = Number(m[1]) / (m[2] ? 100 : 1);
    } else args.rest.push(a);
  }
  return args;
}

/** Runs `fn` `runs` times (after one unmeasured warm-up unless `warm` is false); ms. */
export async function measure(id: string, label: string, runs: number, fn: () => Promise<number | void>, o: { warm?: boolean; unit?: string } = {}): Promise<Measurement> {
  if (o.warm !== false) await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const got = await fn();
    xs.push(typeof got === "number" ? got : Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const m = summarise(id, label, xs, o.unit ?? "ms");
  process.stderr.write(`${label}: median ${m.median} ${m.unit} (${m.min}-${m.max}, ${runs} runs)\n`);
  return m;
}

export function summarise(id: string, label: string, xs: number[], unit = "ms"): Measurement {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { id, label, unit, median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), runs: xs.length };
}

/** `of` over `over` (their medians). */
export function ratio(id: string, of: Measurement, over: Measurement, better: Ratio["better"] = "lower"): Ratio {
  return { id, of: of.id, over: over.id, value: Math.round((of.median / over.median) * 100) / 100, better };
}

/** Ratios of `current` worse than `baseline`'s by more than `maxRegression`, in words. */
export function regressions(current: BenchResult, baseline: BenchResult, maxRegression: number): string[] {
  const out: string[] = [];
  for (const was of baseline.ratios ?? []) {
    const now = current.ratios.find((r) => r.id === was.id);
    if (!now) continue; // not measured in this run (a quick run measures less)
    const change = was.better === "higher" ? was.value / now.value - 1 : now.value / was.value - 1;
    if (change > maxRegression) out.push(`${was.id}: ${now.value} against ${was.value} in the baseline (${Math.round(change * 100)}% worse; ${Math.round(maxRegression * 100)}% allowed)`);
  }
  return out;
}

function versions(extra: Record<string, string>): Record<string, string> {
  const pkg = (name: string) => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      return "absent";
    }
  };
  const own = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  return { node: process.version, xray: own.version, ganache: pkg("ganache"), ...extra };
}

/**
 * Writes the result in the shared schema (to --json, else bench/results/<bench>.json), then
 * checks it against --baseline. Returns the exit code: 1 when a ratio regressed.
 */
export function finishBench(bench: string, args: BenchArgs, body: { measurements: Measurement[]; ratios: Ratio[]; extra?: unknown; versions?: Record<string, string> }): number {
  const result: BenchResult = {
    schema: "xray-bench/1",
    bench,
    date: new Date().toISOString(),
    quick: args.quick,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.platform()} ${os.release()}`, load1: Math.round(os.loadavg()[0] * 100) / 100 },
    versions: versions(body.versions ?? {}),
    measurements: body.measurements,
    ratios: body.ratios,
    extra: body.extra,
  };
  const file = args.json ?? path.join(ROOT, "bench", "results", `${bench}${args.quick ? ".quick" : ""}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  for (const r of result.ratios) process.stderr.write(`ratio ${r.id}: ${r.value}x (${r.better} is better)\n`);
  process.stderr.write(`results: ${file}\n`);
  if (!args.baseline) return 0;
  const baseline = JSON.parse(fs.readFileSync(args.baseline, "utf8")) as BenchResult;
  if (baseline.schema !== "xray-bench/1") throw new Error(`${args.baseline} is not an xray-bench/1 result`);
  const worse = regressions(result, baseline, args.maxRegression);
  for (const w of worse) process.stderr.write(`regressed: ${w}\n`);
  if (!worse.length) process.stderr.write(`no ratio regressed more than ${Math.round(args.maxRegression * 100)}% against ${args.baseline}\n`);
  return worse.length ? 1 : 0;
}

/** Runs a benchmark's main and exits with its code (2 for a failure of the benchmark itself). */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
      process.exit(2);
    },
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** A running `xray node`: the environment to reach it (with XRAY_NODE_PORT), its port, and its stop. */
export interface XrayNode {
  env: NodeJS.ProcessEnv;
  port: number;
  stop(): Promise<void>;
}

/** Serves the chain of `env`'s XRAY_HOME with `xray node` on a free loopback port; stopped by its PID. */
export async function startXrayNode(env: NodeJS.ProcessEnv): Promise<XrayNode> {
  const port = await freePort();
  const nodeEnv = { ...env, XRAY_NODE_PORT: String(port) };
  const node: ChildProcess = spawn(process.execPath, [BIN, "node", "--port", String(port)], { cwd: ROOT, env: { ...process.env, ...nodeEnv }, stdio: ["ignore", "pipe", "inherit"] });
  const stop = async () => {
    node.kill("SIGTERM");
    await new Promise((resolve) => (node.exitCode !== null || node.signalCode !== null ? resolve(null) : node.on("exit", resolve)));
  };
  try {
    await new Promise<void>((resolve, reject) => {
      node.stdout!.on("data", (d) => /Ctrl-C/.test(String(d)) && resolve());
      node.on("exit", (code) => reject(new Error(`xray node exited (${code})`)));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { env: nodeEnv, port, stop };
}

/**
 * Serves the chain of `env`'s XRAY_HOME with `xray node` on a free loopback port while `work`
 * runs (given `env` plus XRAY_NODE_PORT and the port), then stops it by its PID.
 */
export async function withXrayNode<T>(env: NodeJS.ProcessEnv, work: (env: NodeJS.ProcessEnv, port: number) => Promise<T>): Promise<T> {
  const node = await startXrayNode(env);
  try {
    return await work(node.env, node.port);
  } finally {
    await node.stop();
  }
}
