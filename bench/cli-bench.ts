/**
 * Benchmark (issue 2): the wall time of one `xray set-xray-hash` command, from process start
 * to receipt, beside `truffle exec` of a script making the same call on the same chain.
 * Several runs each, medians and ratios, and the gas of every contract function.
 * Writes bench/results/cli-bench.md and .json. Run: npm run bench:cli [-- --runs N]
 */
import { BIN, finishBench, machine, measure, withXrayNode, parseBenchArgs, ratio, ROOT, runMain, timed, TRUFFLE } from "./lib";
import { createHash } from "node:crypto";
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
import { writeFileAtomic } from "../src/core/home";

const HASH = "16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134";

const args = parseBenchArgs();
const runs = args.runs ?? (args.quick ? 3 : 7);

async function series(id: string, label: string, cmd: string, argv: string[], env: NodeJS.ProcessEnv) {
  const m = await measure(id, label, runs, () => timed(cmd, argv, env)); // one warm-up run, not counted
  return { m, label, runs, medianMs: Math.round(m.median), minMs: Math.round(m.min), maxMs: Math.round(m.max) };
}

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
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "xray-bench-"));
  const env = { XRAY_HOME: home, XRAY_RPC: "" };
  const gas = await gasTable(fs.mkdtempSync(path.join(os.tmpdir(), "xray-bench-gas-")));

  await timed(process.execPath, [BIN, "init"], env);
  await timed(process.execPath, [BIN, "set-permission", "doctor", "Dr.Lee", "doctor"], env);
  const floor = await series("node-e-0", "node -e 0 (Node's own start)", process.execPath, ["-e", "0"], env);
  const help = await series("help", "xray --help (start-up floor: node + commander)", process.execPath, [BIN, "--help"], env);
  const embedded = await series("set-xray-hash.embedded", "xray set-xray-hash, embedded chain (background chain process)", process.execPath, [BIN, "set-xray-hash", "chest", HASH, "--allow-duplicate"], env);

  const { viaNode, truffle } = await withXrayNode(env, async (nodeEnv) => {
    await timed(TRUFFLE, ["migrate"], nodeEnv);
    const viaNode = await series("set-xray-hash.xray-node", "xray set-xray-hash, through xray node", process.execPath, [BIN, "set-xray-hash", "chest", HASH, "--allow-duplicate"], nodeEnv);
    const truffle = await series("truffle-exec.xray-node", "truffle exec set-xray-hash.js, through xray node", TRUFFLE, ["exec", "scripts/truffle/set-xray-hash.js"], nodeEnv);
    return { viaNode, truffle };
  });
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    runs,
    timings: [floor, help, embedded, viaNode, truffle].map(({ m: _m, ...row }) => row),
    ratios: {
      truffleExecOverXrayViaNode: +(truffle.medianMs / viaNode.medianMs).toFixed(2),
      truffleExecOverXrayEmbedded: +(truffle.medianMs / embedded.medianMs).toFixed(2),
    },
    gas,
  };
  const md = [
    `# xray CLI benchmark (${result.date.slice(0, 10)}, ${result.machine})`,
    "",
    `One \`set-xray-hash\` from process start to receipt; ${runs} runs each after one warm-up; medians.`,
    "",
    "| command | median ms | min | max |",
    "|---|---:|---:|---:|",
    ...result.timings.map((t) => `| ${t.label} | ${t.medianMs} | ${t.minMs} | ${t.maxMs} |`),
    "",
    `truffle exec / xray (both through xray node): **${result.ratios.truffleExecOverXrayViaNode}x**; truffle exec / xray on the embedded chain: **${result.ratios.truffleExecOverXrayEmbedded}x**`,
    "",
    "| contract function | gas used | note |",
    "|---|---:|---|",
    ...gas.map((g) => `| ${g.fn} | ${g.gas.toLocaleString("en-US")} | ${g.note} |`),
    "",
  ].join("\n");
  writeFileAtomic(path.join(ROOT, "bench", "results", "cli-bench.json"), JSON.stringify(result, null, 2) + "\n");
  writeFileAtomic(path.join(ROOT, "bench", "results", "cli-bench.md"), md);
  process.stdout.write(md);
  const { stopDaemon } = await import("../src/core/chain/daemon-client.js");
  await stopDaemon(home);
  fs.rmSync(home, { recursive: true, force: true });
  return finishBench("cli-bench", { ...args, json: args.json ?? path.join(ROOT, "bench", "results", `cli-bench.schema${args.quick ? ".quick" : ""}.json`) }, {
    measurements: [floor.m, help.m, embedded.m, viaNode.m, truffle.m],
    ratios: [
      ratio("help/node", help.m, floor.m),
      ratio("set-xray-hash.embedded/node", embedded.m, floor.m),
      ratio("set-xray-hash.xray-node/node", viaNode.m, floor.m),
      ratio("truffle-exec/xray.xray-node", truffle.m, viaNode.m, "higher"),
    ],
    extra: { gas },
  });
}

runMain(main);
