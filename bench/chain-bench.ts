/**
 * Benchmark (issue 16): one xray command's wall time on the embedded chain (served by the
 * home's background chain process, and the older way, Ganache in the command) beside
 * `node -e 0`, `xray --help` and the same commands through --rpc to `xray node` and to anvil;
 * and per-record anchoring (setXrayhashes, many records a transaction, against one
 * setXrayhash each) on the embedded chain and through anvil. Writes the shared schema
 * (docs/bench-schema.md) to bench/results/chain-bench[.quick].json and a table to .md.
 * Run: npm run bench:chain [-- --quick] [--records N] [--baseline file.json --max-regression 10%]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, finishBench, measure, parseBenchArgs, ratio, ROOT, runMain, summarise, timed, type Measurement, type Ratio } from "./lib";
import { commandRows, interleaved, randomHash, ratiosToNode, setupCommands } from "./commands";
import { connectChain } from "../src/core/chain/chain";
import { xrContext } from "../src/core/chain/xr";
import { anchorRecords } from "../src/core/chain/actions/anchor-records";
import { startAnvil } from "../test/helpers/anvil";
import { stopDaemon } from "../src/core/chain/daemon-client";

async function main(): Promise<number> {
  const args = parseBenchArgs();
  const runs = args.runs ?? (args.quick ? 5 : 11);
  const recordsAt = args.rest.indexOf("--records");
  const records = recordsAt >= 0 ? Number(args.rest[recordsAt + 1]) : args.quick ? 200 : 5856;
  // --only startup|commands|anchor: one part (the baseline test runs `startup` alone)
  const onlyAt = args.rest.indexOf("--only");
  const only = onlyAt >= 0 ? args.rest[onlyAt + 1] : undefined;
  const part = (name: string) => !only || only === name;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-chain-bench-"));
  const ms: Measurement[] = [];
  const rs: Ratio[] = [];
  const stops: (() => Promise<void> | void)[] = [];
  const anchors: unknown[] = [];
  let anvilUrl: string | undefined;
  try {
    const x = (a: string[], e: NodeJS.ProcessEnv) => timed(process.execPath, [BIN, ...a], e);
    if (!part("commands")) {
      // the start-up rows alone (what the baseline test runs): no chain needed
      const env = { XRAY_HOME: path.join(work, "none"), XRAY_RPC: "" };
      const floor = await measure("node-e-0", "node -e 0", runs, () => timed(process.execPath, ["-e", "0"]));
      const help = await measure("help", "xray --help", runs, () => x(["--help"], env));
      ms.push(floor, help);
      rs.push(ratio("help/node", help, floor));
    } else await commandsPart();
    if (part("anchor")) await anchorPart();
    const code = finishBench("chain-bench", args, { measurements: ms, ratios: rs, extra: { records, anchors }, versions: { anvil: anvilVersion() } });
    if (!args.json) writeTable(args.quick, ms, rs);
    return code;

    async function commandsPart() {
      // node -e 0, --help, and both commands on the embedded chain, xray node and anvil, interleaved
      const setup = await setupCommands(work, { xrayNode: true, anvil: true });
      stops.push(setup.stop);
      anvilUrl = setup.anvilUrl;
      const measured = await interleaved([...setup.floor, ...commandRows(setup.targets)], runs);
      const embedded = setup.targets[0];
      await stopDaemon(embedded.env.XRAY_HOME!); // XRAY_CHAIN_IDLE=0 would use it: stop it to measure the command alone
      const inCommand = { ...embedded, where: "in-process", label: "embedded chain, Ganache in the command (XRAY_CHAIN_IDLE=0)", env: { ...embedded.env, XRAY_CHAIN_IDLE: "0" } };
      for (const row of commandRows([inCommand])) measured.push(await measure(row.id, row.label, Math.min(runs, 3), row.run));
      ms.push(...measured);
      rs.push(...ratiosToNode(measured));
    }

    async function anchorPart() {
      if (!anvilUrl) {
        const anvil = await startAnvil();
        stops.push(() => anvil.stop());
        anvilUrl = anvil.url;
    }

    // per-record anchoring: `records` distinct hashes, a fresh chain each, in this process
    const anchor = async (where: string, label: string, rpc: string | undefined, oneByOne: boolean) => {
      const h = fs.mkdtempSync(path.join(work, "anchor-"));
      const e = { XRAY_HOME: h, XRAY_RPC: rpc ?? "", XRAY_CHAIN_IDLE: "0" };
      await x(["init", "-q"], e);
      await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"], e);
      const chain = await connectChain({ home: h, rpc, idleSeconds: 0 });
      try {
        const ctx = xrContext(chain);
        const [, , doctor] = await chain.accounts();
        const hashes = Array.from({ length: records }, randomHash);
        const t0 = process.hrtime.bigint();
        const cpu0 = process.cpuUsage();
        // one at a time through anvil: it hands concurrent sends from one unlocked account one nonce
        const out = await anchorRecords(ctx, hashes, { from: doctor, oneByOne, window: rpc && oneByOne ? 1 : undefined });
        const wall = Number(process.hrtime.bigint() - t0) / 1e6;
        const cpu = process.cpuUsage(cpu0);
        const id = `anchor-records.${where}.${oneByOne ? "one-by-one" : "batched"}`;
        const m = summarise(id, `${records} records, ${label}, ${oneByOne ? "one setXrayhash each" : "setXrayhashes"}`, [wall]);
        process.stderr.write(`${m.label}: ${(wall / 1000).toFixed(1)} s (${out.transactions} transactions, gas ${out.gas[out.gas.length - 1]} per record, this process's CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)\n`);
        return { m, gasPerRecord: out.gas[out.gas.length - 1], transactions: out.transactions, cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1) };
      } finally {
        await chain.close();
      }
    };
    for (const [where, label, rpc] of [["embedded", "embedded chain", undefined], ["anvil", "anvil", anvilUrl]] as const) {
      const batched = await anchor(where, label, rpc, false);
      const single = await anchor(where, label, rpc, true);
      ms.push(batched.m, single.m);
      rs.push(ratio(`anchor-records.${where}.batched/one-by-one`, batched.m, single.m));
      anchors.push({ where, records, batched: { seconds: batched.m.median / 1000, ...batched, m: undefined }, oneByOne: { seconds: single.m.median / 1000, ...single, m: undefined } });
    }
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function writeTable(quick: boolean, ms: Measurement[], rs: Ratio[]) {
  const lines = [
    `# chain benchmark (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} x ${os.cpus()[0]?.model}, load ${os.loadavg()[0].toFixed(1)})`,
    "",
    "| measurement | median ms | min | max | runs |",
    "|---|---:|---:|---:|---:|",
    ...ms.map((m) => `| ${m.label} | ${m.median} | ${m.min} | ${m.max} | ${m.runs} |`),
    "",
    "| ratio | value |",
    "|---|---:|",
    ...rs.map((r) => `| ${r.id} | ${r.value}x |`),
    "",
  ];
  fs.writeFileSync(path.join(ROOT, "bench", "results", `chain-bench${quick ? ".quick" : ""}.md`), lines.join("\n"));
  process.stdout.write(lines.join("\n"));
}

function anvilVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@foundry-rs", "anvil", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "absent";
  }
}


runMain(main);
