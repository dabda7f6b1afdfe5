/**
 * `npm run bench:ipfs`: IPFS and encrypted-sharing throughput beside PCIM (Jabarulla & Lee,
 * Fig. 10: 100 MB uploaded in 5.31 s; 1,142 images downloaded in 6.19 s), CID computation
 * beside Debian's `ipfs_cid` on the same files in the same run, and the gas of each
 * access-protocol function beside PCIM's Table 1. Every time is a whole process, start to
 * exit, median of several runs; nothing is asserted.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { BIN, ROOT, finishBench, machine, median, parseBenchArgs, ratio, runMain, summarise, timedRun, type Measurement, type Ratio } from "./lib";

const OUT = path.join(ROOT, "bench", "results");
const DATA = path.join(ROOT, "bench", "data");
const PASS = "bench passphrase";
const SIZES_MB = [1, 10, 100];
const PCIM = { uploadMB: 100, uploadS: 5.31, downloadImages: 1142, downloadS: 6.19 };
const PCIM_GAS: Record<string, number> = { create: 67_394, request: 246_908, approve: 170_412, trace: 34_266, remove: 59_358 };
const SMALL_COUNT = 1142;

const log = (s: string) => process.stderr.write(s + "\n");
const xray = (home: string, args: string[], env: NodeJS.ProcessEnv = {}) => timedRun(process.execPath, [BIN, ...args], { XRAY_HOME: home, XRAY_PASSPHRASE: PASS, ...env });
const tmpHome = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `xray-bench-${label}-`));
const hasIpfsCid = spawnSync("ipfs_cid", ["/dev/null"]).error === undefined;

/** An uncompressed 8-bit grey TIFF of about `mb` MB from a real chest X-ray (deterministic). */
async function tiffOf(mb: number, source: string): Promise<string> {
  const file = path.join(DATA, "ipfs", `cxr-${mb}MB.tiff`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const side = Math.round(Math.sqrt(mb * 1e6));
  const sharp = require("sharp");
  await sharp(source).grayscale().toColourspace("b-w").resize(side, side, { fit: "fill" }).tiff({ compression: "none" }).toFile(file + ".tmp");
  fs.renameSync(file + ".tmp", file);
  return file;
}

/** The first 1,142 images of the Kaggle-shaped set (bench/data/kaggle), written if missing. */
async function smallImages(): Promise<string[]> {
  const kaggle = path.join(DATA, "kaggle");
  if (!fs.existsSync(path.join(kaggle, ".xray-dataset.json"))) {
    log(`writing ${SMALL_COUNT} images with xray dataset (once)...`);
    await timedRun(process.execPath, [BIN, "dataset", kaggle, "--scale", String(SMALL_COUNT / 5856 + 0.001)]);
  }
  const files = execFileSync("find", [kaggle, "-type", "f", "-name", "*.jpeg"], { encoding: "utf8", maxBuffer: 1 << 26 }).trim().split("\n").sort();
  return files.slice(0, SMALL_COUNT);
}

async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await fn());
  return median(ms);
}

const ipfsCidOf = (file: string): string => JSON.parse(execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })).CIDv0;

async function ipfsCidMs(files: string[]): Promise<number> {
  const t0 = performance.now();
  for (const f of files) ipfsCidOf(f);
  return performance.now() - t0;
}

/** A home with a deployment, a doctor and the patient's and doctor's keys. */
async function sharingHome(label: string): Promise<string> {
  const home = tmpHome(label);
  await xray(home, ["init", "-q"]);
  await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]);
  await xray(home, ["keys", "generate", "--name", "Ken", "--account", "patient", "-q"]);
  await xray(home, ["keys", "generate", "--name", "Dr.Lee", "--account", "doctor", "-q"]);
  return home;
}

interface SizeRow {
  mb: number;
  bytes: number;
  cid: string;
  cidsMatch: boolean | null;
  ipfsCidMs: number | null;
  onlyHashMs: number;
  addMs: number;
  getMs: number;
  uploadMs: number;
  /** ms: the hashing pass, then the streamed step (waiting on encryption, the rest in IPFS), then the chain. */
  uploadParts: { hash: number; encrypt: number; ipfs: number; chain: number };
  downloadMs: number;
}

async function sizeRow(mb: number, file: string, shareHome: string, runs: number): Promise<SizeRow> {
  const bytes = fs.statSync(file).size;
  const cid = JSON.parse((await xray(tmpHome("cid"), ["ipfs", "add", "-n", file, "--json"])).stdout).files[0].cid;
  const theirs = hasIpfsCid ? ipfsCidOf(file) : null;
  const ipfsCidTime = hasIpfsCid ? await medianOf(runs, () => ipfsCidMs([file])) : null;
  const onlyHashMs = await medianOf(runs, async () => (await xray(tmpHome("n"), ["ipfs", "add", "-n", file])).ms);
  const addHome = tmpHome("add");
  const addMs = await medianOf(runs, async () => {
    fs.rmSync(path.join(addHome, "ipfs"), { recursive: true, force: true });
    return (await xray(addHome, ["ipfs", "add", file])).ms;
  });
  const back = path.join(addHome, "back");
  const getMs = await medianOf(runs, async () => {
    fs.rmSync(back, { force: true });
    return (await xray(addHome, ["ipfs", "get", cid, "--out", back])).ms;
  });
  let last: any;
  const uploadMs = await medianOf(runs, async () => {
    // --again: each run shares the same image again (a rerun is refused otherwise)
    const r = await xray(shareHome, ["upload", file, "--to", "patient", "--again", "--json"]);
    last = JSON.parse(r.stdout);
    return r.ms;
  });
  const out = path.join(shareHome, "download.out");
  const downloadMs = await medianOf(runs, async () => {
    fs.rmSync(out, { force: true });
    return (await xray(shareHome, ["download", last.cid, "--out", out])).ms;
  });
  fs.rmSync(addHome, { recursive: true, force: true });
  return { mb, bytes, cid, cidsMatch: theirs === null ? null : theirs === cid, ipfsCidMs: ipfsCidTime, onlyHashMs, addMs, getMs, uploadMs, uploadParts: msOf(last.seconds), downloadMs };
}

/** Upload's `seconds` as whole milliseconds, for the tables. */
const msOf = (s: { hash: number; encrypt: number; ipfs: number; chain: number }) => ({
  hash: Math.round(s.hash * 1000),
  encrypt: Math.round(s.encrypt * 1000),
  ipfs: Math.round(s.ipfs * 1000),
  chain: Math.round(s.chain * 1000),
});

async function smallRow(files: string[], runs: number) {
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const listFile = path.join(tmpHome("list"), "files.txt");
  const hashed = JSON.parse((await xray(tmpHome("n"), ["ipfs", "add", "-n", ...files, "--json"])).stdout).files as { cid: string; file: string }[];
  let mismatches: number | null = null;
  if (hasIpfsCid) mismatches = hashed.filter((h) => ipfsCidOf(h.file) !== h.cid).length;
  fs.writeFileSync(listFile, hashed.map((h) => h.cid).join("\n"));
  const ipfsCidTime = hasIpfsCid ? await medianOf(runs, () => ipfsCidMs(files)) : null;
  const onlyHashMs = await medianOf(runs, async () => (await xray(tmpHome("n"), ["ipfs", "add", "-n", ...files])).ms);
  const home = tmpHome("small");
  const addMs = await medianOf(runs, async () => {
    fs.rmSync(path.join(home, "ipfs"), { recursive: true, force: true });
    return (await xray(home, ["ipfs", "add", ...files])).ms;
  });
  const outDir = path.join(home, "out");
  const getMs = await medianOf(runs, async () => {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir);
    return (await xray(home, ["ipfs", "get", ...hashed.map((h) => h.cid), "--out", outDir])).ms;
  });
  fs.rmSync(home, { recursive: true, force: true });
  return { count: files.length, bytes, cidMismatches: mismatches, ipfsCidMs: ipfsCidTime, onlyHashMs, addMs, getMs };
}

/** Gas of each access-protocol function, and its execution part (less the 21,000 base and calldata). */
async function gasTable(source: string) {
  const home = await sharingHome("gas");
  await xray(home, ["keys", "generate", "--name", "Dr.Kim", "--account", "4", "-q"]);
  await xray(home, ["keys", "generate", "--name", "Researcher", "--account", "5", "-q"]);
  const tx = async (args: string[]) => JSON.parse((await xray(home, [...args, "--json"])).stdout).tx as { hash: string; gasUsed: number };
  const rows: { fn: string; pcim: string; tx: { hash: string; gasUsed: number } }[] = [];
  rows.push({ fn: "shareImage (upload)", pcim: "create", tx: await tx(["upload", source, "--to", "patient"]) });
  rows.push({ fn: "requestAccess", pcim: "request", tx: await tx(["request-access", "patient", "--from", "4", "--notes", "second opinion"]) });
  rows.push({ fn: "approveAccess (1 image)", pcim: "approve", tx: await tx(["approve", "4", "--from", "patient"]) });
  rows.push({ fn: "traceAccess", pcim: "trace", tx: await tx(["trace", "4"]) });
  rows.push({ fn: "revokeAccess", pcim: "remove", tx: await tx(["revoke", "4"]) });
  await xray(home, ["request-access", "patient", "--from", "5", "--notes", "research"]);
  rows.push({ fn: "denyAccess", pcim: "", tx: await tx(["deny", "5", "--reason", "not for research"]) });
  const chain = await connectChain({ home });
  try {
    const out = [];
    for (const r of rows) {
      const t = await chain.provider.request<{ input: string }>("eth_getTransactionByHash", [r.tx.hash]);
      const data = Buffer.from(t.input.slice(2), "hex");
      const calldata = [...data].reduce((n, b) => n + (b === 0 ? 4 : 16), 0);
      const pcim = PCIM_GAS[r.pcim];
      out.push({ fn: r.fn, pcim: r.pcim || null, pcimGas: pcim ?? null, gasUsed: r.tx.gasUsed, calldataGas: calldata, executionGas: r.tx.gasUsed - 21_000 - calldata, ofPcim: pcim ? r.tx.gasUsed / pcim : null });
    }
    return out;
  } finally {
    await chain.close();
  }
}

const args = parseBenchArgs();

async function main(): Promise<number> {
  const cxr = [process.env.XRAY_CXR_DATA, path.join(ROOT, "..", "shared", "data", "cxr")].find((d) => d && fs.existsSync(d))!;
  const source = path.join(cxr, "originals", "normal", fs.readdirSync(path.join(cxr, "originals", "normal")).sort()[0]);
  log(`machine: ${machine()}; ipfs_cid ${hasIpfsCid ? "installed" : "NOT installed (no peer column)"}`);
  const shareHome = await sharingHome("share");
  const sizes: SizeRow[] = [];
  for (const mb of args.quick ? [1, 10] : SIZES_MB) {
    const file = await tiffOf(mb, source);
    const row = await sizeRow(mb, file, shareHome, args.runs ?? (args.quick ? 3 : mb >= 100 ? 3 : 5));
    sizes.push(row);
    log(`${mb} MB: add ${row.addMs.toFixed(0)} ms, get ${row.getMs.toFixed(0)} ms, upload ${row.uploadMs.toFixed(0)} ms, download ${row.downloadMs.toFixed(0)} ms, add -n ${row.onlyHashMs.toFixed(0)} ms vs ipfs_cid ${row.ipfsCidMs?.toFixed(0)} ms`);
  }
  const small = await smallRow((await smallImages()).slice(0, args.quick ? 100 : SMALL_COUNT), 3);
  log(`${small.count} images: add ${small.addMs.toFixed(0)} ms, get ${small.getMs.toFixed(0)} ms, add -n ${small.onlyHashMs.toFixed(0)} ms vs ipfs_cid ${small.ipfsCidMs?.toFixed(0)} ms`);
  const gas = await gasTable(source);
  const result = { machine: machine(), date: new Date().toISOString(), pcim: { ...PCIM, gas: PCIM_GAS }, sizes, small, gas };
  const out = args.quick ? path.join(OUT, "quick") : OUT;
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "ipfs-bench.json"), JSON.stringify(result, null, 2) + "\n");
  fs.writeFileSync(path.join(out, "ipfs-bench.md"), markdown(result));
  process.stdout.write(markdown(result));
  const measurements: Measurement[] = [];
  const ratios: Ratio[] = [];
  const one = (id: string, label: string, v: number) => (measurements.push(summarise(id, label, [v])), measurements[measurements.length - 1]);
  for (const x of sizes) {
    const add = one(`ipfs-add.${x.mb}MB`, `xray ipfs add, ${x.mb} MB`, x.addMs);
    one(`ipfs-get.${x.mb}MB`, `xray ipfs get, ${x.mb} MB`, x.getMs);
    one(`upload.${x.mb}MB`, `xray upload, ${x.mb} MB`, x.uploadMs);
    one(`download.${x.mb}MB`, `xray download, ${x.mb} MB`, x.downloadMs);
    const onlyHash = one(`ipfs-add-n.${x.mb}MB`, `xray ipfs add -n, ${x.mb} MB`, x.onlyHashMs);
    if (x.ipfsCidMs !== null) ratios.push(ratio(`ipfs_cid/xray-add-n.${x.mb}MB`, one(`ipfs_cid.${x.mb}MB`, `ipfs_cid, ${x.mb} MB`, x.ipfsCidMs), onlyHash, "higher"));
    ratios.push(ratio(`ipfs-add/add-n.${x.mb}MB`, add, onlyHash));
  }
  return finishBench("ipfs-bench", { ...args, json: args.json ?? path.join(ROOT, "bench", "results", `ipfs-bench.schema${args.quick ? ".quick" : ""}.json`) }, { measurements, ratios, extra: { gas } });
}

const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
const n = (x: number | null, d = 0) => (x === null ? "-" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));

function markdown(r: { machine: string; date: string; sizes: SizeRow[]; small: Awaited<ReturnType<typeof smallRow>>; gas: Awaited<ReturnType<typeof gasTable>> }): string {
  const s = r.small;
  return `# IPFS and sharing benchmark (\`npm run bench:ipfs\`)

${r.machine}; ${r.date}. Whole commands, process start to exit, medians (5 runs; 3 for 100 MB and the 1,142 images).
Files: uncompressed grey TIFFs made from a real chest X-ray; the 1,142 images are the first of the Kaggle-shaped set (\`xray dataset\`).

## Throughput (embedded store)

| file | bytes | \`xray ipfs add\` ms (MB/s) | \`xray ipfs get\` ms (MB/s) | \`xray upload\` ms (MB/s): hash + encrypt + add + record | \`xray download\` ms (MB/s): get + decrypt + verify |
|---|---:|---:|---:|---:|---:|
${r.sizes.map((x) => `| ${x.mb} MB | ${n(x.bytes)} | ${n(x.addMs)} (${mbps(x.bytes, x.addMs)}) | ${n(x.getMs)} (${mbps(x.bytes, x.getMs)}) | ${n(x.uploadMs)} (${mbps(x.bytes, x.uploadMs)}): ${n(x.uploadParts.hash)} + ${n(x.uploadParts.encrypt)} + ${n(x.uploadParts.ipfs)} + ${n(x.uploadParts.chain)} | ${n(x.downloadMs)} (${mbps(x.bytes, x.downloadMs)}) |`).join("\n")}
| ${s.count} images | ${n(s.bytes)} | ${n(s.addMs)} (${mbps(s.bytes, s.addMs)}) | ${n(s.getMs)} (${mbps(s.bytes, s.getMs)}) | - | - |

PCIM Fig. 10: 100 MB uploaded in 5.31 s (18.8 MB/s); 1,142 images downloaded in 6.19 s.

## CID computation beside ipfs_cid (same files, same run)

| file | \`ipfs_cid\` ms | \`xray ipfs add --only-hash\` ms | ipfs_cid ÷ xray | CIDs identical |
|---|---:|---:|---:|---|
${r.sizes.map((x) => `| ${x.mb} MB | ${n(x.ipfsCidMs)} | ${n(x.onlyHashMs)} | ${x.ipfsCidMs === null ? "-" : (x.ipfsCidMs / x.onlyHashMs).toFixed(2) + "x"} | ${x.cidsMatch === null ? "not checked" : x.cidsMatch ? "yes" : "NO"} |`).join("\n")}
| ${s.count} images (one \`ipfs_cid\` process per file; one xray process) | ${n(s.ipfsCidMs)} | ${n(s.onlyHashMs)} | ${s.ipfsCidMs === null ? "-" : (s.ipfsCidMs / s.onlyHashMs).toFixed(2) + "x"} | ${s.cidMismatches === null ? "not checked" : s.cidMismatches === 0 ? `yes, all ${s.count}` : `NO: ${s.cidMismatches} differ`} |

## Gas of the access protocol beside PCIM's Table 1

Execution gas = gas used − 21,000 (every transaction's base) − calldata.

| function | PCIM | PCIM gas | xray gas used | ÷ PCIM | calldata | execution |
|---|---|---:|---:|---:|---:|---:|
${r.gas.map((g) => `| ${g.fn} | ${g.pcim ?? "-"} | ${n(g.pcimGas)} | ${n(g.gasUsed)} | ${g.ofPcim === null ? "-" : g.ofPcim.toFixed(2)} | ${n(g.calldataGas)} | ${n(g.executionGas)} |`).join("\n")}
`;
}

runMain(main);
