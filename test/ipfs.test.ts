import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { deterministicBytes } from "./helpers/bytes";
import { cxrData, tempHome, xray } from "./helpers/cli";

// Temporary folders go under the run folder that test/hooks.ts removes at the end.


const vectors: { seed: string; size: number; cidV0: string }[] = require("../../test/fixtures/ipfs-cid-vectors.json").vectors;

/** ipfs_cid (Debian's ipfs-cid), when installed: an independent implementation of Kubo's CIDs. */
function ipfsCid(file: string): { CIDv0: string } | undefined {
  try {
    return JSON.parse(execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return undefined;
  }
}

// The embedded IPFS block store through `xray ipfs`: Kubo-identical CIDs, checked reads, CAR files.
describe("xray ipfs add, get, export, import", function () {
  const home = tempHome("ipfs");
  const work = tempHome("ipfs");
  const big = vectors[vectors.length - 1];
  const bigFile = path.join(work, "big.bin");

  it("gives the CIDs ipfs_cid gives, from one byte to a two-level DAG (174 chunks and one more)", async () => {
    for (const v of vectors) {
      const file = path.join(work, `v${v.size}.bin`);
      fs.writeFileSync(file, deterministicBytes(v.seed, v.size));
      const r = await xray(home, ["ipfs", "add", file, "--json"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json.files, `${v.size} bytes`).to.have.length(1);
      expect(r.json.files[0], `${v.size} bytes`).to.include({ cid: v.cidV0, size: v.size });
    }
    fs.renameSync(path.join(work, `v${big.size}.bin`), bigFile);
  });

  it("gives ipfs_cid's CIDs for the real X-rays too (when ipfs_cid is installed)", async function () {
    const originals = path.join(cxrData(), "originals");
    const files = fs.readdirSync(originals).flatMap((d) => fs.readdirSync(path.join(originals, d)).map((f) => path.join(originals, d, f)));
    if (!ipfsCid(files[0])) this.skip(); // apt-get install ipfs-cid (.ci/run does)
    for (const f of files) {
      const r = await xray(home, ["ipfs", "add", f, "--json"]);
      expect(r.json.files[0].cid, f).to.equal(ipfsCid(f)!.CIDv0);
    }
  });

  it("gets back the same bytes, and --cid-version 1 (raw leaves, as Kubo) round-trips too", async () => {
    const out = path.join(work, "back.bin");
    const r = await xray(home, ["ipfs", "get", big.cidV0, "--out", out, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(bigFile))).to.equal(true);
    const v1 = await xray(home, ["ipfs", "add", bigFile, "--cid-version", "1", "--json"]);
    expect(v1.json.files[0].cid).to.match(/^bafy/);
    const back = await xray(home, ["ipfs", "get", v1.json.files[0].cid, "--out", out, "--force"]);
    expect(back.code, back.stderr).to.equal(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(bigFile))).to.equal(true);
  });

  it("exports a CAR that imports into another home and reads back identical", async () => {
    const car = path.join(work, "big.car");
    const e = await xray(home, ["ipfs", "export", big.cidV0, "--car", car, "--json"]);
    expect(e.code, e.stderr).to.equal(0);
    expect(e.json.blocks).to.equal(174 + 1 + 1 + 2); // 175 leaves, 2 inner nodes, 1 root
    const other = tempHome("ipfs-other");
    const i = await xray(other, ["ipfs", "import", car, "--json"]);
    expect(i.code, i.stderr).to.equal(0);
    expect(i.json.roots).to.deep.equal([big.cidV0]);
    const out = path.join(work, "from-car.bin");
    expect((await xray(other, ["ipfs", "get", big.cidV0, "--out", out])).code).to.equal(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(bigFile))).to.equal(true);
  });

  it("a changed byte in any stored block is reported, and no output file appears", async () => {
    const only = tempHome("ipfs-tamper"); // holds the big file's blocks and nothing else
    expect((await xray(only, ["ipfs", "add", bigFile])).code).to.equal(0);
    const blocks = path.join(only, "ipfs", "blocks");
    const files = fs.readdirSync(blocks).flatMap((d) => fs.readdirSync(path.join(blocks, d)).map((f) => path.join(blocks, d, f)));
    const victim = files.sort()[files.length >> 1]; // any block of the file; most are data leaves
    const bytes = fs.readFileSync(victim);
    bytes[1000] ^= 1;
    fs.writeFileSync(victim, bytes);
    const out = path.join(work, "tampered.bin");
    const r = await xray(only, ["ipfs", "get", big.cidV0, "--out", out, "--json"]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/block .* is damaged: its bytes do not hash to its CID/);
    expect(r.json.error.code).to.equal("IPFS_TAMPERED");
    expect(fs.existsSync(out)).to.equal(false);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".tmp"))).to.be.empty;
  });

  it("a damaged CAR file, a missing CID and a bad CID: one line each, non-zero", async () => {
    const car = path.join(work, "big.car");
    const bad = Buffer.from(fs.readFileSync(car));
    bad[bad.length - 500] ^= 1;
    fs.writeFileSync(path.join(work, "bad.car"), bad);
    const c = await xray(tempHome("ipfs-bad"), ["ipfs", "import", path.join(work, "bad.car")]);
    expect(c.code).to.equal(1);
    expect(c.stderr).to.match(/is damaged: its bytes do not hash to its CID/);
    const truncated = path.join(work, "short.car");
    fs.writeFileSync(truncated, fs.readFileSync(car).subarray(0, 100_000));
    const t = await xray(tempHome("ipfs-short"), ["ipfs", "import", truncated]);
    expect(t.code).to.equal(2);
    expect(t.stderr).to.match(/not a complete CAR file/);
    const missing = await xray(tempHome("ipfs-empty"), ["ipfs", "get", big.cidV0, "--out", path.join(work, "m.bin")]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/is not in the IPFS store/);
    const notCid = await xray(home, ["ipfs", "get", "QmNotACid", "--out", path.join(work, "n.bin")]);
    expect(notCid.code).to.equal(2);
    expect(notCid.stderr).to.match(/not a CID/);
  });
});
