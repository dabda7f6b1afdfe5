/**
 * Benchmark (issues 2 and 16): one xray command's wall time, from process start to its answer,
 * in one run with ratios: `node -e 0` (Node's own start), `xray --help` (the CLI's start-up),
 * `xray xray-count` and `xray set-xray-hash` on the embedded chain (background process warm),
 * the same through --rpc to `xray node` and to anvil, and `truffle exec` of a script making the
 * same set-xray-hash call through `xray node` (the peer the paper's operator used). All rows
 * run in interleaved rounds (bench/commands.ts). Also the gas of every contract function.
 * Writes the xray-bench/1 document (docs/bench-schema.md) to bench/results/cli-bench[.quick].json
 * and a table to .md. Run: npm run bench:cli [-- --quick] [--runs N] [--baseline file.json --max-regression 10%]
 */
import { createHash } from "node:crypto";
import { finishBench, machine, parseBenchArgs, ratio, ROOT, runMain, timed, TRUFFLE, type Measurement } from "./lib";
import { commandRows, interleaved, ratiosToNode, removeWork, setupCommands, type Row } from "./commands";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { deployXr } from "../src/core/chain/actions/deploy";
import { removePermission, setPermission } from "../src/core/chain/actions/permissions";
import { setXrayHash } from "../src/core/chain/actions/records";
import { setBirthday, setContact } from "../src/core/chain/actions/profile";
import { xrContext, xrSend } from "../src/core/chain/xr";
import { estimateGas } from "../src/core/chain/tx";
import { encodeCall } from "../src/core/chain/abi";
import { artifact } from "../src/core/chain/artifacts";
import { groupDigits } from "../src/core/text";
import { writeFileAtomic } from "../src/core/home";

const HASH = "16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134";

async function gasTable(home: string) {
  const chain = await connectChain({ home, idleSeconds: 0 });
  try {
    const [gov, host, doctor, patient] = await chain.accounts();
    const d = await deployXr(chain, { name: "Ken", patient, age: 25, gender: 0, bloodType: 1, gov, host, hostName: "Host", doctor });
    const ctx = xrContext(chain);
    const rows: { fn: string; gas: number; note: string }[] = [];
    rows.push({ fn: "deploy strlib", gas: d.txs.strlib.gasUsed, note: "library, deployed once" });
    rows.push({ fn: "deploy xr", gas: d.txs.xr.gasUsed, note: "constructor('Ken', patient, 25, 0, 1), linked to strlib" });
    rows.push({ fn: "setPermission (host)", gas: d.txs.host.gasUsed, note: "first grant" });
    rows.push({ fn: "setPermission", gas: (await setPermission(ctx, { account: doctor, name: "Dr.Lee", userType: 1, enabled: true, from: gov })).tx.gasUsed, note: "grant doctor 'Dr.Lee'" });
    rows.push({ fn: "setXrayhash (first record)", gas: (await setXrayHash(ctx, { part: "chest", sha256: HASH, from: doctor })).tx.gasUsed, note: "array grows from empty" });
    rows.push({ fn: "setXrayhash", gas: (await setXrayHash(ctx, { part: "chest", sha256: HASH, from: doctor })).tx.gasUsed, note: "each further record" });
    // one run of 767 distinct hashes (records 2 .. 768): the most one transaction takes
    const run = Array.from({ length: 767 }, (_, i) => "0x" + createHash("sha256").update(String(i)).digest("hex"));
    const runGas = (await xrSend(ctx, "setXrayhashes", ["chest", run], doctor)).tx.gasUsed;
    rows.push({ fn: "setXrayhashes, per record", gas: Math.round(runGas / run.length), note: `767 records in one transaction (one run: ${runGas.toLocaleString("en-US")} gas)` });
    rows.push({ fn: "setBirthday", gas: (await setBirthday(ctx, { birthday: "19970522", from: host })).tx.gasUsed, note: "first set" });
    rows.push({ fn: "setContact", gas: (await setContact(ctx, { contact: "0912-321-456", from: host })).tx.gasUsed, note: "first set" });
    rows.push({ fn: "removePermission", gas: (await removePermission(ctx, { account: doctor, from: gov })).tx.gasUsed, note: "doctor resigns (refund applied)" });
    // views cost nothing when called; their gas is what a transaction calling them would pay
    const view = async (fn: string, args: unknown[]) =>
      Number(await estimateGas(chain, { from: gov, to: ctx.deployment.xr, data: encodeCall(artifact("xr").abi, fn, args) })) / 1.25;
    rows.push({ fn: "getXrayhashCount (view)", gas: Math.round(await view("getXrayhashCount", [])), note: "free as eth_call" });
    rows.push({ fn: "getXrayhash (view)", gas: Math.round(await view("getXrayhash", [0])), note: "free as eth_call" });
    rows.push({ fn: "getXrayhash (view), a record of a run", gas: Math.round(await view("getXrayhash", [500])), note: "free as eth_call" });
    rows.push({ fn: "profile (view)", gas: Math.round(await view("profile", [])), note: "free as eth_call" });
    return rows;
  } finally {
    await chain.close();
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs();
  const runs = args.runs ?? (args.quick ? 5 : 9);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-cli-bench-"));
  try {
    const gas = args.quick ? [] : await gasTable(path.join(work, "gas")); // the gas does not change between runs: not in a quick one
    const setup = await setupCommands(work, { xrayNode: true, anvil: true });
    let ms: Measurement[];
    try {
      await timed(TRUFFLE, ["migrate"], setup.nodeEnv!); // truffle's own deployment on the xray node home
      const truffle: Row = { id: "truffle-exec.xray-node", label: "truffle exec set-xray-hash.js, through xray node", run: () => timed(TRUFFLE, ["exec", "scripts/truffle/set-xray-hash.js"], setup.nodeEnv!) };
      ms = await interleaved([...setup.floor, ...commandRows(setup.targets), truffle], runs);
    } finally {
      await setup.stop();
    }
    const byId = (id: string) => ms.find((m) => m.id === id)!;
    const ratios = [...ratiosToNode(ms), ratio("truffle-exec/xray.xray-node", byId("truffle-exec.xray-node"), byId("set-xray-hash.xray-node"), "higher")];
    const code = finishBench("cli-bench", args, { measurements: ms, ratios, extra: { gas } });
    const floor = byId("node-e-0").median;
    const md = [
      `# xray CLI benchmark (${new Date().toISOString().slice(0, 16)}Z, ${machine()}, load ${os.loadavg()[0].toFixed(1)})`,
      "",
      `One command from process start to its answer; ${runs} interleaved rounds after a warm-up round; medians.`,
      "",
      "| command | median ms | min | max | ÷ node -e 0 |",
      "|---|---:|---:|---:|---:|",
      ...ms.map((m) => `| ${m.label} | ${Math.round(m.median)} | ${Math.round(m.min)} | ${Math.round(m.max)} | ${(m.median / floor).toFixed(2)}x |`),
      "",
      `truffle exec / xray set-xray-hash, both through xray node: **${ratios[ratios.length - 1].value}x**`,
      "",
      ...(gas.length ? ["| contract function | gas used | note |", "|---|---:|---|", ...gas.map((g) => `| ${g.fn} | ${groupDigits(g.gas)} | ${g.note} |`), ""] : []),
    ].join("\n");
    writeFileAtomic(path.join(ROOT, "bench", "results", `cli-bench${args.quick ? ".quick" : ""}.md`), md);
    if (!args.json) process.stdout.write(md);
    return code;
  } finally {
    removeWork(work);
  }
}

runMain(main);
