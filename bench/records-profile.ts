/**
 * Where per-record anchoring's time goes on the embedded chain: `total` random hashes sent
 * with setXrayhashes in transactions of each batch size, on a fresh in-process Ganache each,
 * timing encoding, send (Ganache mines before it answers) and receipt, with the gas per record.
 * Run: node dist/bench/records-profile.js [total=1000] [sizes=50,100,200] (add --cpu-prof to node
 * for a CPU profile: Ganache runs in this process).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, timed } from "./lib";
import { connectChain } from "../src/core/chain/chain";
import { xrContext } from "../src/core/chain/xr";
import { encodeCall } from "../src/core/chain/abi";
import { artifact } from "../src/core/chain/artifacts";
import { submitTx, waitForReceipt } from "../src/core/chain/tx";
import { recordedHashes } from "../src/core/chain/actions/records";

const randomHash = () => crypto.randomBytes(32).toString("hex");
async function main() {
  const total = Number(process.argv[2] ?? 1000);
  const sizes = (process.argv[3] ?? "50,100,200").split(",").map(Number);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-prof-"));
  try {
    for (const k of sizes) {
      const h = path.join(work, `h${k}`);
      const e = { XRAY_HOME: h, XRAY_RPC: "", XRAY_CHAIN_IDLE: "0" };
      await timed(process.execPath, [BIN, "init", "-q"], e);
      await timed(process.execPath, [BIN, "set-permission", "doctor", "Dr.Lee", "doctor", "-q"], e);
      const chain = await connectChain({ home: h, idleSeconds: 0 });
      const ctx = xrContext(chain);
      const [, , doctor] = await chain.accounts();
      const abi = artifact("xr").abi;
      let gas = 0, sendMs = 0, rcptMs = 0, encMs = 0;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < total; i += k) {
        const a = performance.now();
        const hs = Array.from({ length: Math.min(k, total - i) }, () => "0x" + randomHash());
        const data = encodeCall(abi, "setXrayhashes", ["chest", hs]);
        const b = performance.now();
        const tx = await submitTx(chain, { from: doctor, to: ctx.deployment.xr, data, gas: 14_000_000n });
        const c = performance.now();
        const r = await waitForReceipt(chain, tx);
        const d = performance.now();
        gas += r.gasUsed; encMs += b - a; sendMs += c - b; rcptMs += d - c;
      }
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const t1 = performance.now();
      const m = await recordedHashes(ctx);
      const readMs = performance.now() - t1;
      console.log(`batch ${k}: ${total} records ${wall.toFixed(0)} ms = ${(wall / total).toFixed(2)} ms/record; enc ${encMs.toFixed(0)} send ${sendMs.toFixed(0)} receipt ${rcptMs.toFixed(0)}; gas/record ${(gas / total).toFixed(0)}; cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; recordedHashes ${m.size} in ${readMs.toFixed(0)} ms`);
      await chain.close();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
