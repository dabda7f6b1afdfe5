// The patient register (SQLite in WebAssembly): transactions, kill -9 mid-transaction, a
// second writer, a stale VFS lock folder. No chain.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { commitProfile, patientKey } from "../src/core/hospital/commitments";
import { PatientRegister } from "../src/core/hospital/register";
import { ChainBusyError } from "../src/errors";
import { tempHome } from "./helpers/cli";

const patient = (secret: string, mrn: string) => ({ key: patientKey(secret, mrn), mrn, account: null, public: false, fields: commitProfile({ name: `Patient ${mrn}` }) });

describe("patient register (SQLite, node-sqlite3-wasm)", function () {
  const file = path.join(tempHome("register"), "hospital", "r.sqlite");

  it("indexes by MRN, key, number and contract; a failed transaction writes nothing", async () => {
    const reg = await PatientRegister.open(file, { create: true });
    try {
      const [n] = reg.transaction(() => reg.insert([patient(reg.secret, "A-1")]));
      reg.transaction(() => reg.markCreated(n, { contract: "0x" + "ab".repeat(20), tx: null, block: 1 }));
      expect(reg.byMrn("A-1")!.n).to.equal(n);
      expect(reg.byKey(patientKey(reg.secret, "A-1"))!.mrn).to.equal("A-1");
      expect(reg.byContract("0x" + "AB".repeat(20))!.mrn).to.equal("A-1");
      expect(reg.fields(n).map((f) => f.field)).to.deep.equal(["name", "birthday", "contact", "age", "gender", "bloodType"]);
      expect(() => reg.transaction(() => reg.insert([patient(reg.secret, "A-2"), patient(reg.secret, "A-1")]))).to.throw(/UNIQUE/);
      expect(reg.byMrn("A-2")).to.equal(undefined);
      expect(reg.count()).to.equal(1);
    } finally {
      reg.close();
    }
  });

  it("a second writer waits, then is refused as busy; the first one's close lets it in", async () => {
    const first = await PatientRegister.open(file);
    try {
      let err: unknown;
      await PatientRegister.open(file, { waitMs: 0 }).catch((e) => (err = e));
      expect(err).to.be.instanceOf(ChainBusyError);
    } finally {
      first.close();
    }
    (await PatientRegister.open(file, { waitMs: 0 })).close();
  });

  it("kill -9 in the middle of a transaction: the hot journal is rolled back, the stale lock folder removed", async () => {
    const script = `
      const { PatientRegister } = require(${JSON.stringify(path.resolve(__dirname, "../src/core/hospital/register.js"))});
      PatientRegister.open(${JSON.stringify(file)}).then((reg) => {
        reg.transaction(() => {
          for (let i = 0; i < 500; i++) reg.setMeta("k" + i, "v".repeat(1000));
          process.kill(process.pid, "SIGKILL");
        });
      });`;
    const r = spawnSync(process.execPath, ["-e", script]);
    expect(r.signal).to.equal("SIGKILL");
    expect(fs.existsSync(file + "-journal") || fs.existsSync(file + ".lock")).to.equal(true);
    const reg = await PatientRegister.open(file, { waitMs: 0 });
    try {
      expect(reg.meta("k1")).to.equal(undefined);
      expect(reg.count()).to.equal(1);
    } finally {
      reg.close();
    }
  });
});
