/**
 * The benchmarks' CI contract (issue 16): a quick run writes the shared schema, and a
 * baseline whose ratio is better than this run's by more than --max-regression makes the
 * benchmark exit 1, naming the ratio; one within it exits 0. Only the start-up part of
 * bench:chain runs (a few seconds); nothing here asserts a timing.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempHome } from "./helpers/cli";

describe("benchmarks: --quick, the shared schema, --baseline --max-regression", function () {
  this.timeout(120_000);
  const dir = tempHome("bench");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bench = (args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, "dist", "bench", "chain-bench.js"), "--quick", "--only", "startup", "--runs", "2", ...args], { encoding: "utf8", cwd: ROOT });

  it("writes xray-bench/1; a doctored baseline makes it exit 1 naming the ratio; an honest one exits 0", () => {
    const first = path.join(dir, "first.json");
    const r = bench(["--json", first]);
    expect(r.status, r.stderr).to.equal(0);
    const result = JSON.parse(fs.readFileSync(first, "utf8"));
    expect(result).to.include({ schema: "xray-bench/1", bench: "chain-bench", quick: true });
    expect(result.machine.cpus).to.be.a("number");
    expect(result.versions.node).to.equal(process.version);
    const ids = result.measurements.map((m: { id: string }) => m.id);
    expect(ids).to.include.members(["node-e-0", "help"]);
    for (const m of result.measurements) {
      expect(m.runs).to.equal(2);
      expect(m.min).to.be.at.most(m.median);
      expect(m.median).to.be.at.most(m.max);
    }
    const help = result.ratios.find((x: { id: string }) => x.id === "help/node");
    expect(help).to.include({ of: "help", over: "node-e-0", better: "lower" });

    // a baseline claiming `xray --help` cost a tenth of `node -e 0`: this run is far worse
    const doctored = path.join(dir, "doctored.json");
    fs.writeFileSync(doctored, JSON.stringify({ ...result, ratios: [{ ...help, value: 0.1 }] }));
    const worse = bench(["--json", path.join(dir, "second.json"), "--baseline", doctored, "--max-regression", "10%"]);
    expect(worse.status, worse.stderr).to.equal(1);
    expect(worse.stderr).to.match(/regressed: help\/node: [\d.]+ against 0\.1 in the baseline \(\d+% worse; 10% allowed\)/);

    // a baseline ten times worse than any run: nothing regressed
    const generous = path.join(dir, "generous.json");
    fs.writeFileSync(generous, JSON.stringify({ ...result, ratios: [{ ...help, value: help.value * 10 }] }));
    const fine = bench(["--json", path.join(dir, "third.json"), "--baseline", generous, "--max-regression", "10%"]);
    expect(fine.status, fine.stderr).to.equal(0);
    expect(fine.stderr).to.match(/no ratio regressed more than 10%/);

    const bad = bench(["--baseline", doctored, "--max-regression", "lots"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--max-regression must be a percentage like 10%/);
  });
});
