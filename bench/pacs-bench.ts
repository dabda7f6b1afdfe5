/**
 * Benchmark (issue 14, item 5): Lin et al.'s Table II on a real PACS. The same studies retrieved
 * from an Orthanc by a standard client (curl, one GET per instance over Orthanc's REST API, as
 * `xray pacs verify` fetches them) and by `xray pacs verify` (retrieval + digests + proofs +
 * chain); the overhead in percent. Beside it: `xray pacs anchor` throughput and gas per study.
 * Writes bench/results/pacs-bench[.quick].{md,json} (xray-bench/1). Run: npm run bench:pacs [-- --quick].
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../src/core/home";
import { startOrthanc } from "../test/helpers/orthanc";
import { BIN, machine, median, ROOT, timedRun } from "./lib";

const quick = process.argv.includes("--quick");
const STUDIES = quick ? 12 : 100;
const PATIENTS = quick ? 6 : 40;
const RUNS = quick ? 3 : 5;
const MAX_SIZE = quick ? "512" : "2048";
const log = (l: string) => process.stderr.write(l + "\n");

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-bench-pacs-"));
  const home = path.join(work, "home");
  const orthanc = await startOrthanc();
  const env = { XRAY_HOME: home, XRAY_RPC: "", XRAY_PACS: orthanc.url, XRAY_PACS_CREDENTIALS_FILE: orthanc.credentialsFile };
  const xray = async (args: string[]) => {
    const r = await timedRun(process.execPath, [BIN, ...args], env);
    return { ms: r.ms, json: args.includes("--json") ? JSON.parse(r.stdout) : undefined };
  };
  const auth = { authorization: "Basic " + Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64"), "accept-encoding": "identity" };
  const get = async (route: string) => (await fetch(orthanc.url + route, { headers: auth })).json() as Promise<any>;
  try {
    await xray(["hospital", "init", "-q"]);
    await xray(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]);
    const set = path.join(work, "set");
    log(`generating ${STUDIES} studies for ${PATIENTS} patients (max ${MAX_SIZE} px) ...`);
    await xray(["dataset", set, "--dicom", "--studies", String(STUDIES), "--patients", String(PATIENTS), "--max-size", MAX_SIZE, "-q"]);
    const push = await xray(["pacs", "push", set, "--json"]);
    for (let i = 0; i < 300 && (await get("/studies?expand")).some((s: any) => !s.IsStable); i++) await new Promise((r) => setTimeout(r, 200));
    const stats = await get("/statistics");
    log(`pushed ${stats.CountInstances} instances (${stats.TotalDiskSizeMB} MB) in ${(push.ms / 1000).toFixed(1)} s; anchoring ...`);
    const anchor = await xray(["pacs", "anchor", "--create-patients", "--json"]);
    const a = anchor.json;
    // the peer: every instance of every study, one GET each, with curl (a config file, one process)
    const urls = (await get("/instances")).map((id: string) => `${orthanc.url}/instances/${id}/file`);
    const curlConfig = path.join(work, "curl.cfg");
    fs.writeFileSync(curlConfig, [`user = "${orthanc.user}:${orthanc.password}"`, ...urls.flatMap((u: string) => [`url = "${u}"`, `output = "/dev/null"`])].join("\n") + "\n");
    const curlMs: number[] = [];
    const verifyMs: number[] = [];
    const fixedMs: number[] = [];
    for (let r = 0; r < RUNS + 1; r++) {
      const c = await timedRun("curl", ["-sf", "--parallel", "--parallel-max", "4", "-K", curlConfig]);
      const v = await xray(["pacs", "verify", "--all", "--json"]);
      if (!v.json.ok) throw new Error("pacs verify found differences in an untouched PACS");
      const f = await xray(["pacs", "anchor", "--json"]); // nothing new: start, chain, register, PACS asked once
      if (r > 0) (curlMs.push(c.ms), verifyMs.push(v.ms), fixedMs.push(f.ms)); // the first run warms the caches
      log(`run ${r}: curl ${c.ms.toFixed(0)} ms, xray pacs verify ${v.ms.toFixed(0)} ms`);
    }
    const m = (id: string, label: string, unit: string, xs: number[]) => ({ id, label, unit, median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length });
    const measurements = [
      m("retrieve.curl", `curl: ${urls.length} instances of ${STUDIES} studies, GET /instances/{id}/file, 4 in parallel`, "ms", curlMs),
      m("retrieve.xray-pacs-verify", `xray pacs verify --all: the same GETs, SHA-256 (digests when the bytes differ), proofs, chain (process start included)`, "ms", verifyMs),
      m("fixed.pacs-anchor-nothing-new", "xray pacs anchor with nothing new: process, chain, register, one PACS request (the fixed cost in the line above)", "ms", fixedMs),
      m("anchor.seconds", `xray pacs anchor --create-patients of ${stats.CountInstances} instances (one run)`, "s", [a.seconds]),
      m("anchor.instances-per-second", "pacs anchor throughput", "instances/s", [a.instances / a.seconds]),
      m("anchor.gas-per-study", "gas per study (anchorBatch on the patient's clone)", "gas", [a.gasTotal / a.anchored]),
    ];
    const overhead = median(verifyMs) / median(curlMs);
    const doc = {
      schema: "xray-bench/1",
      bench: "pacs-bench",
      date: new Date().toISOString(),
      quick,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.platform()} ${os.release()}`, load1: os.loadavg()[0] },
      versions: { node: process.version, xray: require(path.join(ROOT, "package.json")).version },
      measurements,
      ratios: [{ id: "retrieve.xray-pacs-verify/curl", of: "retrieve.xray-pacs-verify", over: "retrieve.curl", value: overhead, better: "lower" }],
      extra: { studies: STUDIES, patients: PATIENTS, instances: stats.CountInstances, megabytes: stats.TotalDiskSizeMB, maxSize: MAX_SIZE, created: a.created, verifyMsPerInstanceWithoutFixedCost: (median(verifyMs) - median(fixedMs)) / stats.CountInstances },
    };
    const base = path.join(ROOT, "bench", "results", `pacs-bench${quick ? ".quick" : ""}`);
    fs.mkdirSync(path.dirname(base), { recursive: true });
    writeFileAtomic(base + ".json", JSON.stringify(doc, null, 2) + "\n");
    const md = [
      `# xray pacs: Lin et al.'s Table II on a real Orthanc`,
      "",
      `${machine()}; ${STUDIES} studies, ${PATIENTS} patients, ${stats.CountInstances} instances (${stats.TotalDiskSizeMB} MB, the generator's mix of transfer syntaxes, max ${MAX_SIZE} px); medians of ${RUNS} runs after a warm-up.`,
      "",
      "| what | median | min | max |",
      "|---|---:|---:|---:|",
      ...measurements.map((x) => `| ${x.label} | ${x.median.toFixed(x.unit === "ms" ? 0 : 1)} ${x.unit} | ${x.min.toFixed(x.unit === "ms" ? 0 : 1)} | ${x.max.toFixed(x.unit === "ms" ? 0 : 1)} |`),
      "",
      `Overhead of verification over plain retrieval: ${((overhead - 1) * 100).toFixed(0)}% (Lin et al.: 5%); without the fixed cost, ${((median(verifyMs) - median(fixedMs)) / stats.CountInstances).toFixed(0)} ms per instance against curl's ${(median(curlMs) / stats.CountInstances).toFixed(1)} ms (per study: a lookup, the instance list and a chain call; an instance whose bytes are those anchored is hashed, not decoded).`,
      "",
    ].join("\n");
    writeFileAtomic(base + ".md", md);
    process.stdout.write(md);
  } finally {
    await orthanc.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:pacs failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
