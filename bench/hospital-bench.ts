/**
 * Benchmark (issue 13): a hospital of 10,000 patients made with `xray patients import`, one
 * X-ray recorded for each of 1,000 of them (`anchor --patient-from`), a lookup by medical record
 * number; beside it, in the same run, 1,000 patients made the paper's way (a full `xr` each).
 * Writes bench/results/hospital-bench.{md,json}. Run: npm run bench:hospital [-- --quick].
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { artifact, linkBytecode } from "../src/core/chain/artifacts";
import { encodeConstructor } from "../src/core/chain/abi";
import { sendTx } from "../src/core/chain/tx";
import { writeFileAtomic } from "../src/core/home";
import { BIN, machine, ROOT, timedRun } from "./lib";

const quick = process.argv.includes("--quick");
const N = quick ? 1_000 : 10_000;
const RECORDS = quick ? 100 : 1_000;
const PAPER_N = quick ? 100 : 1_000;

/** Each step's figures as soon as it ends (bench/results/hospital-bench.partial.json): a later failure loses nothing. */
const done: Record<string, unknown> = {};
function partial(step: Record<string, unknown>): void {
  Object.assign(done, step);
  fs.mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench", "results", `hospital-bench${quick ? "-quick" : ""}.partial.json`), JSON.stringify({ date: new Date().toISOString(), ...done }, null, 2) + "\n");
}

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const log = (l: string) => process.stderr.write(l + "\n");

function duBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? duBytes(p) : fs.statSync(p).size;
  }
  return total;
}

async function xray(home: string, args: string[]) {
  const r = await timedRun(process.execPath, [BIN, ...args], { XRAY_HOME: home, XRAY_RPC: "" });
  return { ms: r.ms, json: args.includes("--json") ? JSON.parse(r.stdout) : undefined };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-bench-hospital-"));
  const home = path.join(work, "home");
  try {
    await xray(home, ["hospital", "init", "-q"]);
    await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]);
    const csv = path.join(work, "patients.csv");
    const mrn = (i: number) => `MRN-${String(i).padStart(6, "0")}`;
    const rows = ["mrn,name,birthday,contact,gender,blood_type"];
    for (let i = 1; i <= N; i++) rows.push(`${mrn(i)},Patient ${i},19${String(50 + (i % 50))}0101,09${String(i).padStart(8, "0")},${i % 2 ? "male" : "female"},${"ABO"[i % 3]}`);
    fs.writeFileSync(csv, rows.join("\n") + "\n");
    log(`importing ${n(N)} patients ...`);
    const imp = await xray(home, ["patients", "import", csv, "--batch", "100", "--json"]);
    const importGas = imp.json.gasUsed as number;
    partial({ import: { patients: N, seconds: imp.ms / 1000, transactions: imp.json.txs.length, gasPerPatient: Math.round(importGas / N) } });

    const files = Array.from({ length: RECORDS }, (_, i) => ({ path: `${mrn(i + 1)}_chest.png`, size: 1, sha256: randomBytes(32).toString("hex"), label: "x", mime: "image/png" }));
    const manifest = path.join(work, "records.json");
    fs.writeFileSync(manifest, JSON.stringify({ format: "xray-manifest/1", algorithm: "sha256", created: "", roots: ["."], count: RECORDS, bytes: RECORDS, files, failed: [] }));
    log(`recording ${n(RECORDS)} X-rays, one a patient ...`);
    const rec = await xray(home, ["anchor", manifest, "--patient-from", "^(MRN-\\d+)_", "--json"]);
    const recordGas = rec.json.gasTotal as number;
    partial({ records: { records: RECORDS, seconds: rec.ms / 1000, gasPerRecord: Math.round(recordGas / RECORDS) } });

    const target = mrn(Math.ceil(N / 2));
    const lookup = await xray(home, ["patients", "show", target, "--json"]);
    const onChain = await xray(home, ["--patient", target, "xray-count", "--json"]);
    const homeBytes = duBytes(home);
    const registerBytes = duBytes(path.join(home, "hospital"));

    log(`the paper's way: ${n(PAPER_N)} full xr deployments ...`);
    const paperHome = path.join(work, "paper");
    const chain = await connectChain({ home: paperHome });
    let paperGas = 0;
    let paperRecordGas = 0;
    const t0 = Date.now();
    try {
      const [gov] = await chain.accounts();
      const lib = await sendTx(chain, { from: gov, data: artifact("strlib").bytecode });
      const code = linkBytecode(artifact("xr"), { strlib: lib.contractAddress! });
      for (let i = 0; i < PAPER_N; i++) {
        const args = encodeConstructor(artifact("xr").abi, [`Patient ${i}`, gov, 30, 0, 1]);
        paperGas += (await sendTx(chain, { from: gov, data: code + args, gas: 3_500_000n })).gasUsed; // no estimate: one execution each
      }
    } finally {
      await chain.close();
    }
    const paperMs = Date.now() - t0;
    // one X-ray on the paper's contract, for the per-record comparison
    const single = path.join(work, "single");
    await xray(single, ["init", "-q"]);
    await xray(single, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]);
    const one = await xray(single, ["set-xray-hash", "chest", randomBytes(32).toString("hex"), "--json"]);
    paperRecordGas = one.json.tx.gasUsed;

    const hospitalPerPatient = importGas / N;
    const result = {
      machine: machine(), date: new Date().toISOString(), quick,
      import: { patients: N, seconds: imp.ms / 1000, patientsPerSecond: N / (imp.ms / 1000), transactions: imp.json.txs.length, gasPerPatient: Math.round(hospitalPerPatient) },
      records: { records: RECORDS, seconds: rec.ms / 1000, recordsPerSecond: RECORDS / (rec.ms / 1000), gasPerRecord: Math.round(recordGas / RECORDS), paperGasPerRecord: paperRecordGas },
      lookup: { mrn: target, showSeconds: lookup.ms / 1000, xrayCountSeconds: onChain.ms / 1000, contract: lookup.json.contract },
      disk: { homeBytes, registerBytes },
      paper: { patients: PAPER_N, seconds: paperMs / 1000, patientsPerSecond: PAPER_N / (paperMs / 1000), gasPerPatient: Math.round(paperGas / PAPER_N) },
      ratio: { gas: paperGas / PAPER_N / hospitalPerPatient, time: paperMs / PAPER_N / (imp.ms / N) },
    };
    const md = `# Hospital benchmark

${result.machine}; ${result.date}${quick ? " (--quick)" : ""}. Embedded Ganache 7.9 (shanghai), one CLI process per step.

| step | count | seconds | per second | gas each |
|---|---:|---:|---:|---:|
| patients import (batches of 100) | ${n(N)} | ${result.import.seconds.toFixed(1)} | ${result.import.patientsPerSecond.toFixed(1)} | ${n(result.import.gasPerPatient)} |
| one X-ray each (anchor --patient-from) | ${n(RECORDS)} | ${result.records.seconds.toFixed(1)} | ${result.records.recordsPerSecond.toFixed(1)} | ${n(result.records.gasPerRecord)} |
| the paper's way: one full xr each | ${n(PAPER_N)} | ${result.paper.seconds.toFixed(1)} | ${result.paper.patientsPerSecond.toFixed(1)} | ${n(result.paper.gasPerPatient)} |

- Ratio, the paper's way over the hospital: ${result.ratio.gas.toFixed(1)}x the gas and ${result.ratio.time.toFixed(1)}x the time per patient.
- An X-ray record: ${n(result.records.gasPerRecord)} gas on a clone (median over the run, first records), ${n(paperRecordGas)} on the paper's contract.
- Lookup by medical record number ${target}: \`patients show\` ${result.lookup.showSeconds.toFixed(2)} s, \`--patient ${target} xray-count\` ${result.lookup.xrayCountSeconds.toFixed(2)} s (whole CLI runs: one indexed register query, one call).
- Home on disk: ${(homeBytes / 1e6).toFixed(1)} MB, of which the register ${(registerBytes / 1e6).toFixed(1)} MB.
`;
    const out = path.join(ROOT, "bench", "results");
    writeFileAtomic(path.join(out, quick ? "hospital-bench-quick.json" : "hospital-bench.json"), JSON.stringify(result, null, 2) + "\n");
    writeFileAtomic(path.join(out, quick ? "hospital-bench-quick.md" : "hospital-bench.md"), md);
    process.stdout.write(md);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + "\n");
  process.exit(1);
});
