/**
 * Benchmark (issue 14, item 5): Lin et al.'s Table II on a real PACS. The same studies retrieved
 * from an Orthanc by standard clients (dcmtk getscu: one C-GET per study; curl: WADO-RS per study,
 * and Orthanc's REST API one GET per instance, as `xray pacs verify` fetches them) and by
 * `xray pacs verify` (retrieval + digests + proofs + chain), all in the same run, interleaved;
 * the overhead in percent against each. Uncompressed and compressed studies are separate sets,
 * each in its own Orthanc and home. Beside it: `xray pacs anchor` throughput and gas per study.
 * Writes bench/results/pacs-bench[.quick].{md,json,svg} (xray-bench/1).
 * Run: npm run bench:pacs [-- --quick] [--runs N] [--baseline file.json].
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../src/core/home";
import { startOrthanc, type TestOrthanc } from "../test/helpers/orthanc";
import { barChartSvg } from "./chart";
import { fig10, fig10Markdown, type Fig10Result } from "./pacs-share";
import { BIN, finishBench, machine, parseBenchArgs, ratio, ROOT, runMain, summarise, timedRun, type Measurement, type Ratio } from "./lib";

const args = parseBenchArgs();
const quick = args.quick;
const STUDIES = quick ? 8 : 100;
const PATIENTS = quick ? 4 : 40;
const RUNS = args.runs ?? (quick ? 2 : 5);
const MAX_SIZE = quick ? "1024" : "0"; // 0: the X-rays' own size (1024 to 1800 px)
const SETS = [
  { kind: "uncompressed", seed: 1, what: "explicit and implicit VR little endian, 8 and 16 bits", getscu: true },
  // getscu proposes uncompressed syntaxes only: Orthanc must decompress, and it cannot for some
  // (12 of 18 instances arrived in a quick run, getscu exiting 0): no getscu on this set
  { kind: "compressed", seed: 2, what: "RLE, JPEG-LS, JPEG 2000 and JPEG lossless, JPEG baseline", getscu: false },
] as const;
const log = (l: string) => process.stderr.write(l + "\n");

/** The clients, in the order each run calls them: id, label, and what one retrieval of the set is. */
type Client = { id: string; label: string; run: () => Promise<void> };

async function benchSet(set: (typeof SETS)[number], work: string, measurements: Measurement[], ratios: Ratio[], extra: Record<string, unknown>) {
  const dir = path.join(work, set.kind);
  const home = path.join(dir, "home");
  const orthanc = await startOrthanc();
  try {
    const env = { XRAY_HOME: home, XRAY_RPC: "", XRAY_PACS: orthanc.url, XRAY_PACS_CREDENTIALS_FILE: orthanc.credentialsFile };
    const xray = async (a: string[]) => {
      const r = await timedRun(process.execPath, [BIN, ...a], env);
      return { ms: r.ms, json: a.includes("--json") ? JSON.parse(r.stdout) : undefined };
    };
    const get = orthancGet(orthanc);
    await xray(["hospital", "init", "-q"]);
    await xray(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]);
    const files = path.join(dir, "set");
    log(`${set.kind}: generating ${STUDIES} studies for ${PATIENTS} patients (max size ${MAX_SIZE === "0" ? "none" : MAX_SIZE + " px"}) ...`);
    await xray(["dataset", files, "--dicom", "--encodings", set.kind, "--seed", String(set.seed), "--studies", String(STUDIES), "--patients", String(PATIENTS), "--max-size", MAX_SIZE, "-q"]);
    const push = await xray(["pacs", "push", files, "--json"]);
    for (let i = 0; i < 300 && (await get("/studies?expand")).some((s: any) => !s.IsStable); i++) await new Promise((r) => setTimeout(r, 200));
    const stats = await get("/statistics");
    log(`${set.kind}: pushed ${stats.CountInstances} instances (${stats.TotalDiskSizeMB} MB) in ${(push.ms / 1000).toFixed(1)} s; anchoring ...`);
    const a = (await xray(["pacs", "anchor", "--create-patients", "--json"])).json;
    const studyUids: string[] = (await get("/studies?expand")).map((s: any) => s.MainDicomTags.StudyInstanceUID);
    const instanceIds: string[] = await get("/instances");
    const clients = peerClients(orthanc, dir, studyUids, instanceIds).filter((c) => set.getscu || !c.id.startsWith("getscu"));
    clients.push({ id: "xray-pacs-verify", label: "xray pacs verify --all: the GETs above, SHA-256 as they stream (decoded only when changed), proofs, chain; process start included", run: async () => void (await verifyAll(xray)) });
    clients.push({ id: "xray-pacs-anchor-nothing-new", label: "xray pacs anchor with nothing new: process, chain, register, the PACS asked once (the fixed cost)", run: async () => void (await xray(["pacs", "anchor", "--json"])) });
    const times = new Map<string, number[]>(clients.map((c) => [c.id, []]));
    for (let r = 0; r <= RUNS; r++) {
      const line: string[] = [];
      for (const c of clients) {
        const t0 = process.hrtime.bigint();
        await c.run();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r > 0) times.get(c.id)!.push(ms); // run 0 warms the caches
        line.push(`${c.id} ${ms.toFixed(0)}`);
      }
      log(`${set.kind} run ${r}${r ? "" : " (warm-up)"}: ${line.join(", ")} ms`);
    }
    const m = Object.fromEntries(clients.map((c) => [c.id, summarise(`${set.kind}.${c.id}`, `${set.kind}: ${c.label}`, times.get(c.id)!)]));
    measurements.push(...Object.values(m));
    measurements.push(
      summarise(`${set.kind}.anchor.instances-per-second`, `${set.kind}: xray pacs anchor --create-patients of ${a.instances} instances (${a.seconds.toFixed(1)} s, one run)`, [a.instances / a.seconds], "instances/s"),
      summarise(`${set.kind}.anchor.gas-per-study`, `${set.kind}: gas per study (anchorBatch on the patient's clone)`, [a.gasTotal / a.anchored], "gas"),
    );
    for (const peer of clients.filter((c) => !c.id.startsWith("xray"))) ratios.push(ratio(`${set.kind}.xray-pacs-verify/${peer.id}`, m["xray-pacs-verify"], m[peer.id]));
    extra[set.kind] = { studies: STUDIES, patients: PATIENTS, instances: stats.CountInstances, megabytes: stats.TotalDiskSizeMB, transferSyntaxes: set.what, created: a.created };
  } finally {
    await orthanc.stop();
  }
}

/** GET a JSON document from the Orthanc, with its credentials. */
function orthancGet(o: TestOrthanc) {
  const auth = { authorization: "Basic " + Buffer.from(`${o.user}:${o.password}`).toString("base64"), "accept-encoding": "identity" };
  return async (route: string) => (await fetch(o.url + route, { headers: auth })).json() as Promise<any>;
}

async function verifyAll(xray: (a: string[]) => Promise<{ json?: any }>) {
  const v = await xray(["pacs", "verify", "--all", "--json"]);
  if (!v.json.ok) throw new Error("pacs verify found differences in an untouched PACS");
}

/** The standard clients: getscu (one C-GET per study, one after another and 4 at once), curl WADO-RS per study, curl GET per instance. */
function peerClients(o: TestOrthanc, dir: string, studyUids: string[], instanceIds: string[]): Client[] {
  const user = `user = "${o.user}:${o.password}"`;
  const wado = path.join(dir, "wado.cfg");
  const accept = `header = "accept: multipart/related; type=\\"application/dicom\\"; transfer-syntax=*"`;
  fs.writeFileSync(wado, [user, accept, ...studyUids.flatMap((u) => [`url = "${o.url}/dicom-web/studies/${u}"`, `output = "/dev/null"`])].join("\n") + "\n");
  const files = path.join(dir, "files.cfg");
  fs.writeFileSync(files, [user, ...instanceIds.flatMap((id) => [`url = "${o.url}/instances/${id}/file"`, `output = "/dev/null"`])].join("\n") + "\n");
  const received = path.join(dir, "getscu");
  const getscu = async (parallel: number) => {
    fs.rmSync(received, { recursive: true, force: true });
    fs.mkdirSync(received);
    let next = 0;
    const one = async () => {
      while (next < studyUids.length) {
        const uid = studyUids[next++];
        await runQuiet("getscu", ["-aet", o.peerAet, "-aec", o.aet, "-od", received, "+B", "-k", "QueryRetrieveLevel=STUDY", "-k", `StudyInstanceUID=${uid}`, "127.0.0.1", String(o.dicomPort)]);
      }
    };
    await Promise.all(Array.from({ length: parallel }, one));
    const got = fs.readdirSync(received).length;
    if (got !== instanceIds.length) throw new Error(`getscu received ${got} of ${instanceIds.length} instances`);
  };
  return [
    { id: "getscu", label: `dcmtk getscu: ${studyUids.length} studies, one C-GET (one process, one association) each, one after another, stored to disk (+B)`, run: () => getscu(1) },
    { id: "getscu-4", label: "dcmtk getscu: the same, 4 studies at once", run: () => getscu(4) },
    { id: "curl-wado-rs", label: `curl: WADO-RS per study (/dicom-web/studies/{uid}, transfer-syntax=*), 4 at once`, run: () => runQuiet("curl", ["-sf", "--parallel", "--parallel-max", "4", "-K", wado]) },
    { id: "curl-file", label: `curl: ${instanceIds.length} instances, GET /instances/{id}/file (what xray fetches), 4 at once`, run: () => runQuiet("curl", ["-sf", "--parallel", "--parallel-max", "4", "-K", files]) },
  ];
}

/** Runs a peer with TCP_NODELAY=1 (dcmtk: 100 C-STOREs take 9.3 s without it, 0.6 s with); rejects on a non-zero exit. */
function runQuiet(cmd: string, a: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, a, { env: { ...process.env, TCP_NODELAY: "1" }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${err.slice(-1000)}`))));
  });
}

function report(measurements: Measurement[], ratios: Ratio[], extra: Record<string, any>): string {
  const fmt = (x: Measurement) => (x.unit === "ms" ? x.median.toFixed(0) + " ms" : `${x.median.toFixed(1)} ${x.unit}`);
  const pct = (r: Ratio) => `${r.value >= 1 ? "+" : ""}${((r.value - 1) * 100).toFixed(0)}%`;
  const out = [
    `# xray pacs: Lin et al.'s Table II on a real Orthanc`,
    "",
    `${machine()}; per set ${STUDIES} studies of ${PATIENTS} patients; medians of ${RUNS} runs after a warm-up, every client in each run, one after another.`,
    "",
  ];
  for (const set of SETS) {
    const e = extra[set.kind];
    const own = measurements.filter((x) => x.id.startsWith(set.kind + "."));
    out.push(`## ${set.kind}: ${e.instances} instances, ${e.megabytes} MB (${e.transferSyntaxes})`, "", "| what | median | min | max |", "|---|---:|---:|---:|");
    for (const x of own) out.push(`| ${x.label.slice(set.kind.length + 2)} | ${fmt(x)} | ${x.unit === "ms" ? x.min.toFixed(0) : x.min.toFixed(1)} | ${x.unit === "ms" ? x.max.toFixed(0) : x.max.toFixed(1)} |`);
    const rs = ratios.filter((r) => r.id.startsWith(set.kind + "."));
    out.push("", `Overhead of \`xray pacs verify\` (Lin et al.: 5%): ${rs.map((r) => `against ${r.over.slice(set.kind.length + 1)} ${pct(r)}`).join("; ")}.`, "");
  }
  out.push(
    "No getscu on the compressed set: getscu (dcmtk 3.6.7) proposes uncompressed transfer syntaxes only, so Orthanc must decompress each instance, and it cannot for some of them (12 of 18 arrived in a quick run, getscu exiting 0); the curl clients and xray receive the files as stored.",
    "",
    "Chart: pacs-bench" + (quick ? ".quick" : "") + ".svg.",
    "",
  );
  return out.join("\n");
}

async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-bench-pacs-"));
  const measurements: Measurement[] = [];
  const ratios: Ratio[] = [];
  const extra: Record<string, unknown> = { maxSize: MAX_SIZE };
  let f10: Fig10Result;
  try {
    for (const set of SETS) await benchSet(set, work, measurements, ratios, extra);
    // PCIM's Fig. 10: upload and download of the same instances through Orthanc and through xray
    const orthanc = await startOrthanc();
    try {
      f10 = await fig10({ orthanc, work, quick, log: (l) => process.stderr.write(l + "\n") });
    } finally {
      await orthanc.stop();
    }
    measurements.push(...f10.measurements);
    ratios.push(...f10.ratios);
    extra.fig10 = f10.extra;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const base = path.join(ROOT, "bench", "results", `pacs-bench${quick ? ".quick" : ""}`);
  const md = report(measurements.filter((x) => !x.id.startsWith("fig10.")), ratios, extra) + `\n## PCIM's Fig. 10 against the same Orthanc\n\n${fig10Markdown(f10)}`;
  writeFileAtomic(base + ".md", md);
  const bars = SETS.map((s) => ({
    group: s.kind,
    bars: measurements.filter((x) => x.id.startsWith(s.kind + ".") && x.unit === "ms" && !x.id.endsWith("nothing-new")).map((x) => ({ label: x.id.slice(s.kind.length + 1), value: x.median })),
  }));
  writeFileAtomic(base + ".svg", barChartSvg({ title: `Retrieving ${STUDIES} studies from Orthanc (medians)`, yLabel: "time (log scale)", groups: bars }));
  process.stdout.write(md);
  return finishBench("pacs-bench", args, { measurements, ratios, extra });
}

runMain(main);
