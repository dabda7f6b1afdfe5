/**
 * The duplicate check of set-xray-hash on the embedded chain reads the home's cache of
 * XrayhashSet events (hash-index.ts) plus the blocks mined since. The cache is never the
 * truth: an old one, a damaged one, one from another chain or contract are caught up or rebuilt,
 * and a duplicate is refused all the same.
 */
import { expect } from "chai";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { daemonSocketPath } from "../src/core/chain/daemon";
import { socketProvider } from "../src/core/chain/socket-rpc";
import { hashIndexFile } from "../src/core/chain/actions/hash-index";
import { ok, tempHome, xray } from "./helpers/cli";

describe("set-xray-hash's duplicate check through the home's event cache", function () {
  this.timeout(120_000);
  const home = tempHome("hash-index");
  let cache = "";
  const run = (args: string[]) => xray(home, args);
  const hash = () => crypto.randomBytes(32).toString("hex");
  const refused = async (sha: string, index: number) => {
    const r = await run(["set-xray-hash", "chest", sha, "--json"]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.json.error.code).to.equal("DUPLICATE");
    expect(r.stderr).to.contain(`${sha} is already recorded as X-ray #${index}`);
  };
  const readCache = () => JSON.parse(fs.readFileSync(cache, "utf8")) as { block: number; xr: string; hashes: Record<string, number[]> };

  before(async () => {
    ok(await run(["init", "-q"]));
    ok(await run(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    cache = hashIndexFile(home, JSON.parse(fs.readFileSync(path.join(home, "deployments.json"), "utf8")).embedded.xr);
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it("is written when built, and follows the chain: records made after its block are found", async () => {
    const [a, b] = [hash(), hash()];
    ok(await run(["set-xray-hash", "chest", a, "-q"])); // its check builds the cache, before a is recorded
    const old = fs.readFileSync(cache, "utf8");
    expect(readCache().hashes[a]).to.equal(undefined);
    ok(await run(["set-xray-hash", "chest", b, "-q"]));
    fs.writeFileSync(cache, old); // as if a and b had been recorded by another program (truffle through xray node)
    await refused(b, 1);
    await refused(a, 0);
    // a cache far behind the chain is brought up to date (a few blocks behind, it is only read)
    const chain = socketProvider("http://localhost/", daemonSocketPath(home), { timeoutMs: 10_000, description: "the background chain process" });
    try {
      for (let i = 0; i < 32; i++) await chain.request("evm_mine");
    } finally {
      await chain.close();
    }
    await refused(b, 1);
    expect(readCache().hashes[b]).to.deep.equal([1]);
  });

  it("a damaged cache, one whose block is not on this chain, or one of another contract is rebuilt", async () => {
    const a = hash();
    ok(await run(["set-xray-hash", "chest", a, "-q"]));
    const count = (await run(["xray-count", "--json"])).json.count as number;
    fs.writeFileSync(cache, "{ not json");
    await refused(a, count - 1);
    // a chain restored from an older backup, or another chain: the cached block's hash differs
    const doctored = { ...readCache(), blockHash: "0x" + "00".repeat(32), hashes: {} };
    fs.writeFileSync(cache, JSON.stringify(doctored));
    await refused(a, count - 1);
    fs.writeFileSync(cache, JSON.stringify({ ...readCache(), xr: "0x" + "11".repeat(20), hashes: {} }));
    await refused(a, count - 1);
    expect(Object.keys(readCache().hashes)).to.have.length(count);
  });

  it("a home where the cache cannot be written still checks (a folder in its place)", async () => {
    const a = hash();
    ok(await run(["set-xray-hash", "chest", a, "-q"]));
    fs.rmSync(cache);
    fs.mkdirSync(cache); // a folder where the file goes: the rename fails, the check does not
    try {
      await refused(a, ((await run(["xray-count", "--json"])).json.count as number) - 1);
    } finally {
      fs.rmSync(cache, { recursive: true });
    }
  });
});
