import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { shareImage } from "../src/core/chain/actions/access";
import { xrContext } from "../src/core/chain/xr";
import { BIN, ROOT, cxrData, fails, ok, tempHome, xray } from "./helpers/cli";

// Temporary folders go under the run folder that test/hooks.ts removes at the end.


const PASS = "correct horse battery staple";
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Files under `dir` (recursive). */
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)) : [];

// The PCIM flow through the CLI, between a doctor, the patient and two requesters, on the
// embedded chain and IPFS store, with real X-rays and real OpenPGP.
describe("encrypted images and patient-centric sharing (xray keys, upload, download, request-access, approve, deny, trace, revoke, events)", function () {
  const home = tempHome("share");
  const work = tempHome("share");
  const env = { XRAY_PASSPHRASE: PASS };
  const x = (args: string[], extra: NodeJS.ProcessEnv = {}) => xray(home, args, { env: { ...env, ...extra } });
  const blocksDir = path.join(home, "ipfs", "blocks");
  let image: string;
  let upload: any;
  let requester: string;

  before(async function () {
    const originals = path.join(cxrData(), "originals");
    image = filesUnder(originals).sort()[0];
    ok(await x(["init", "-q"]));
    ok(await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
  });

  it("keys: generate (locked with the passphrase from env or file), list, export, import elsewhere", async () => {
    ok(await x(["keys", "generate", "--name", "Ken", "--account", "patient"]));
    const passFile = path.join(work, "pass");
    fs.writeFileSync(passFile, PASS + "\n");
    ok(await xray(home, ["keys", "generate", "--name", "Dr.Lee", "--email", "lee@example.org", "--account", "doctor", "--passphrase-file", passFile]));
    const kim = await x(["keys", "generate", "--name", "Dr.Kim", "--account", "4", "--json"]);
    ok(kim);
    requester = kim.json.account;
    const list = (await x(["keys", "list", "--json"])).json.keys;
    expect(list.map((k: any) => k.userIds[0])).to.have.members(["Ken", "Dr.Lee <lee@example.org>", "Dr.Kim"]);
    expect(list.every((k: any) => k.hasPrivate && /^0x/.test(k.account))).to.equal(true);
    // The private key on disk is locked: OpenPGP.js reads it as not decrypted.
    const openpgp = require("openpgp");
    const locked = await openpgp.readPrivateKey({ armoredKey: fs.readFileSync(kim.json.privateKeyFile, "utf8") });
    expect(locked.isDecrypted()).to.equal(false);
    await openpgp.decryptKey({ privateKey: locked, passphrase: PASS }); // and the passphrase opens it
    // Export the public key; import it into another home: same fingerprint, public only.
    const exported = await x(["keys", "export", "Dr.Kim", "--out", path.join(work, "kim.asc")]);
    ok(exported);
    const other = tempHome("share-other");
    const imported = await xray(other, ["keys", "import", path.join(work, "kim.asc"), "--json"]);
    ok(imported);
    expect(imported.json).to.include({ fingerprint: kim.json.fingerprint, hasPrivate: false });
    // The passphrase never appears in any output.
    for (const r of [kim, exported, imported]) expect(r.stdout + r.stderr).to.not.include(PASS);
  });

  it("keys: no passphrase without a terminal, an unknown --passphrase option, a duplicate account: one line, exit 2", async () => {
    fails(await xray(home, ["keys", "generate", "--name", "X"], { env: { XRAY_PASSPHRASE: "" } }), "BAD_INPUT", /needs a passphrase: XRAY_PASSPHRASE or --passphrase-file/);
    const r = await x(["keys", "generate", "--name", "X", "--passphrase", "secret"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/unknown option '--passphrase'/);
    fails(await x(["keys", "generate", "--name", "Ken2", "--account", "patient"]), "BAD_INPUT", /already has key .*: one key per account/);
  });

  it("upload encrypts for the patient, signs, adds to IPFS and records CID + SHA-256 on chain", async () => {
    const before = new Set(filesUnder(blocksDir));
    const r = await x(["upload", image, "--to", "patient", "--part", "chest", "--description", "PA view", "--json"]);
    ok(r);
    upload = r.json;
    expect(upload.sha256).to.equal(sha256(image));
    expect(upload.description).to.equal("X-ray, chest: PA view");
    expect(upload.cid).to.match(/^Qm/);
    // What IPFS holds is ciphertext: no block contains the image's first 4 kB.
    const added = filesUnder(blocksDir).filter((f) => !before.has(f));
    expect(added.length).to.be.greaterThan(0);
    const head = fs.readFileSync(image).subarray(0, 4096);
    for (const f of added) expect(fs.readFileSync(f).includes(head)).to.equal(false);
    const shared = (await x(["events", "--kind", "shared", "--json"])).json.events;
    expect(shared).to.have.length(1);
    expect(shared[0].args).to.include({ cid: upload.cid, sha256: upload.sha256, description: "X-ray, chest: PA view", receiver: (await x(["accounts", "--json"])).json.accounts[3].address });
  });

  it("download decrypts, checks the SHA-256 on chain and the doctor's signature, and writes the same bytes", async () => {
    const out = path.join(work, "back.jpeg");
    const r = await x(["download", upload.cid, "--out", out, "--json"]);
    ok(r);
    expect(fs.readFileSync(out).equals(fs.readFileSync(image))).to.equal(true);
    expect(r.json).to.include({ verified: true, sha256: upload.sha256, kind: "shared" });
    expect(r.json.signature).to.include({ status: "valid", account: (await x(["accounts", "--json"])).json.accounts[2].address });
    const byNumber = await x(["download", "#0", "--out", path.join(work, "back2.jpeg")]);
    ok(byNumber);
    expect(byNumber.stdout).to.match(/matches the chain; signature valid/);
  });

  it("refuses, writing nothing: a wrong passphrase, a CID not on chain, a key not in the keyring", async () => {
    const out = path.join(work, "never.jpeg");
    fails(await x(["download", upload.cid, "--out", out, "--json"], { XRAY_PASSPHRASE: "wrong" }), "PGP_WRONG_PASSPHRASE", /wrong passphrase for key/);
    fails(await x(["download", "QmdMXJCTec89xBdRYPxCro9TpavKU3dPaG14DDeuh652CA", "--out", out, "--json"]), "BAD_INPUT", /not recorded on chain/);
    fails(await x(["download", "#7", "--out", out]), "BAD_INPUT", /no shared image #7: 1 shared/);
    // An image for a key whose private half lives elsewhere.
    const elsewhere = tempHome("share-elsewhere");
    ok(await xray(elsewhere, ["keys", "generate", "--name", "Outsider"], { env }));
    ok(await xray(elsewhere, ["keys", "export", "Outsider", "--out", path.join(work, "outsider.asc")]));
    // --again: the same image is already shared with the patient (the receiver of a key without an account)
    const up = await x(["upload", image, "--to", path.join(work, "outsider.asc"), "--again", "--json"]);
    ok(up);
    fails(await x(["download", up.json.cid, "--out", out, "--json"]), "PGP_NO_KEY", /encrypted for key .* which has no private key/);
    expect(fs.existsSync(out)).to.equal(false);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("detects a changed byte in a stored block, a missing block, and a truncated ciphertext", async () => {
    const out = path.join(work, "never.jpeg");
    // A fresh upload, so its blocks are known; then one byte of the biggest is flipped.
    const before = new Set(filesUnder(blocksDir));
    const up = await x(["upload", image, "--to", "patient", "--again", "--json"]);
    ok(up);
    const added = filesUnder(blocksDir).filter((f) => !before.has(f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    const original = fs.readFileSync(added[0]);
    const changed = Buffer.from(original);
    changed[changed.length >> 1] ^= 0x01;
    fs.writeFileSync(added[0], changed);
    fails(await x(["download", up.json.cid, "--out", out, "--json"]), "IPFS_TAMPERED", /is damaged: its bytes do not hash to its CID/);
    fs.rmSync(added[0]);
    fails(await x(["download", up.json.cid, "--out", out, "--json"]), "IPFS_NOT_FOUND", /not in the IPFS store/);
    fs.writeFileSync(added[0], original);
    ok(await x(["download", up.json.cid, "--out", out]));
    fs.rmSync(out);
    // A truncated ciphertext recorded on chain by a doctor (its CID is honest; its content is cut).
    const cipher = path.join(work, "cipher.pgp");
    ok(await x(["ipfs", "get", up.json.cid, "--out", cipher]));
    const half = path.join(work, "half.pgp");
    fs.writeFileSync(half, fs.readFileSync(cipher).subarray(0, fs.statSync(cipher).size >> 1));
    const cut = (await x(["ipfs", "add", half, "--json"])).json.files[0].cid;
    const chain = await connectChain({ home });
    try {
      const ctx = xrContext(chain);
      await shareImage(ctx, { receiver: ctx.deployment.roles.patient, cid: cut, sha256: up.json.sha256, description: "truncated", from: ctx.deployment.roles.doctor });
    } finally {
      await chain.close();
    }
    fails(await x(["download", cut, "--out", out, "--json"]), "PGP_DAMAGED", /damaged or truncated/);
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("request, approve (not by the requester), trace, download the copy, revoke: each step an event, a revoked copy refused", async () => {
    const r = await x(["request-access", "patient", "--from", "4", "--notes", "second opinion", "--json"]);
    ok(r);
    fails(await x(["request-access", "patient", "--from", "4"]), "REVERTED", /not allowed while the access of .* is requested/);
    fails(await x(["approve", "4", "--from", "4", "--json"]), "ACCESS_DENIED", /is not the patient .*: only the patient may approve access/);
    const pending = await x(["trace", "4", "--no-record", "--json"]);
    expect(pending.code).to.equal(1);
    expect(pending.json).to.include({ authorized: false, access: "requested" });
    const approved = await x(["approve", "4", "--from", "patient", "--image", "#0", "--json"]);
    ok(approved);
    expect(approved.json.copies).to.have.length(1);
    const copy = approved.json.copies[0];
    expect(copy).to.include({ source: upload.cid, sha256: upload.sha256 });
    expect(copy.cid).to.not.equal(upload.cid);
    const traced = await x(["trace", "4", "--json"]);
    ok(traced);
    expect(traced.json).to.include({ authorized: true, access: "approved" });
    const out = path.join(work, "copy.jpeg");
    const got = await x(["download", copy.cid, "--out", out, "--json"]);
    ok(got);
    expect(fs.readFileSync(out).equals(fs.readFileSync(image))).to.equal(true);
    expect(got.json).to.include({ kind: "approved", recipient: requester });
    expect(got.json.signature.status).to.equal("valid");
    fails(await x(["revoke", "4", "--from", "4", "--json"]), "REVERTED", /is not a patient: only the patient may revoke access/);
    ok(await x(["revoke", "4"]));
    const after = await x(["trace", "4"]);
    expect(after.code).to.equal(1);
    expect(after.stdout).to.match(/^NOT AUTHORIZED .* \(access: revoked\)/);
    const refused = path.join(work, "refused.jpeg");
    fails(await x(["download", copy.cid, "--out", refused, "--json"]), "ACCESS_DENIED", /whose access is revoked by the patient/);
    expect(fs.existsSync(refused)).to.equal(false);
    // A second requester is denied with a reason; both trails as the chain holds them.
    ok(await x(["request-access", "patient", "--from", "5", "--key", "4", "--notes", "research"]));
    fails(await x(["deny", "5", "--reason", "  "]), "BAD_INPUT", /--reason must not be empty/);
    ok(await x(["deny", "5", "--reason", "not for research"]));
    const trail = (await x(["events", "--account", "4", "--json"])).json.events;
    expect(trail.map((e: any) => e.kind)).to.deep.equal(["requested", "approved", "traced", "revoked", "traced"]);
    expect(trail.filter((e: any) => e.kind === "traced").map((e: any) => e.args.authorized)).to.deep.equal([true, false]);
    expect(trail[0].args).to.include({ requester, notes: "second opinion" });
    expect(trail[1].args).to.include({ requester, cid: copy.cid, sha256: upload.sha256 });
    const denied = (await x(["events", "--account", "5", "--kind", "requested,denied", "--json"])).json.events;
    expect(denied.map((e: any) => [e.kind, e.args.notes ?? e.args.reason])).to.deep.equal([["requested", "research"], ["denied", "not for research"]]);
    const text = (await x(["events", "--account", "4"])).stdout;
    expect(text).to.match(/traced .* authorization success/).and.match(/traced .* authorization failed/).and.match(/removed \(access revoked\)/);
  });
});

// --ipfs <url>: upload, approve and download through a real IPFS node are in
// test/ipfs-node.test.ts (js-ipfs), with the stand-in kept there for the faults only it makes.

// The passphrase prompt on a terminal: driven through a pseudo-terminal (python3's pty).
describe("passphrase prompts on a terminal (pseudo-terminal)", function () {
  const home = tempHome("pty");
  const drive = (steps: [string, string][], args: string[]) =>
    new Promise<{ code: number; screen: string }>((resolve, reject) => {
      const { execFile } = require("node:child_process") as typeof import("node:child_process");
      const script = path.join(ROOT, "test", "helpers", "pty-drive.py");
      execFile("python3", [script, JSON.stringify(steps), process.execPath, BIN, ...args], { env: { ...process.env, XRAY_HOME: home, XRAY_RPC: "", XRAY_PASSPHRASE: "" } }, (err, stdout) => {
        if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
        resolve({ code: err ? Number((err as { code: number }).code) : 0, screen: stdout });
      });
    });

  it("keys generate asks twice, shows neither the passphrase nor its length, and the key opens with what was typed", async () => {
    const r = await drive([["Passphrase for the new", "typed secret"], ["Repeat", "typed secret"]], ["keys", "generate", "--name", "Tty"]);
    expect(r.code, r.screen).to.equal(0);
    expect(r.screen).to.not.include("typed secret").and.not.include("**");
    const [entry] = (await xray(home, ["keys", "list", "--json"])).json.keys;
    const openpgp = require("openpgp");
    const key = await openpgp.readPrivateKey({ armoredKey: fs.readFileSync(path.join(home, "keys", `${entry.fingerprint}.sec.asc`), "utf8") });
    await openpgp.decryptKey({ privateKey: key, passphrase: "typed secret" });
  });

  it("two different answers make no key (exit 2)", async () => {
    const r = await drive([["Passphrase for the new", "one"], ["Repeat", "two"]], ["keys", "generate", "--name", "Tty2"]);
    expect(r.code, r.screen).to.equal(2);
    expect(r.screen).to.match(/the passphrases differ: no key was made/);
    expect((await xray(home, ["keys", "list", "--json"])).json.keys).to.have.length(1);
  });
});
