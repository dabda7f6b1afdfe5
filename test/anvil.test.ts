import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { waitForReceipt } from "../src/core/chain/tx";
import { startAnvil, type Anvil } from "./helpers/anvil";
import { cxrData, fails, ok, PAPER_HASH, tempHome, xray, type CliResult } from "./helpers/cli";

// `--rpc` against a real Ethereum node: Foundry's anvil (from npm, test/helpers/anvil.ts), not
// Ganache. The paper's session, per-record and batch anchoring, verify and the sharing
// protocol, first with the node's unlocked accounts, then with keys only xray holds.

const PASS = "correct horse battery staple";
const originals = () => path.join(cxrData(), "originals");
const IMAGES = 24; // the shared real X-rays under originals/
const sendsFrom = (r: CliResult) => String(r.json?.tx?.from).toLowerCase();

/** A fresh home and work folder on `anvil`, with `x(args, env)` running xray --rpc there. */
function session(label: string, anvil: () => Anvil) {
  const home = tempHome(`anvil-${label}`);
  const work = tempHome(`anvil-${label}`);
  const x = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
    xray(home, [...args, "--rpc", anvil().url], { env: { XRAY_PASSPHRASE: PASS, ...env }, input });
  return { home, work, x };
}

/** Anchors the shared originals per record and as a batch, then verifies by record, proof and audit. */
async function anchorAndVerify(x: ReturnType<typeof session>["x"], work: string, env: NodeJS.ProcessEnv = {}) {
  const manifest = path.join(work, "cxr.json");
  ok(await x(["hash", originals(), "--manifest", manifest, "-q"]));
  const first = await x(["anchor", manifest, "--json"], env);
  ok(first);
  expect(first.json).to.include({ sent: IMAGES, alreadyAnchored: 0 });
  const again = await x(["anchor", manifest, "--json"], env);
  ok(again);
  expect(again.json).to.include({ sent: 0, alreadyAnchored: IMAGES });
  const batch = await x(["anchor", manifest, "--batch", "--label", "cxr", "--json"], env);
  ok(batch);
  expect(batch.json.leaves).to.equal(IMAGES);
  const image = path.join(originals(), "covid", fs.readdirSync(path.join(originals(), "covid")).sort()[0]);
  const v = await x(["verify", image, "--manifest", manifest]);
  ok(v);
  expect(v.stdout).to.match(/^ANCHORED /).and.match(/record #\d+ by Dr\.Lee/).and.match(/proof checked by xr\.verifyAnchored/);
  const audit = await x(["verify", "--manifest", manifest, originals()]);
  ok(audit);
  expect(audit.stderr + audit.stdout).to.match(/audit passed: 24 matched, 0 changed, 0 missing/);
  const changed = path.join(work, "changed.jpeg");
  fs.writeFileSync(changed, Buffer.concat([fs.readFileSync(image), Buffer.from([0])]));
  expect((await x(["verify", changed])).code).to.equal(1);
}

describe("xray --rpc to anvil (a real Ethereum node), with its unlocked accounts", function () {
  let anvil: Anvil;
  const { work, x } = session("unlocked", () => anvil);
  before(async () => (anvil = await startAnvil()));
  after(() => anvil?.stop());

  it("runs the paper's session as the README has it", async () => {
    ok(await x(["init", "-q"]));
    expect((await x(["accounts"])).stdout).to.match(/0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 +gov/);
    ok(await x(["set-permission", "doctor", "Dr.Lee", "1"]));
    const rec = await x(["set-xray-hash", "chest", PAPER_HASH, "--from", "doctor"]);
    ok(rec);
    expect(rec.stdout).to.match(/recorded X-ray #0: chest 16c8a6/);
    expect(rec.stderr + rec.stdout).to.match(/gas used 123,158/);
    expect((await x(["set-birthday", "19970522"])).stdout + "").to.match(/birthday set to 19970522/);
    ok(await x(["set-contact", "0912-321-456"]));
    expect((await x(["profile"])).stdout).to.match(/contact: +0912-321-456/);
    expect((await x(["xray-count"])).stdout.trim()).to.equal("1");
    expect((await x(["get-xray", "0", "--json"])).json).to.include({ doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH });
    ok(await x(["remove-permission", "doctor"]));
    const refused = await x(["set-xray-hash", "chest", PAPER_HASH]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/the doctor permission of 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC \(doctor\) was removed/);
    ok(await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"])); // back, for what follows
  });

  it("anchors per record (again: nothing twice) and as a batch; verify by record, proof and audit", async () => {
    await anchorAndVerify(x, work);
  });

  it("runs the sharing protocol: upload, download, request, approve, trace, revoke, events", async () => {
    await sharing(x, work, { doctor: ["--from", "doctor"], patient: ["--from", "patient"], requester: ["--from", "4"], requesterAccount: "4" });
  });
  // xray console with unlocked accounts: in the interval-mining suite below.
});

/** Sends and reads through `xray console` (@truffle/contract, web3 4), which wait for receipts their own way. */
async function consoleSession(x: ReturnType<typeof session>["x"], env: NodeJS.ProcessEnv = {}) {
  const script = ["await xry.setContact('0912-000-111', {from: host})", "(await xry.profile())[6]", "(await web3.eth.getBlockNumber()) > 0n"];
  const r = await x(["console", "--json"], env, script.join("\n") + "\n");
  ok(r);
  expect(r.json.statements.map((s: any) => s.result).slice(1)).to.deep.equal(["0912-000-111", true]);
  expect((await x(["profile", "--json"])).json.contact).to.equal("0912-000-111");
}

/** The sharing protocol, with `who` saying how each party sends (an unlocked account or a key). */
async function sharing(
  x: ReturnType<typeof session>["x"],
  work: string,
  who: { doctor: string[]; patient: string[]; requester: string[]; requesterAccount: string; env?: Record<"doctor" | "patient" | "requester", NodeJS.ProcessEnv> },
) {
  const env = (party: "doctor" | "patient" | "requester") => who.env?.[party] ?? {};
  const image = path.join(originals(), "normal", fs.readdirSync(path.join(originals(), "normal")).sort()[0]);
  ok(await x(["keys", "generate", "--name", "Ken", "--account", "patient"]));
  ok(await x(["keys", "generate", "--name", "Dr.Lee", "--account", "doctor"]));
  ok(await x(["keys", "generate", "--name", "Dr.Kim", "--account", who.requesterAccount]));
  const up = await x(["upload", image, "--to", "patient", "--part", "chest", ...who.doctor, "--json"], env("doctor"));
  ok(up);
  const back = path.join(work, "back.jpeg");
  const got = await x(["download", up.json.cid, "--out", back, "--json"]);
  ok(got);
  expect(fs.readFileSync(back).equals(fs.readFileSync(image))).to.equal(true);
  expect(got.json).to.include({ verified: true, kind: "shared" });
  expect(got.json.signature.status).to.equal("valid");
  ok(await x(["request-access", "patient", ...who.requester, "--notes", "second opinion"], env("requester")));
  const approved = await x(["approve", who.requesterAccount, ...who.patient, "--image", "#0", "--json"], env("patient"));
  ok(approved);
  const copy = approved.json.copies[0];
  expect((await x(["trace", who.requesterAccount, "--no-record", "--json"])).json).to.include({ authorized: true, access: "approved" });
  const copyOut = path.join(work, "copy.jpeg");
  ok(await x(["download", copy.cid, "--out", copyOut]));
  expect(fs.readFileSync(copyOut).equals(fs.readFileSync(image))).to.equal(true);
  ok(await x(["revoke", who.requesterAccount, ...who.patient], env("patient")));
  const refused = path.join(work, "refused.jpeg");
  fails(await x(["download", copy.cid, "--out", refused, "--json"]), "ACCESS_DENIED", /whose access is revoked by the patient/);
  expect(fs.existsSync(refused)).to.equal(false);
  const trail = (await x(["events", "--account", who.requesterAccount, "--json"])).json.events;
  expect(trail.map((e: any) => e.kind)).to.deep.equal(["requested", "approved", "revoked"]);
  return { up, approved };
}

describe("xray --rpc to anvil with local signing: keys the node does not hold (--private-key, --keystore, XRAY_PRIVATE_KEY)", function () {
  let anvil: Anvil;
  let keys: string[];
  let addr: string[]; // gov, host, doctor, patient, requester: funded, unknown to the node
  const { work, x } = session("signed", () => anvil);
  const keyFile = (i: number) => {
    const file = path.join(work, `${i}.key`);
    fs.writeFileSync(file, keys[i] + "\n", { mode: 0o600 });
    return file;
  };
  const as = (i: number) => ({ XRAY_PRIVATE_KEY: keys[i] });
  before(async () => {
    anvil = await startAnvil();
    ({ keys, addresses: addr } = await anvil.fundedKeys(5));
  });
  after(() => anvil?.stop());

  it("the paper's session signed by each role's own key; an account without a key is refused in words", async () => {
    const init = await x(["init", "--private-key", keyFile(0), "--host", addr[1], "--doctor", addr[2], "--patient", addr[3], "--json"]);
    ok(init);
    expect(init.json.roles).to.include({ gov: addr[0], host: addr[1], doctor: addr[2], patient: addr[3] });
    const noKey = await x(["set-permission", "doctor", "Dr.Lee", "doctor", "--from", addr[0]]);
    expect(noKey.code).to.equal(1);
    expect(noKey.stderr).to.match(/holds no unlocked key for 0x[0-9a-fA-F]{40}: sign locally with --private-key <file> or --keystore <file>/);
    const grant = await x(["set-permission", "doctor", "Dr.Lee", "doctor", "--private-key", keyFile(0), "--json"]);
    ok(grant);
    expect(grant.json.tx.from).to.equal(addr[0].toLowerCase());
    const { encrypt } = require("web3-eth-accounts");
    const keystore = path.join(work, "doctor.json");
    fs.writeFileSync(keystore, JSON.stringify(await encrypt(keys[2], PASS, { n: 1024 })));
    const pw = path.join(work, "pw");
    fs.writeFileSync(pw, PASS + "\n");
    const rec = await x(["set-xray-hash", "chest", PAPER_HASH, "--keystore", keystore, "--password-file", pw, "--json"]);
    ok(rec);
    expect(rec.json.tx.from).to.equal(addr[2].toLowerCase());
    ok(await x(["set-birthday", "19970522"], as(1)));
    expect((await x(["get-xray", "0", "--json"])).json).to.include({ doctor: "Dr.Lee", sha256: PAPER_HASH, author: addr[2] });
    expect((await x(["profile", "--json"])).json.birthday).to.equal("19970522");
  });

  it("anchors per record and as a batch with the doctor's key; verify by record, proof and audit", async () => {
    await anchorAndVerify(x, work, as(2));
  });

  it("runs the sharing protocol with each party's key: doctor uploads, requester asks, patient approves and revokes", async () => {
    const env = { doctor: as(2), patient: as(3), requester: as(4) };
    const { up, approved } = await sharing(x, work, { doctor: [], patient: [], requester: [], requesterAccount: addr[4], env });
    expect(up.json.tx.from).to.equal(addr[2].toLowerCase());
    expect(approved.json.tx.from).to.equal(addr[3].toLowerCase());
  });

  it("xray console signs with the host's key (eth_sendTransaction from it becomes a raw transaction)", async () => {
    await consoleSession(x, as(1));
  });
});

// anvil with interval mining answers every eth_sendTransaction before its receipt exists (with
// automine it often does too: the first receipt query was null for 23-60% of transactions).
// Every path that sends must wait for the receipt, however long the node takes.
describe("xray --rpc to anvil mining every 0.5 s: receipts that do not exist yet when the send returns", function () {
  let anvil: Anvil;
  const { work, x } = session("interval", () => anvil);
  const HOST_DEV_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // anvil's account 1
  before(async () => (anvil = await startAnvil({ blockTime: 0.5 })));
  after(() => anvil?.stop());

  it("the premise: right after eth_sendTransaction the node has no receipt", async () => {
    const hash = await anvil.rpc("eth_sendTransaction", [{ from: anvil.accounts[9], to: anvil.accounts[8], value: "0x1" }]);
    expect(await anvil.rpc("eth_getTransactionReceipt", [hash])).to.equal(null);
  });

  it("deploy, grant, record (unlocked and locally signed), anchor and the console all wait for their receipts", async () => {
    ok(await x(["init", "-q"]));
    ok(await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    const rec = await x(["set-xray-hash", "chest", PAPER_HASH, "--from", "doctor", "--json"]);
    ok(rec);
    expect(rec.json.index).to.equal(0);
    const signed = await x(["set-birthday", "19970522", "--json"], { XRAY_PRIVATE_KEY: HOST_DEV_KEY });
    ok(signed);
    expect(signed.json.tx.block).to.be.greaterThan(rec.json.tx.block);
    const folder = path.join(work, "three");
    fs.mkdirSync(folder);
    for (const f of fs.readdirSync(path.join(originals(), "covid")).sort().slice(0, 3)) fs.copyFileSync(path.join(originals(), "covid", f), path.join(folder, f));
    const manifest = path.join(work, "three.json");
    ok(await x(["hash", folder, "--manifest", manifest, "-q"]));
    const anchored = await x(["anchor", manifest, "--json"]);
    ok(anchored);
    expect(anchored.json).to.include({ sent: 3 });
    expect((await x(["xray-count"])).stdout.trim()).to.equal("4");
    await consoleSession(x);
  });
});

// The chain layer itself, on an anvil that mines only when told: a transaction waits as long as
// it takes (no false alarm), and one the node dropped is said to be dropped, not waited on for
// the whole timeout.
describe("waiting for receipts (src/core/chain/tx.ts) on anvil without automining", function () {
  let anvil: Anvil;
  before(async () => (anvil = await startAnvil({ noMining: true })));
  after(() => anvil?.stop());

  it("a transaction mined 5 s after its send is waited for; a dropped one is reported as dropped", async () => {
    const chain = await connectChain({ home: tempHome("anvil-nomine"), rpc: anvil.url });
    try {
      const send = () => anvil.rpc("eth_sendTransaction", [{ from: anvil.accounts[0], to: anvil.accounts[1], value: "0x1" }]) as Promise<string>;
      const kept = await send();
      const dropped = await send();
      await anvil.rpc("anvil_dropTransaction", [dropped]);
      const waiting = waitForReceipt(chain, kept);
      const failed = waitForReceipt(chain, dropped).then(() => expect.fail("a dropped transaction has no receipt"), (err: any) => err);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await anvil.rpc("evm_mine");
      expect((await waiting).block).to.equal(1);
      const err = await failed;
      expect(err.code).to.equal("TX_DROPPED");
      expect(err.message).to.match(/is no longer known to http:\/\/127\.0\.0\.1:\d+ \(dropped from its pool or replaced\)/);
    } finally {
      await chain.close();
    }
  });
});
