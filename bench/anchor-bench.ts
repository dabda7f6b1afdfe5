/**
 * Benchmark (issue 3): Lin et al.'s Fig. 12 — hashing and anchoring 10, 20, ... 100 images —
 * extended to the whole 5,856-image Kaggle-shaped set, each size beside its peers measured in
 * the same run: sha256sum over the same files, and one setXrayhash per image awaited in turn
 * by `truffle exec` (the paper's upload loop); per-record anchoring (`xray anchor`) also runs
 * through `--rpc` to anvil. Writes bench/results/anchor-bench.{md,json,svg}.
 * Run: npm run bench [-- --sizes 10,50,100 --no-full], or `xray bench`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listFiles } from "../src/core/hash/files";
import { writeFileAtomic } from "../src/core/home";
import { generateKaggleDataset } from "../src/core/imaging/kaggle-dataset";
import { startAnvil, type Anvil } from "../test/helpers/anvil";
import { lineChartSvg } from "./chart";
import { BIN, finishBench, withXrayNode, machine, median, parseBenchArgs, ratio, ROOT, runMain, summarise, timedRun, TRUFFLE, type Measurement, type Ratio } from "./lib";

export interface AnchorBenchOptions {
  /** The Kaggle-shaped data set (written by `xray dataset` if missing). */
  data?: string;
  /** The chest X-rays the data set is made from, when it has to be generated. */
  source?: string;
  sizes?: number[];
  /** Also run the whole data set. */
  full?: boolean;
  /** Runs of each hashing command (medians); anchoring runs once per size on a fresh chain. */
  runs?: number;
  /** Where to write the results. */
  out?: string;
  /** Scale of the data set when it has to be generated (1 = the whole 5,856 images). */
  scale?: number;
  log?: (line: string) => void;
}

export interface SizeRow {
  images: number;
  bytes: number;
  hashMs: number;
  sha256sumMs: number;
  hashSpeedup: number;
  anchorWallMs: number;
  anchorChainMs: number;
  anchorNodeMs: number;
  /** `xray anchor` through --rpc to anvil: whole command, and the part after the chain opened. */
  anchorAnvilMs: number;
  anchorAnvilChainMs: number;
  /** Transactions the embedded run sent (setXrayhashes: up to 767 records each). */
  transactions: number;
  truffleMs: number;
  truffleOverXray: number;
  gasPerImage: number;
  batchMs: number;
  batchChainMs: number;
  batchGas: number;
}

const PAPER = { images: 100, hashMs: 685, uploadMs: 56_830 };

export async function runAnchorBench(o: AnchorBenchOptions = {}) {
  const log = o.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const data = path.resolve(o.data ?? path.join(ROOT, "bench", "data", "kaggle"));
  const outDir = path.resolve(o.out ?? path.join(ROOT, "bench", "results"));
  const runs = o.runs ?? 5;
  if (!fs.existsSync(path.join(data, ".xray-dataset.json"))) {
    if (!o.source) throw new Error(`no data set at ${data}: run xray dataset ${data} first (or give the source)`);
    log(`writing the Kaggle-shaped data set to ${data} ...`);
    await generateKaggleDataset(data, { source: o.source, scale: o.scale });
  }
  const all = listFiles([data]).files.filter((f) => f.path.endsWith(".jpeg")).map((f) => f.path);
  const sizes = [...(o.sizes ?? [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).filter((n) => n <= all.length), ...(o.full === false ? [] : [all.length])];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-anchor-bench-"));
  const rows: SizeRow[] = [];
  let anvil: Anvil | undefined;
  try {
    anvil = await startAnvil();
    for (const n of sizes) {
      const files = all.slice(0, n);
      const bytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
      const manifest = path.join(work, `m${n}.json`);
      const hashArgs = [BIN, "hash", "--manifest", manifest, ...files];
      await timedRun(process.execPath, hashArgs); // warm the page cache and write the manifest
      await timedRun("sha256sum", files);
      const r = n >= 1000 ? Math.min(runs, 3) : runs;
      const hashMs: number[] = [];
      const sumMs: number[] = [];
      for (let i = 0; i < r; i++) {
        hashMs.push((await timedRun(process.execPath, hashArgs)).ms);
        sumMs.push((await timedRun("sha256sum", files)).ms);
      }
      const emb = await freshHome(work, `e${n}`);
      const rec = await timedRun(process.execPath, [BIN, "anchor", manifest, "--json"], { XRAY_HOME: emb });
      const recJson = JSON.parse(rec.stdout);
      const batch = JSON.parse((await timedRun(process.execPath, [BIN, "anchor", manifest, "--batch", "--json"], { XRAY_HOME: emb })).stdout);
      const viaNode = await withNode(await freshHome(work, `n${n}`), async (env) => {
        const x = await timedRun(process.execPath, [BIN, "anchor", manifest, "--json"], env);
        const t = await timedRun(TRUFFLE, ["exec", "scripts/truffle/anchor-manifest.js"], { ...env, XRAY_MANIFEST: manifest });
        return { xray: x.ms, truffle: t.ms };
      });
      const anvilEnv = { XRAY_RPC: anvil.url };
      const viaAnvil = await timedRun(process.execPath, [BIN, "anchor", manifest, "--json"], { ...anvilEnv, XRAY_HOME: await freshHome(work, `a${n}`, anvilEnv) });
      const anvilJson = JSON.parse(viaAnvil.stdout);
      const row: SizeRow = {
        images: n,
        bytes,
        hashMs: Math.round(median(hashMs)),
        sha256sumMs: Math.round(median(sumMs)),
        hashSpeedup: +(median(sumMs) / median(hashMs)).toFixed(2),
        anchorWallMs: Math.round(rec.ms),
        anchorChainMs: Math.round(recJson.seconds * 1000),
        anchorNodeMs: Math.round(viaNode.xray),
        anchorAnvilMs: Math.round(viaAnvil.ms),
        anchorAnvilChainMs: Math.round(anvilJson.seconds * 1000),
        transactions: recJson.transactions,
        truffleMs: Math.round(viaNode.truffle),
        truffleOverXray: +(viaNode.truffle / viaNode.xray).toFixed(2),
        gasPerImage: recJson.gasPerRecord,
        batchMs: Math.round(batch.seconds * 1000),
        batchChainMs: Math.round(batch.chainSeconds * 1000),
        batchGas: batch.tx.gasUsed,
      };
      rows.push(row);
      log(`${n} images: hash ${row.hashMs} ms (sha256sum ${row.sha256sumMs} ms, ${row.hashSpeedup}x); anchor ${row.anchorWallMs} ms wall / ${row.anchorChainMs} ms chain (${row.transactions} tx), via anvil ${row.anchorAnvilMs} ms, via node ${row.anchorNodeMs} ms, truffle exec ${row.truffleMs} ms (${row.truffleOverXray}x); batch ${row.batchMs} ms (${row.batchChainMs} ms on chain), ${row.batchGas} gas`);
    }
  } finally {
    await anvil?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const result = { date: new Date().toISOString(), machine: machine(), data, hashRuns: runs, paper: PAPER, rows };
  fs.mkdirSync(outDir, { recursive: true });
  const md = markdown(result);
  writeFileAtomic(path.join(outDir, "anchor-bench.json"), JSON.stringify(result, null, 2) + "\n");
  writeFileAtomic(path.join(outDir, "anchor-bench.md"), md);
  writeFileAtomic(path.join(outDir, "anchor-bench.svg"), chart(rows.filter((r) => r.images <= 100)));
  return { result, markdown: md, files: ["anchor-bench.md", "anchor-bench.json", "anchor-bench.svg"].map((f) => path.join(outDir, f)) };
}

/** A new xray home with xr deployed and the doctor granted (not timed); on anvil with XRAY_RPC. */
async function freshHome(work: string, name: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const home = path.join(work, name);
  await timedRun(process.execPath, [BIN, "init", "-q"], { ...env, XRAY_HOME: home });
  await timedRun(process.execPath, [BIN, "set-permission", "doctor", "Dr.Lee", "doctor", "-q"], { ...env, XRAY_HOME: home });
  return home;
}

/** Serves `home` with `xray node` (truffle attaches, xray commands too) while `work` runs. */
function withNode<T>(home: string, work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  return withXrayNode({ XRAY_HOME: home }, async (env) => {
    await timedRun(TRUFFLE, ["migrate"], env); // adopts the CLI's deployment
    return work(env);
  });
}

const fmt = (n: number) => n.toLocaleString("en-US");

function markdown(r: { date: string; machine: string; hashRuns: number; rows: SizeRow[] }): string {
  const hundred = r.rows.find((x) => x.images === 100);
  return [
    `# Hashing and anchoring benchmark (${r.date.slice(0, 10)}, ${r.machine})`,
    "",
    "Lin et al.'s Fig. 12 (10 to 100 images) and the whole Kaggle-shaped set. Hash times are medians",
    `of ${r.hashRuns} runs (3 for the whole set), each command from process start to exit, page cache warm,`,
    "beside `sha256sum` over the same files. Anchoring runs once per size on a fresh chain: `xray anchor`",
    "in-process (wall time of the command, and the chain part of it) and through `xray node`, beside",
    "`truffle exec` of a script awaiting one `setXrayhash` per image on the same node, and through `--rpc`",
    "to anvil (a fresh deployment each size). Batch: `xray anchor --batch`.",
    "",
    "| images | MB | xray hash ms | sha256sum ms | speed-up | anchor ms (wall / chain) | transactions | via anvil ms (wall / chain) | via node ms | truffle exec ms | truffle ÷ xray | gas per image | batch ms (all / chain) | batch gas |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.rows.map(
      (x) =>
        `| ${fmt(x.images)} | ${(x.bytes / 1e6).toFixed(0)} | ${fmt(x.hashMs)} | ${fmt(x.sha256sumMs)} | ${x.hashSpeedup}x | ${fmt(x.anchorWallMs)} / ${fmt(x.anchorChainMs)} | ${fmt(x.transactions)} | ${fmt(x.anchorAnvilMs)} / ${fmt(x.anchorAnvilChainMs)} | ${fmt(x.anchorNodeMs)} | ${fmt(x.truffleMs)} | ${x.truffleOverXray}x | ${fmt(x.gasPerImage)} | ${fmt(x.batchMs)} / ${fmt(x.batchChainMs)} | ${fmt(x.batchGas)} |`,
    ),
    "",
    hundred
      ? `Lin et al., 100 images: ${fmt(PAPER.hashMs)} ms hashing, ${fmt(PAPER.uploadMs)} ms uploading the hashes. xray, 100 images: ${fmt(hundred.hashMs)} ms hashing, ${fmt(hundred.anchorWallMs)} ms anchoring (whole command).`
      : "",
    "",
    "Chart: anchor-bench.svg (10 to 100 images, log scale).",
    "",
  ].join("\n");
}

function chart(rows: SizeRow[]): string {
  const pts = (f: (r: SizeRow) => number) => rows.map((r) => [r.images, f(r)] as [number, number]);
  return lineChartSvg({
    title: "Hash and anchor time, 10 to 100 images (Lin et al. Fig. 12)",
    xLabel: "images",
    yLabel: "time (log scale)",
    series: [
      { label: "xray hash", color: "#1f77b4", points: pts((r) => r.hashMs) },
      { label: "sha256sum", color: "#1f77b4", dashed: true, points: pts((r) => r.sha256sumMs) },
      { label: "xray anchor (embedded)", color: "#d62728", points: pts((r) => r.anchorWallMs) },
      { label: "xray anchor via node", color: "#ff7f0e", points: pts((r) => r.anchorNodeMs) },
      { label: "xray anchor via anvil", color: "#9467bd", points: pts((r) => r.anchorAnvilMs) },
      { label: "truffle exec, per record", color: "#ff7f0e", dashed: true, points: pts((r) => r.truffleMs) },
      { label: "xray anchor --batch", color: "#2ca02c", points: pts((r) => r.batchMs) },
      { label: "Lin et al. upload (100)", color: "#7f7f7f", points: [[100, PAPER.uploadMs]] },
    ],
  });
}

/** The shared schema: per size, hashing beside sha256sum and anchoring beside truffle exec. */
export function anchorSchema(rows: SizeRow[]): { measurements: Measurement[]; ratios: Ratio[] } {
  const measurements: Measurement[] = [];
  const ratios: Ratio[] = [];
  for (const r of rows) {
    const one = (id: string, label: string, v: number) => {
      const m = summarise(`${id}.${r.images}`, `${label}, ${r.images} images`, [v]);
      measurements.push(m);
      return m;
    };
    const hash = one("xray-hash", "xray hash (median)", r.hashMs);
    const sum = one("sha256sum", "sha256sum (median)", r.sha256sumMs);
    const anchor = one("xray-anchor.embedded", "xray anchor, one record per image, embedded chain", r.anchorWallMs);
    const node = one("xray-anchor.xray-node", "xray anchor through xray node", r.anchorNodeMs);
    const anvil = one("xray-anchor.anvil", "xray anchor, one record per image, --rpc to anvil", r.anchorAnvilMs);
    const truffle = one("truffle-exec.xray-node", "truffle exec, one setXrayhash per image, through xray node", r.truffleMs);
    one("xray-anchor-batch.embedded", "xray anchor --batch, chain part", r.batchChainMs);
    ratios.push(ratio(`sha256sum/xray-hash.${r.images}`, sum, hash, "higher"), ratio(`truffle/xray-anchor.${r.images}`, truffle, node, "higher"));
    ratios.push(ratio(`xray-anchor.embedded/xray-node.${r.images}`, anchor, node), ratio(`xray-anchor.embedded/anvil.${r.images}`, anchor, anvil));
  }
  return { measurements, ratios };
}

if (require.main === module) {
  const args = parseBenchArgs();
  const argv = args.rest;
  const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  runMain(async () => {
    const r = await runAnchorBench({
      data: arg("--data") ?? (args.quick ? path.join(ROOT, "bench", "data", "kaggle-quick") : undefined),
      source: arg("--source") ?? path.join(ROOT, "..", "shared", "data", "cxr"),
      scale: args.quick ? 0.02 : undefined,
      sizes: arg("--sizes")?.split(",").map(Number) ?? (args.quick ? [10, 50, 100] : undefined),
      full: !argv.includes("--no-full") && !args.quick,
      runs: args.runs ?? (args.quick ? 3 : undefined),
      out: args.quick ? path.join(ROOT, "bench", "results", "quick") : undefined,
    });
    process.stdout.write(r.markdown);
    return finishBench("anchor-bench", { ...args, json: args.json ?? path.join(ROOT, "bench", "results", `anchor-bench.schema${args.quick ? ".quick" : ""}.json`) }, anchorSchema(r.result.rows));
  });
}
