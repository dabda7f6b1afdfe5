import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { recordedHashes } from "../src/core/chain/actions/records";
import { eventTopic } from "../src/core/chain/abi";
import { artifact } from "../src/core/chain/artifacts";
import { xrContext } from "../src/core/chain/xr";
import { BIN, cxrData, freePort, startProcess, stopProcess, tempHome, xray } from "./helpers/cli";

/** A manifest of `n` random hashes: anchoring does not read the images, only their hashes. */
function syntheticManifest(file: string, n: number): string[] {
  const files = Array.from({ length: n }, (_, i) => ({ path: `img${i}.jpeg`, size: 1, sha256: randomBytes(32).toString("hex"), label: "x", mime: "image/jpeg" }));
  fs.writeFileSync(file, JSON.stringify({ format: "xray-manifest/1", algorithm: "sha256", created: "", roots: ["."], count: n, bytes: n, files, failed: [] }));
  return files.map((f) => f.sha256);
}

/** How many times each hash is recorded on the home's chain (read from the hash-indexed events). */
async function recordCounts(home: string): Promise<Map<string, number>> {
  const chain = await connectChain({ home });
  try {
    const all = await recordedHashes(xrContext(chain));
    return new Map([...all].map(([h, idx]) => [h, idx.length]));
  } finally {
    await chain.close();
  }
}

async function initHome(label: string): Promise<string> {
  const home = tempHome(label);
  expect((await xray(home, ["init", "-q"])).code).to.equal(0);
  expect((await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"])).code).to.equal(0);
  return home;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kill -9, then wait for the exit (which may have come already: a short run can finish first). */
async function killNow(child: ChildProcess): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  if (!exited) {
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  }
}

describe("xray anchor and verify on chain", function () {
  const CXR = cxrData();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-anchor-"));
  const data = path.join(work, "data");
  const manifest = path.join(work, "data.json");

  before(async () => {
    fs.cpSync(path.join(CXR, "originals"), data, { recursive: true });
    // the same image twice: one record covers both
    fs.copyFileSync(path.join(data, "normal", fs.readdirSync(path.join(data, "normal"))[0]), path.join(data, "normal", "duplicate.png"));
    const r = await xray(tempHome("h"), ["hash", data, "--manifest", manifest, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.count).to.equal(25);
  });

  it("records one hash per distinct image, skips them all on a rerun, and verify finds each record", async () => {
    const home = await initHome("records");
    const first = await xray(home, ["anchor", manifest, "--json"]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.json).to.include({ mode: "records", images: 24, sent: 24, alreadyAnchored: 0 });
    // setXrayhashes: all 24 records in one transaction, one run: ~15,000 gas each (one setXrayhash: 106,058)
    expect(first.json.gasPerRecord).to.be.within(9_000, 25_000);
    expect(first.json.transactions).to.equal(1);
    const again = await xray(home, ["anchor", manifest, "--json"]);
    expect(again.json).to.include({ sent: 0, alreadyAnchored: 24 });
    expect((await xray(home, ["xray-count", "--json"])).json.count).to.equal(24);

    const state = JSON.parse(fs.readFileSync(manifest + ".anchor.json", "utf8"));
    const indexes: number[] = state.records.map((r: { index: number }) => r.index);
    expect(new Set(indexes).size).to.equal(24); // the duplicate shares its twin's index
    expect([...new Set(indexes)].sort((a, b) => a - b)).to.deep.equal([...Array(24).keys()]);

    const img = path.join(data, "covid", fs.readdirSync(path.join(data, "covid"))[0]);
    const ok = await xray(home, ["verify", img, "--json"]);
    expect(ok.code, ok.stderr).to.equal(0);
    const rec = ok.json.files[0].records[0];
    expect(rec).to.include({ doctor: "Dr.Lee", part: "chest" });
    expect(state.records.find((r: { sha256: string }) => r.sha256 === ok.json.files[0].sha256).index).to.equal(rec.index);

    const changed = path.join(work, "changed.jpeg");
    fs.writeFileSync(changed, Buffer.concat([fs.readFileSync(img), Buffer.from([0])]));
    const bad = await xray(home, ["verify", img, changed]);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/^ANCHORED .*\n(.*\n)*NOT ANCHORED +.*changed.jpeg/m);
    expect(bad.stderr).to.match(/1 of 2 files are not anchored/);
  });

  it("--batch anchors the set as one Merkle root; verify proves an image with its proof, on chain", async () => {
    const home = await initHome("batch");
    const r = await xray(home, ["anchor", manifest, "--batch", "--label", "originals", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json).to.include({ mode: "batch", leaves: 24, images: 25, already: false });
    expect(r.json.tx.gasUsed).to.be.below(80_000);
    expect((await xray(home, ["xray-count", "--json"])).json.count).to.equal(0);
    const proofs = JSON.parse(fs.readFileSync(manifest + ".proofs.json", "utf8"));
    expect(proofs.root).to.equal(r.json.root);
    expect(Object.keys(proofs.proofs)).to.have.length(24);

    const img = path.join(data, "pneumonia", fs.readdirSync(path.join(data, "pneumonia"))[2]);
    const v = await xray(home, ["verify", img, "--manifest", manifest, "--json"]);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.json.files[0].batch).to.include({ root: r.json.root, count: 24, proofValid: true, confirmedByContract: true, anchored: true });

    // A proof that does not lead to the root is refused here and by the contract.
    const sha = v.json.files[0].sha256;
    proofs.proofs[sha][0] = "0x" + "11".repeat(32);
    const forged = path.join(work, "forged.proofs.json");
    fs.writeFileSync(forged, JSON.stringify(proofs));
    const f = await xray(home, ["verify", img, "--proofs", forged, "--json"]);
    expect(f.code).to.equal(1);
    expect(f.json.files[0].batch).to.include({ proofValid: false, confirmedByContract: false, anchored: false });

    // A rerun sends nothing; the chain holds one BatchAnchored event for the root.
    const again = await xray(home, ["anchor", manifest, "--batch", "--json"]);
    expect(again.json).to.include({ already: true, root: r.json.root });
    const chain = await connectChain({ home });
    try {
      const logs = await chain.provider.request<unknown[]>("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest", topics: [eventTopic(artifact("xr").abi, "BatchAnchored"), r.json.root] }]);
      expect(logs).to.have.length(1);
    } finally {
      await chain.close();
    }
  });

  it("refuses an account that is not a doctor, in one line, before sending anything", async () => {
    const home = await initHome("role");
    const r = await xray(home, ["anchor", manifest, "--from", "host"]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/is not a doctor: only the doctor may record X-ray hashes/);
    expect((await xray(home, ["xray-count", "--json"])).json.count).to.equal(0);
  });

  // --per-tx 5: 80 transactions, so that the kill lands mid-run (400 records fit in one by default)
  it("kill -9 mid-run through xray node, run again: every hash recorded exactly once", async () => {
    const home = await initHome("kill-node");
    const m = path.join(work, "kill-node.json");
    const hashes = syntheticManifest(m, 400);
    const port = await freePort();
    const node = await startProcess(process.execPath, [BIN, "node", "--port", String(port)], { env: { XRAY_HOME: home }, ready: /Ctrl-C/ });
    try {
      const run = spawn(process.execPath, [BIN, "anchor", m, "--window", "16", "--per-tx", "5"], { env: { ...process.env, XRAY_HOME: home, XRAY_RPC: "" }, stdio: "ignore" });
      let count = 0;
      while (count < 100) {
        await sleep(100);
        count = (await xray(home, ["xray-count", "--json"])).json?.count ?? 0;
      }
      await killNow(run);
      const partial = (await xray(home, ["xray-count", "--json"])).json.count;
      expect(partial).to.be.within(100, 399);
      const rerun = await xray(home, ["anchor", m, "--json"]);
      expect(rerun.code, rerun.stderr).to.equal(0);
      expect(rerun.json.alreadyAnchored).to.be.at.least(partial);
      const counts = await recordCounts(home);
      expect(counts.size).to.equal(400);
      for (const h of hashes) expect(counts.get(h), h).to.equal(1);
    } finally {
      await stopProcess(node.child);
    }
  });

  // Through the background chain process (its send still being mined when the rerun reads the
  // chain once recorded a hash twice in 1 run of 5), and with the chain in the command itself.
  for (const [delay, idle] of [[1200, "3"], [2500, "3"], [2500, "0"]] as const) {
    const how = idle === "0" ? "an in-process run" : "a run through the background chain";
    it(`kill -9 of ${how} after ${delay} ms, run again: every hash recorded exactly once`, async () => {
      const home = await initHome("kill-embedded");
      const m = path.join(work, `kill-embedded-${delay}-${idle}.json`);
      const hashes = syntheticManifest(m, 400);
      const env = { ...process.env, XRAY_HOME: home, XRAY_RPC: "", XRAY_CHAIN_IDLE: idle };
      const run = spawn(process.execPath, [BIN, "anchor", m, "--per-tx", "5"], { env, stdio: "ignore" });
      await sleep(delay);
      await killNow(run);
      const rerun = await xray(home, ["anchor", m, "--json"]);
      expect(rerun.code, rerun.stderr).to.equal(0);
      expect(rerun.json.alreadyAnchored + rerun.json.sent).to.equal(400);
      const counts = await recordCounts(home);
      expect(counts.size).to.equal(400);
      for (const h of hashes) expect(counts.get(h)).to.equal(1);
    });
  }

  it("kill -9 of a batch run, run again: the root is anchored once and the proofs are written", async () => {
    const home = await initHome("kill-batch");
    const m = path.join(work, "kill-batch.json");
    syntheticManifest(m, 2000);
    const run = spawn(process.execPath, [BIN, "anchor", m, "--batch"], { env: { ...process.env, XRAY_HOME: home, XRAY_RPC: "" }, stdio: "ignore" });
    await sleep(900);
    await killNow(run);
    const rerun = await xray(home, ["anchor", m, "--batch", "--json"]);
    expect(rerun.code, rerun.stderr).to.equal(0);
    const proofs = JSON.parse(fs.readFileSync(m + ".proofs.json", "utf8"));
    expect(proofs.root).to.equal(rerun.json.root);
    expect(Object.keys(proofs.proofs)).to.have.length(2000);
    const again = await xray(home, ["anchor", m, "--batch", "--json"]);
    expect(again.json.already).to.equal(true);
  });
});
