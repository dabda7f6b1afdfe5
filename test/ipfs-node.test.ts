import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startAnvil, type Anvil } from "./helpers/anvil";
import { deterministicBytes } from "./helpers/bytes";
import { cxrData, fails, ok, tempHome, xray } from "./helpers/cli";
import { startIpfsNodeOrSkip, type IpfsNode } from "./helpers/ipfs-node";
import { startKuboStub, type KuboStub } from "./helpers/kubo-stub";

// `--ipfs` against a real IPFS node: js-ipfs 0.66.1 from test/ipfs-node/ (its own package; CI
// installs it, and fails here without it; locally these tests skip with the reason). The CIDs
// must be the embedded store's, ipfs_cid's and the node's own; what xray stores the node must
// serve with its own commands (cat, dag/export), and what the node exports xray must read.

const vectors: { seed: string; size: number; cidV0: string }[] = require("../../test/fixtures/ipfs-cid-vectors.json").vectors;
const PASS = "correct horse battery staple";
const MISSING = "QmdMXJCTec89xBdRYPxCro9TpavKU3dPaG14DDeuh652CP";

/** ipfs_cid (Debian's ipfs-cid), when installed: an independent implementation of Kubo's CIDs. */
function ipfsCid(file: string): string | undefined {
  try {
    return JSON.parse(execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })).CIDv0;
  } catch {
    return undefined;
  }
}

const xrays = () => {
  const originals = path.join(cxrData(), "originals");
  return fs.readdirSync(originals).sort().map((d) => path.join(originals, d, fs.readdirSync(path.join(originals, d)).sort()[0]));
};

describe("xray --ipfs to a real IPFS node (js-ipfs 0.66.1, offline, test/ipfs-node)", function () {
  let node: IpfsNode;
  let anvil: Anvil;
  const home = tempHome("jsipfs");
  const work = tempHome("jsipfs");
  const env = () => ({ XRAY_IPFS: node.url, XRAY_PASSPHRASE: PASS });
  const x = (args: string[], extra: NodeJS.ProcessEnv = {}) => xray(home, args, { env: { ...env(), ...extra } });
  const files: { file: string; cid: string }[] = [];
  before(async function () {
    node = await startIpfsNodeOrSkip(this);
  });
  after(async () => {
    await anvil?.stop();
    await node?.stop();
  });

  it("ipfs add: the CIDs of the embedded store, of ipfs_cid and of the node's own add, from 1 byte to a two-level DAG", async () => {
    const inputs = vectors.filter((v) => v.size !== 45613056).map((v) => {
      const file = path.join(work, `v${v.size}.bin`);
      fs.writeFileSync(file, deterministicBytes(v.seed, v.size));
      return { file, expected: v.cidV0 as string | undefined };
    });
    for (const file of xrays()) inputs.push({ file, expected: ipfsCid(file) });
    const paths = inputs.map((i) => i.file);
    const viaNode = await x(["ipfs", "add", ...paths, "--json"]);
    ok(viaNode);
    const embedded = await xray(tempHome("jsipfs-embedded"), ["ipfs", "add", ...paths, "--json"]);
    ok(embedded);
    for (const [n, { file, expected }] of inputs.entries()) {
      const cid = viaNode.json.files[n].cid;
      if (expected) expect(cid, file).to.equal(expected);
      expect(embedded.json.files[n].cid, file).to.equal(cid);
      // The node's own importer (only-hash: it stores nothing) gives the same CID.
      const own = JSON.parse((await node.call("add?only-hash=true&cid-version=0", { name: "f", bytes: fs.readFileSync(file) })).toString());
      expect(own.Hash, file).to.equal(cid);
      files.push({ file, cid });
    }
    // CIDv1 (raw leaves, as Kubo's --cid-version 1): the node's own importer agrees too.
    const big = inputs.find((i) => i.file.endsWith("v1000000.bin"))!.file;
    const v1 = await x(["ipfs", "add", big, "--cid-version", "1", "--json"]);
    ok(v1);
    const own = JSON.parse((await node.call("add?only-hash=true&cid-version=1&raw-leaves=true&cid-base=base32", { name: "f", bytes: fs.readFileSync(big) })).toString());
    expect(v1.json.files[0].cid).to.match(/^bafy/).and.equal(own.Hash);
    files.push({ file: big, cid: v1.json.files[0].cid });
  });

  it("the node serves what xray stored (its own cat; pinned), and ipfs get reads it back; nothing in the embedded store", async () => {
    for (const { file, cid } of files) {
      expect((await node.call(`cat?arg=${cid}&timeout=5s`)).equals(fs.readFileSync(file)), file).to.equal(true);
      const pins = JSON.parse((await node.call(`pin/ls?arg=${cid}&timeout=5s`)).toString());
      expect(Object.values(pins.Keys as Record<string, { Type: string }>).map((p) => p.Type), file).to.deep.equal(["recursive"]);
    }
    const { file, cid } = files.find((f) => f.file.endsWith("v262145.bin"))!;
    const out = path.join(work, "back.bin");
    ok(await x(["ipfs", "get", cid, "--out", out]));
    expect(fs.readFileSync(out).equals(fs.readFileSync(file))).to.equal(true);
    expect(fs.existsSync(path.join(home, "ipfs", "blocks"))).to.equal(false);
  });

  it("CAR files: export through --ipfs is byte for byte the node's own dag/export; import through --ipfs reaches the node", async () => {
    const { cid } = files.find((f) => f.file.endsWith("v45613057.bin"))!;
    const car = path.join(work, "from-xray.car");
    const e = await x(["ipfs", "export", cid, "--car", car, "--json"]);
    ok(e);
    expect(e.json.blocks).to.equal(174 + 1 + 1 + 2); // 175 leaves, 2 inner nodes, 1 root: read from the node
    const nodeCar = await node.call(`dag/export?arg=${cid}&timeout=20s`);
    expect(nodeCar.equals(fs.readFileSync(car)), "the same CAR bytes (same block order)").to.equal(true);
    // A CAR the embedded store wrote goes to the node through --ipfs, and the node reads it.
    const other = tempHome("jsipfs-car");
    const fresh = path.join(work, "fresh.bin");
    fs.writeFileSync(fresh, deterministicBytes("car-to-node", 700_000));
    const added = await xray(other, ["ipfs", "add", fresh, "--json"]);
    const freshCar = path.join(work, "fresh.car");
    ok(await xray(other, ["ipfs", "export", added.json.files[0].cid, "--car", freshCar]));
    const imported = await x(["ipfs", "import", freshCar, "--json"]);
    ok(imported);
    expect(imported.json.roots).to.deep.equal([added.json.files[0].cid]);
    expect((await node.call(`cat?arg=${added.json.files[0].cid}&timeout=5s`)).equals(fs.readFileSync(fresh))).to.equal(true);
  });

  it("upload, approve and download keep their ciphertext on the node (chain: anvil)", async () => {
    anvil = await startAnvil();
    const c = (args: string[]) => x([...args, "--rpc", anvil.url]);
    ok(await c(["init", "-q"]));
    ok(await c(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    for (const [name, account] of [["Ken", "patient"], ["Dr.Lee", "doctor"], ["Dr.Kim", "4"]]) ok(await c(["keys", "generate", "--name", name, "--account", account]));
    const image = xrays()[1];
    const up = await c(["upload", image, "--to", "patient", "--json"]);
    ok(up);
    expect(JSON.parse((await node.call(`pin/ls?arg=${up.json.cid}&timeout=5s`)).toString()).Keys).to.have.property(up.json.cid);
    const ciphertext = await node.call(`cat?arg=${up.json.cid}&timeout=5s`);
    expect(ciphertext.includes(fs.readFileSync(image).subarray(0, 4096))).to.equal(false);
    const out = path.join(work, "image.back");
    ok(await c(["download", up.json.cid, "--out", out]));
    expect(fs.readFileSync(out).equals(fs.readFileSync(image))).to.equal(true);
    ok(await c(["request-access", "patient", "--from", "4"]));
    const approved = await c(["approve", "4", "--from", "patient", "--image", "#0", "--json"]);
    ok(approved);
    const copy = path.join(work, "copy.back");
    ok(await c(["download", approved.json.copies[0].cid, "--out", copy]));
    expect(fs.readFileSync(copy).equals(fs.readFileSync(image))).to.equal(true);
    expect(fs.existsSync(path.join(home, "ipfs", "blocks"))).to.equal(false);
  });

  it("faults the node itself produces: a CID it does not have (its timeout), a damaged block in its repository", async () => {
    const out = path.join(work, "missing.bin");
    // js-ipfs looks for a CID it does not have until the call's timeout: a short one here.
    fails(await x(["ipfs", "get", MISSING, "--out", out, "--json"], { XRAY_IPFS_TIMEOUT_MS: "1500" }), "IPFS_NOT_FOUND", /is not on the IPFS node at http:\/\/127\.0\.0\.1:\d+ \(.*timed out\)/);
    expect(fs.existsSync(out)).to.equal(false);
    // One byte of a block changed on the node's disk (its blockstore: blocks/<shard>/<base32 multihash>.data):
    // the node serves it as it is; xray refuses it.
    const { cid } = files.find((f) => f.file.endsWith("v1000.bin"))!; // one block
    const { CID } = await import("multiformats/cid");
    const { base32 } = await import("multiformats/bases/base32");
    const name = base32.encode(CID.parse(cid).multihash.bytes).slice(1).toUpperCase() + ".data";
    const blocks = fs.readdirSync(path.join(node.repo, "blocks"), { recursive: true, withFileTypes: true });
    const found = blocks.find((d) => d.isFile() && d.name === name);
    expect(found, `${name} in the node's blockstore`).to.not.equal(undefined);
    const leaf = path.join(found!.parentPath, found!.name);
    const bytes = fs.readFileSync(leaf);
    bytes[500] ^= 1;
    fs.writeFileSync(leaf, bytes);
    const damaged = path.join(work, "damaged.bin");
    fails(await x(["ipfs", "get", cid, "--out", damaged, "--json"]), "IPFS_TAMPERED", /is damaged: its bytes do not hash to its CID/);
    expect(fs.existsSync(damaged)).to.equal(false);
    bytes[500] ^= 1;
    fs.writeFileSync(leaf, bytes);
  });
});

// STAND-IN, NOT A NODE (test/helpers/kubo-stub.ts), only for faults a real node will not
// produce on demand: a node that answers block/put with another CID than the block's (as
// js-ipfs did when xray sent `cid-codec`, which it ignores), a node that refuses a put (a full
// disk), and a node that is not there.
describe("xray --ipfs: faults no real node produces on demand (stand-in server, kubo-stub.ts)", function () {
  let stub: KuboStub;
  const home = tempHome("kubo-faults");
  const work = tempHome("kubo-faults");
  const file = path.join(work, "f.bin");
  before(async () => {
    stub = await startKuboStub();
    fs.writeFileSync(file, deterministicBytes("faults", 300_000));
  });
  after(() => stub.close());
  const x = (args: string[]) => xray(home, args, { env: { XRAY_IPFS: stub.url } });

  it("a node that stores a block under another codec, one that refuses a put, one that is not there: one line each", async () => {
    stub.faults.wrongCodec = true;
    fails(await x(["ipfs", "add", file, "--json"]), "IPFS_FAILED", /the IPFS node stored block \S+ as \S+: a different hash or codec/);
    stub.faults.wrongCodec = false;
    stub.faults.refusePut = true;
    fails(await x(["ipfs", "add", file, "--json"]), "IPFS_FAILED", /the IPFS node at http:\/\/127\.0\.0\.1:\d+ failed to store block .*: no space left on device/);
    stub.faults.refusePut = false;
    const r = await x(["ipfs", "add", file, "--json"]);
    ok(r);
    fails(await xray(home, ["ipfs", "get", r.json.files[0].cid, "--out", path.join(work, "o"), "--ipfs", "http://127.0.0.1:9", "--json"]), "IPFS_UNREACHABLE", /cannot reach the IPFS node at http:\/\/127.0.0.1:9/);
    fails(await xray(home, ["ipfs", "get", r.json.files[0].cid, "--out", path.join(work, "o"), "--ipfs", "localhost:5001"]), "BAD_INPUT", /--ipfs must be a Kubo RPC URL/);
  });
});
