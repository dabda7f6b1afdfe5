/**
 * Benchmark (issue 14, item 5): Jabarulla & Lee's Fig. 10 against a real PACS. The same N DICOM
 * instances (1,142 as in the paper; fewer with quick) uploaded and downloaded
 *  - through Orthanc with a standard client: curl, POST /instances of each file, then
 *    GET /instances/{id}/file of each, one after the other on one connection;
 *  - through xray: `xray upload <files...> --to patient` (each instance its own share: read,
 *    digests, OpenPGP encryption and signature, IPFS, chain record) and `xray download <CIDs...>`
 *    (blocks checked, decrypted, signature and SHA-256 against the chain), one process each.
 * Also one process per instance (the paper's flow, one command per image), on a few instances.
 * Called by bench/pacs-bench.ts as fig10({ orthanc, work, quick, log }); run alone for a check:
 * node dist/bench/pacs-share.js [--quick] [--instances=N] [--runs N] (bench/results/pacs-share[.quick].{md,json}).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestOrthanc } from "../test/helpers/orthanc";
import { BIN, finishBench, machine, median, parseBenchArgs, ROOT, runMain, summarise, timedRun, type Measurement, type Ratio } from "./lib";

export interface Fig10Options {
  orthanc: TestOrthanc;
  /** A scratch folder (removed by the caller). */
  work: string;
  quick: boolean;
  log: (line: string) => void;
  /** Instances (default 1,142, quick 24). */
  instances?: number;
  /** Runs of each batch measurement (default 3, quick 2); the first run of each is measured too. */
  runs?: number;
}

export interface Fig10Result {
  measurements: Measurement[];
  ratios: Ratio[];
  extra: Record<string, unknown>;
}

/** The paper's figures (Jabarulla & Lee, Fig. 10 and its text). */
export const PCIM = { instances: 1142, downloadSeconds: { pcim: 6.19, pacs: 19.43 }, upload100MBSeconds: 5.31 };

const PASS = "fig10 bench passphrase";

export async function fig10(o: Fig10Options): Promise<Fig10Result> {
  const n = o.instances ?? (o.quick ? 24 : PCIM.instances);
  const runs = o.runs ?? (o.quick ? 2 : 3);
  const home = path.join(o.work, "fig10-home");
  const env = { XRAY_HOME: home, XRAY_RPC: "", XRAY_PASSPHRASE: PASS, TCP_NODELAY: "1" };
  const xray = async (args: string[]) => {
    const r = await timedRun(process.execPath, [BIN, ...args], env);
    return { ms: r.ms, json: args.includes("--json") ? JSON.parse(r.stdout) : undefined };
  };
  const { orthanc } = o;
  const headers = { authorization: "Basic " + Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64"), "accept-encoding": "identity" };
  const rest = async (route: string, method = "GET") => {
    const r = await fetch(orthanc.url + route, { method, headers });
    if (!r.ok) throw new Error(`Orthanc ${method} ${route}: HTTP ${r.status}`);
    return r.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const emptyOrthanc = async () => {
    for (const id of (await rest("/patients")) as string[]) await rest(`/patients/${id}`, "DELETE");
  };

  await xray(["init", "-q"]);
  await xray(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]);
  await xray(["keys", "generate", "--name", "Ken", "--account", "patient", "-q"]);
  await xray(["keys", "generate", "--name", "Dr.Lee", "--account", "doctor", "-q"]);
  const set = path.join(o.work, "fig10-set");
  const studies = Math.ceil(n / 1.4) + 8;
  const maxSize = o.quick ? "128" : "384";
  o.log(`fig10: generating ${n} DICOM instances (max ${maxSize} px) ...`);
  await xray(["dataset", set, "--dicom", "--studies", String(studies), "--patients", String(Math.ceil(studies / 3)), "--max-size", maxSize, "-q"]);
  const files = (fs.readdirSync(set, { recursive: true }) as string[]).filter((f) => f.endsWith(".dcm")).sort().slice(0, n).map((f) => path.join(set, f));
  if (files.length < n) throw new Error(`the generated set has ${files.length} instances, ${n} wanted`);
  const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);
  const mb = bytes / 1e6;
  o.log(`fig10: ${n} instances, ${mb.toFixed(1)} MB`);

  // POST /instances of each file with curl, one after the other on one connection (Orthanc's
  // DICOM port refuses some of the set's syntaxes from storescu: its REST API takes them all).
  const postConfig = path.join(o.work, "fig10-post.cfg");
  const user = `user = "${orthanc.user}:${orthanc.password}"`;
  fs.writeFileSync(postConfig, files.map((f) => [user, `url = "${orthanc.url}/instances"`, `data-binary = "@${f}"`, `output = "/dev/null"`].join("\n")).join("\nnext\n") + "\n");
  const postAll = () => timedRun("curl", ["-sf", "-K", postConfig]);
  const times = { post: [] as number[], curl: [] as number[], xrayUp: [] as number[], xrayDown: [] as number[] };
  let cids: string[] = [];
  for (let r = 0; r < runs; r++) {
    await emptyOrthanc();
    times.post.push((await postAll()).ms);
    const ids = (await rest("/instances")) as string[];
    if (ids.length !== n) throw new Error(`Orthanc holds ${ids.length} instances after the POSTs, ${n} sent`);
    const curlConfig = path.join(o.work, "fig10-curl.cfg");
    fs.writeFileSync(curlConfig, [`user = "${orthanc.user}:${orthanc.password}"`, ...ids.flatMap((id) => [`url = "${orthanc.url}/instances/${id}/file"`, `output = "/dev/null"`])].join("\n") + "\n");
    times.curl.push((await timedRun("curl", ["-sf", "-K", curlConfig])).ms);
    // --again: every run shares every instance anew (new ciphertext, new blocks, new records)
    const up = await xray(["upload", ...files, "--to", "patient", "--again", "--json"]);
    if (up.json.count !== n) throw new Error(`xray upload shared ${up.json.count} of ${n}: ${JSON.stringify(up.json.failed?.[0])}`);
    times.xrayUp.push(up.ms);
    cids = up.json.shares.map((s: { cid: string }) => s.cid);
    const out = path.join(o.work, `fig10-download-${r}`);
    const down = await xray(["download", ...cids, "--out", out, "--from", "patient", "--json"]);
    if (down.json.count !== n) throw new Error(`xray download verified ${down.json.count} of ${n}`);
    times.xrayDown.push(down.ms);
    fs.rmSync(out, { recursive: true, force: true });
    o.log(`fig10 run ${r}: post ${fmt(times.post[r])}, curl ${fmt(times.curl[r])}, xray upload ${fmt(up.ms)}, xray download ${fmt(down.ms)}`);
  }
  // The paper's flow, one command per image: a few instances, one process each.
  const sample = files.slice(0, o.quick ? 3 : 5);
  const oneUp: number[] = [];
  const oneDown: number[] = [];
  for (const [i, f] of sample.entries()) {
    const up = await xray(["upload", f, "--to", "patient", "--again", "--json"]);
    oneUp.push(up.ms);
    oneDown.push((await xray(["download", up.json.cid, "--out", path.join(o.work, `fig10-one-${i}.dcm`), "--from", "patient", "-q"])).ms);
  }

  const measurements = [
    summarise("fig10.upload.orthanc-curl", `Orthanc: curl POST /instances of ${n} instances (${mb.toFixed(0)} MB), one after the other`, times.post),
    summarise("fig10.upload.xray", `xray upload of the same ${n} instances in one command (each its own share: digests, OpenPGP, IPFS, chain record)`, times.xrayUp),
    summarise("fig10.download.orthanc-curl", `Orthanc: curl GET /instances/{id}/file of the ${n} instances, one after the other`, times.curl),
    summarise("fig10.download.xray", `xray download of the ${n} CIDs in one command (blocks, decryption, signature, SHA-256 on chain)`, times.xrayDown),
    summarise("fig10.upload.xray-one-process", "xray upload of one instance, one process (the paper's one command per image)", oneUp),
    summarise("fig10.download.xray-one-process", "xray download of one instance, one process", oneDown),
  ];
  const byId = (id: string) => measurements.find((m) => m.id === id)!;
  const ratio = (of: string, over: string): Ratio => ({ id: `${of}/${over}`, of, over, value: byId(of).median / byId(over).median, better: "lower" });
  const ratios = [ratio("fig10.upload.xray", "fig10.upload.orthanc-curl"), ratio("fig10.download.xray", "fig10.download.orthanc-curl")];
  const s = (ms: number) => ms / 1000;
  const extra = {
    instances: n,
    megabytes: mb,
    maxSize: Number(maxSize),
    paper: PCIM,
    seconds: {
      uploadOrthanc: s(median(times.post)),
      uploadXray: s(median(times.xrayUp)),
      downloadOrthanc: s(median(times.curl)),
      downloadXray: s(median(times.xrayDown)),
      uploadXrayPer100MB: (s(median(times.xrayUp)) * 100) / mb,
      uploadOrthancPer100MB: (s(median(times.post)) * 100) / mb,
      oneProcessPerInstance: { upload: s(median(oneUp)), download: s(median(oneDown)), uploadAllEstimate: s(median(oneUp)) * n, downloadAllEstimate: s(median(oneDown)) * n },
    },
  };
  return { measurements, ratios, extra };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The Fig. 10 rows as a markdown table and a sentence against the paper. */
export function fig10Markdown(r: Fig10Result): string {
  const e = r.extra as { instances: number; megabytes: number; seconds: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const x = e.seconds;
  return [
    `| ${e.instances} DICOM instances (${e.megabytes.toFixed(0)} MB) | upload | download |`,
    "|---|---:|---:|",
    `| Orthanc (curl POST / GET) | ${x.uploadOrthanc.toFixed(2)} s | ${x.downloadOrthanc.toFixed(2)} s |`,
    `| xray, one command for all | ${x.uploadXray.toFixed(2)} s | ${x.downloadXray.toFixed(2)} s |`,
    `| xray, one command per instance (estimate from ${r.measurements.find((m) => m.id === "fig10.upload.xray-one-process")!.runs}) | ${x.oneProcessPerInstance.uploadAllEstimate.toFixed(0)} s | ${x.oneProcessPerInstance.downloadAllEstimate.toFixed(0)} s |`,
    `| PCIM (paper, 1,142 images) | 5.31 s per 100 MB | ${PCIM.downloadSeconds.pcim} s (PACS ${PCIM.downloadSeconds.pacs} s) |`,
    "",
    `xray uploads 100 MB in ${x.uploadXrayPer100MB.toFixed(1)} s (Orthanc ${x.uploadOrthancPer100MB.toFixed(1)} s); downloads are ${(x.downloadXray / x.downloadOrthanc).toFixed(1)}x Orthanc's.`,
    "",
  ].join("\n");
}

if (require.main === module) {
  runMain(async () => {
    const args = parseBenchArgs();
    const { startOrthanc } = require("../test/helpers/orthanc") as typeof import("../test/helpers/orthanc");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-fig10-"));
    const orthanc = await startOrthanc();
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void orthanc.stop().finally(() => process.exit(130)));
    try {
      const n = args.rest.find((a) => a.startsWith("--instances="));
      const r = await fig10({ orthanc, work, quick: args.quick, log: (l) => process.stderr.write(l + "\n"), instances: n ? Number(n.split("=")[1]) : undefined, runs: args.runs });
      const md = `# PCIM's Fig. 10 against Orthanc\n\n${machine()}, load ${os.loadavg()[0].toFixed(1)}; medians of ${r.measurements[0].runs} run(s).\n\n${fig10Markdown(r)}`;
      fs.writeFileSync(path.join(ROOT, "bench", "results", `pacs-share${args.quick ? ".quick" : ""}.md`), md);
      process.stdout.write(md);
      return finishBench("pacs-share", args, r);
    } finally {
      await orthanc.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}
