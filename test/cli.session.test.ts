import { expect } from "chai";
import { PAPER_HASH, tempHome, xray } from "./helpers/cli";

// The paper's truffle console session (Lin et al.), step by step through the xray binary.
describe("xray CLI: the reference session on a fresh embedded chain", function () {
  const home = tempHome("session");
  let roles: Record<string, string>;

  it("init deploys strlib + xr and records the addresses", async () => {
    const r = await xray(home, ["init", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.xr).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(r.json.strlib).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(r.json.xr).to.not.equal(r.json.strlib);
    roles = r.json.roles;
    expect(Object.keys(roles)).to.have.members(["gov", "host", "doctor", "patient"]);
    const again = await xray(home, ["init"]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/already initialised/);
  });

  it("accounts lists the deterministic accounts with their roles", async () => {
    const r = await xray(home, ["accounts", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.accounts).to.have.length(10);
    expect(r.json.accounts[0].address).to.equal("0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1");
    expect(r.json.accounts.slice(0, 4).map((a: any) => a.role)).to.deep.equal(["gov", "host", "doctor", "patient"]);
    expect(r.json.accounts[1].permission).to.deep.equal({ name: "Host", userType: "host", enabled: true });
  });

  it("setPermission(doctor, 'Dr.Lee', 1, true)", async () => {
    const r = await xray(home, ["set-permission", "doctor", "Dr.Lee", "1", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json).to.include({ account: roles.doctor, name: "Dr.Lee", userType: "doctor", enabled: true });
    expect(r.json.tx.hash).to.match(/^0x[0-9a-f]{64}$/);
    expect(r.json.tx.gasUsed).to.be.above(21000);
    expect(r.json.tx.from).to.equal(roles.gov.toLowerCase());
  });

  it("setXrayhash('chest', <hash>, { from: doctor })", async () => {
    const r = await xray(home, ["set-xray-hash", "chest", PAPER_HASH, "--from", "doctor", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json).to.include({ index: 0, part: "chest", sha256: PAPER_HASH });
    expect(r.json.tx.from).to.equal(roles.doctor.toLowerCase());
  });

  it("setBirthday and setContact from the host", async () => {
    const b = await xray(home, ["set-birthday", "19970522"]);
    expect(b.code, b.stderr).to.equal(0);
    expect(b.stdout).to.match(/birthday set to 19970522\ntx 0x[0-9a-f]{64} in block \d+, gas used [\d,]+/);
    const c = await xray(home, ["set-contact", "0912-321-456", "--json"]);
    expect(c.code, c.stderr).to.equal(0);
    expect(c.json.contact).to.equal("0912-321-456");
    const q = await xray(home, ["set-contact", "0912-321-456", "-q"]);
    expect(q.stdout).to.equal('contact set to "0912-321-456"\n');
  });

  it("profile() shows the patient page", async () => {
    const r = await xray(home, ["profile", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json).to.include({ name: "Ken", patient: roles.patient, age: 25, gender: "male", bloodType: "B", birthday: "19970522", contact: "0912-321-456", xrays: 1 });
    const text = await xray(home, ["profile"]);
    expect(text.stdout).to.match(/name:\s+Ken/).and.match(/birthday:\s+19970522/);
  });

  it("getXrayhashCount() -> 1 and getXrayhash(0) -> Dr.Lee, chest, hash", async () => {
    const count = await xray(home, ["xray-count"]);
    expect(count.stdout.trim()).to.equal("1");
    const r = await xray(home, ["get-xray", "0", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json).to.include({ index: 0, doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH, author: roles.doctor });
    expect(Math.abs(Date.parse(r.json.time) - Date.now())).to.be.below(10 * 60 * 1000);
    const list = await xray(home, ["list-xrays", "--json"]);
    expect(list.json.count).to.equal(1);
    expect(list.json.records[0].sha256).to.equal(PAPER_HASH);
  });

  it("removePermission(doctor): the doctor can no longer write, and nothing is recorded", async () => {
    const rm = await xray(home, ["remove-permission", "doctor", "--json"]);
    expect(rm.code, rm.stderr).to.equal(0);
    expect(rm.json.removed).to.equal("doctor");
    const r = await xray(home, ["set-xray-hash", "chest", PAPER_HASH, "--from", "doctor"]);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/doctor permission of 0x22d491Bde2303f2f43325b2108D26f1eAbA1e32b \(doctor\) was removed/);
    const count = await xray(home, ["xray-count", "--json"]);
    expect(count.json.count).to.equal(1);
  });

  it("set-xray-hash --file hashes the file itself", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const crypto = await import("node:crypto");
    await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor"]);
    const file = path.join(home, "scan.png");
    // a PNG signature, then 3 MB: the image checks of xray hash pass
    const bytes = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), crypto.randomBytes(3 * 1024 * 1024 + 7)]);
    fs.writeFileSync(file, bytes);
    const r = await xray(home, ["set-xray-hash", "chest", "--file", file, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.sha256).to.equal(crypto.createHash("sha256").update(bytes).digest("hex"));
    expect(r.json.index).to.equal(1);
  });
});
