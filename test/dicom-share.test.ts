import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { dicomDigests } from "../src/core/dicom/digests";
import { DeidRegister } from "../src/core/dicom/deid-register";
import { spawn } from "node:child_process";
import { connectChain } from "../src/core/chain/chain";
import { sharedImages } from "../src/core/chain/actions/access";
import { xrContext } from "../src/core/chain/xr";
import { BIN, ok, tempHome, xray } from "./helpers/cli";
import { clearValuesOnChain } from "./helpers/chain";
import { dcmtk, dumpAll } from "./helpers/dicom";

const PASS = "correct horse battery staple";
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)) : [];

// DICOM through the sharing flow (upload, download, stego, authenticate), on the embedded chain
// and IPFS store, with instances made from the real X-rays and dcmtk as the independent reader.
describe("DICOM sharing: upload --deidentify, upload/download as is, stego embed as a derived instance, authenticate", function () {
  this.timeout(180_000);
  const home = tempHome("dicomshare");
  const work = tempHome("dicomshare-work");
  const x = (args: string[]) => xray(home, args, { env: { XRAY_PASSPHRASE: PASS } });
  let instances: string[];

  before(async () => {
    ok(await x(["init", "-q"]));
    ok(await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    ok(await x(["keys", "generate", "--name", "Ken", "--account", "patient", "-q"]));
    ok(await x(["keys", "generate", "--name", "Dr.Lee", "--account", "doctor", "-q"]));
    ok(await x(["dataset", path.join(work, "set"), "--dicom", "--studies", "3", "--patients", "1", "--max-size", "64", "-q"]));
    instances = filesUnder(path.join(work, "set")).filter((f) => f.endsWith(".dcm")).sort();
  });

  it("upload --deidentify shares only the de-identified copy: nothing identifying in the plaintext (dcmdump), on chain or in IPFS; the mapping stays in the local register", async () => {
    const source = instances[0];
    const attrs = dumpAll(source);
    const [name, id, birth, sop, study] = ["0010,0010", "0010,0020", "0010,0030", "0008,0018", "0020,000d"].map((t) => attrs.get(t)!);
    expect(name).to.match(/\^/);
    const up = await x(["upload", source, "--to", "patient", "--deidentify", "--json"]);
    ok(up);
    expect(up.json.sha256).to.not.equal(sha256(source));
    expect(up.json.dicom.sourceSha256).to.equal(sha256(source));
    expect(up.json.dicom.sopInstanceUid).to.not.equal(sop);
    const out = path.join(work, "deid.dcm");
    const down = await x(["download", up.json.cid, "--out", out, "--from", "patient", "--json"]);
    ok(down);
    expect(down.json.verified).to.equal(true);
    expect(sha256(out)).to.equal(up.json.sha256);
    const got = dumpAll(out);
    for (const [tag, before] of [["0010,0010", name], ["0010,0020", id], ["0010,0030", birth], ["0008,0018", sop], ["0020,000d", study]]) {
      expect(got.get(tag), tag).to.not.equal(before);
    }
    expect(got.get("0012,0062")).to.equal("YES");
    const clear = [name, name.split("^")[0], id, birth, sop, study];
    const plain = fs.readFileSync(out);
    for (const v of clear) expect(plain.includes(Buffer.from(v)), `"${v}" in the shared plaintext`).to.equal(false);
    const blocks = filesUnder(path.join(home, "ipfs", "blocks")).map((f) => fs.readFileSync(f));
    expect(blocks.length).to.be.above(0);
    for (const v of clear) expect(blocks.some((b) => b.includes(Buffer.from(v))), `"${v}" in an IPFS block`).to.equal(false);
    const onChain = await clearValuesOnChain(home, clear);
    expect(onChain.found).to.deep.equal([]);
    expect(onChain.transactions).to.be.at.least(2);
    // The mapping: only in the home's register.
    const reg = await DeidRegister.open(home);
    try {
      const [row] = reg.find(sop);
      expect(row).to.include({ source_patient_id: id, source_sha256: sha256(source), deid_sop_uid: up.json.dicom.sopInstanceUid, cid: up.json.cid, status: "shared" });
    } finally {
      reg.close();
    }
  });

  it("upload of a DICOM instance as is: the chain's SHA-256 is the file's, the JSON adds its content and identity digests; download gives the same bytes", async () => {
    const source = instances[1];
    const up = await x(["upload", source, "--to", "patient", "--json"]);
    ok(up);
    const d = await dicomDigests(fs.readFileSync(source));
    expect(up.json.sha256).to.equal(sha256(source));
    expect(up.json.dicom).to.include({ contentSha256: d.contentSha256, identitySha256: d.identitySha256, sopInstanceUid: d.sopInstanceUid });
    const out = path.join(work, "asis.dcm");
    ok(await x(["download", up.json.cid, "--out", out, "--from", "patient"]));
    expect(fs.readFileSync(out).equals(fs.readFileSync(source))).to.equal(true);
  });

  it("stego embed of a DICOM instance writes a derived instance (new SOP UID, DERIVED, the source referenced), never changing the source; extract reads it", async () => {
    const source = instances[2];
    const before = sha256(source);
    const out = path.join(work, "derived.dcm");
    const r = await x(["stego", "embed", source, "--text", "Ken, 25, male, B", "--out", out, "--json"]);
    ok(r);
    expect(sha256(source)).to.equal(before);
    const [src, der] = [dumpAll(source), dumpAll(out)];
    expect(der.get("0008,0018")).to.not.equal(src.get("0008,0018"));
    expect(der.get("0008,0018")).to.equal(r.json.derived.sopInstanceUid);
    expect(der.get("0002,0003")).to.equal(r.json.derived.sopInstanceUid);
    expect(der.get("0008,0008")).to.equal("DERIVED\\SECONDARY");
    const seq = dcmtk("dcmdump", ["-q", "+P", "0008,2112", "+p", out]);
    expect(seq).to.include(`(0008,1155) UI [${src.get("0008,0018")}]`);
    expect(der.get("0010,0020")).to.equal(src.get("0010,0020"));
    const back = await x(["stego", "extract", out]);
    ok(back);
    expect(back.stdout.trim()).to.equal("Ken, 25, male, B");
    // The derived instance's pixels differ from the source's by at most one level: content digests differ.
    expect(r.json.derived.contentSha256).to.not.equal(r.json.source.contentSha256);
    expect(r.json.maxDiff).to.equal(1);
  });

  it("upload --embed of DICOM anchors the source's and the derived instance's digests; authenticate: derived authentic, re-encoded still authentic, identity changed caught", async () => {
    const source = instances[0];
    const up = await x(["upload", source, "--to", "patient", "--embed", "--json"]);
    ok(up);
    const d = await dicomDigests(fs.readFileSync(source));
    expect(up.json.anchored.hashes).to.include.members([sha256(source), d.contentSha256, d.identitySha256, up.json.dicom.contentSha256]);
    expect(up.json.anchored.records.every((n: number | null) => typeof n === "number")).to.equal(true);
    const derived = path.join(work, "embedded.dcm");
    ok(await x(["download", up.json.cid, "--out", derived, "--from", "patient"]));
    expect(dumpAll(derived).get("0008,0018")).to.equal(up.json.dicom.sopInstanceUid);
    const auth = await x(["authenticate", derived, "--from", "patient", "--json"]);
    ok(auth);
    expect(auth.json.hidden.ok).to.equal(true);
    // A PACS re-encodes it (implicit VR, new meta header): the file hash changes, the image does not.
    const implicit = path.join(work, "embedded-implicit.dcm");
    dcmtk("dcmconv", ["+ti", derived, implicit]);
    const again = await x(["authenticate", implicit, "--from", "patient", "--json"]);
    ok(again);
    expect(again.json.checksum.reason).to.match(/same image, file re-encoded/);
    // The same pixels moved to another patient: case 1 fails, naming why.
    const moved = path.join(work, "embedded-moved.dcm");
    fs.copyFileSync(derived, moved);
    dcmtk("dcmodify", ["-nb", "-m", "(0010,0020)=SOMEONE-ELSE", moved]);
    const caught = await x(["authenticate", moved, "--from", "patient", "--json"]);
    expect(caught.code).to.equal(1);
    expect(caught.json.checksum).to.include({ ok: false, code: "IDENTITY_CHANGED" });
    // The source itself: its file SHA-256 is on the ledger (case 1), it hides nothing (case 2).
    const src = await x(["authenticate", source, "--from", "patient", "--json"]);
    expect(src.code).to.equal(1);
    expect(src.json.checksum.ok).to.equal(true);
    expect(src.json.hidden.ok).to.equal(false);
  });

  it("many files in one command: each its own share, one already shared skipped, a bad file fails alone (exit 1); a rerun shares only what is left; download of many verifies each into a folder", async () => {
    const bad = path.join(work, "notes.txt");
    fs.writeFileSync(bad, "not an image\n");
    const first = await x(["upload", ...instances, bad, "--to", "patient", "--json"]);
    expect(first.code, first.stderr).to.equal(1);
    expect(first.json.failed.map((f: any) => f.file)).to.deep.equal([bad]);
    expect(first.json.skippedCount).to.equal(1); // instances[1] was shared as is above
    expect(first.json.count).to.equal(instances.length - 1);
    for (const s of first.json.shares) expect(s.sha256).to.equal(sha256(s.file));
    const rerun = await x(["upload", ...instances, "--to", "patient", "--json"]);
    ok(rerun);
    expect(rerun.json).to.include({ count: 0, skippedCount: instances.length });
    const cids: string[] = first.json.shares.map((s: any) => s.cid);
    const folder = path.join(work, "many");
    const down = await x(["download", ...cids, "--out", folder, "--from", "patient", "--json"]);
    ok(down);
    expect(down.json.count).to.equal(cids.length);
    for (const s of first.json.shares) expect(sha256(path.join(folder, s.cid))).to.equal(s.sha256);
    const again = await x(["download", ...cids, "--out", folder, "--from", "patient", "--json"]);
    ok(again);
    expect(again.json).to.include({ count: 0, skippedCount: cids.length });
  });

  it("many files, kill -9 during the upload, rerun: every file shared exactly once", async () => {
    const set = path.join(work, "set-kill");
    ok(await x(["dataset", set, "--dicom", "--seed", "7", "--studies", "5", "--patients", "2", "--max-size", "48", "-q"]));
    const files = filesUnder(set).filter((f) => f.endsWith(".dcm")).sort();
    const run = spawn(process.execPath, [BIN, "upload", ...files, "--to", "patient"], { env: { ...process.env, XRAY_HOME: home, XRAY_PASSPHRASE: PASS }, stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 2500));
    if (run.exitCode === null) {
      const gone = new Promise((r) => run.once("exit", r));
      run.kill("SIGKILL");
      await gone;
    }
    const rerun = await x(["upload", ...files, "--to", "patient", "--json"]);
    ok(rerun);
    expect(rerun.json.count + rerun.json.skippedCount).to.equal(files.length);
    const chain = await connectChain({ home });
    try {
      const shared = (await sharedImages(xrContext(chain))).map((i) => i.sha256);
      for (const f of files) expect(shared.filter((h) => h === sha256(f)), f).to.have.length(1);
    } finally {
      await chain.close();
    }
  });
});
