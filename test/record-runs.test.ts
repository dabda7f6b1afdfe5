// xr.setXrayhashes stores two or more hashes as a run (their hashes are a small contract's
// code): every image is still its own record, read back by the paper's getXrayhash as the same
// strings setXrayhash's records give, with one XrayhashSet event each. Core library on a real
// embedded Ganache chain; a hospital's patient clone too.
import * as crypto from "node:crypto";
import { expect } from "chai";
import { connectChain, type Chain } from "../src/core/chain/chain";
import { deployXr } from "../src/core/chain/actions/deploy";
import { getXray, getXrayCount, listXrays, recordedHashes, setXrayHash } from "../src/core/chain/actions/records";
import { setPermission } from "../src/core/chain/actions/permissions";
import { getPrediction, setPrediction } from "../src/core/chain/actions/predictions";
import { xrCall, xrSend, xrContext, type TxOutcome, type XrContext } from "../src/core/chain/xr";
import { deployHospital, hospitalContext, patientOf, registrySend } from "../src/core/hospital/registry";
import { commitProfile, patientKey } from "../src/core/hospital/commitments";
import { RevertError } from "../src/errors";
import { PAPER_HASH, tempHome } from "./helpers/cli";

const hashes = (n: number) => Array.from({ length: n }, () => crypto.randomBytes(32).toString("hex"));
const PART32 = "left anteroposterior chest, 2 vw"; // 32 bytes: the longest part, two slots

async function revertName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(RevertError);
    return (err as RevertError).errorName;
  }
  throw new Error("expected a revert");
}

/** What each record must read back as, in index order. */
type Expected = { part: string; sha256: string }[];

async function record(ctx: XrContext, from: string, part: string, list: string[], expected: Expected): Promise<TxOutcome> {
  const out = await xrSend(ctx, "setXrayhashes", [part, list.map((h) => "0x" + h)], from);
  const first = expected.length;
  const events = out.events.filter((e) => e.name === "XrayhashSet");
  expect(events.map((e) => Number(e.args.index))).to.deep.equal(list.map((_, i) => first + i));
  expect(events.map((e) => e.args.hash)).to.deep.equal(list.map((h) => "0x" + h));
  expect(events.map((e) => e.args.part)).to.deep.equal(list.map(() => part));
  for (const sha256 of list) expected.push({ part, sha256 });
  return out;
}

/** getXrayhash(i) (the paper's three strings), getXrayRecords pages and the events agree with `expected`. */
async function checkAll(ctx: XrContext, expected: Expected, doctorName: string) {
  expect(await getXrayCount(ctx)).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    // every record of small runs; the ends and a sample of the long one
    if (expected.length > 40 && i > 8 && i < expected.length - 8 && i % 97 !== 0) continue;
    const [name, part, hash] = await xrCall(ctx, "getXrayhash", [i]);
    expect([name, part, hash], `record ${i}`).to.deep.equal([doctorName, expected[i].part, expected[i].sha256]);
  }
  // getXrayRecords pages: the first 20 and the last 30 (across the end of a 767-record run)
  for (const start of expected.length > 50 ? [0, expected.length - 30] : [0]) {
    const listed = await listXrays(ctx, { start, count: expected.length > 50 ? (start ? 30 : 20) : undefined });
    expect(listed.map((r) => ({ part: r.part, sha256: r.sha256 }))).to.deep.equal(expected.slice(start, start + listed.length));
    expect(listed.length).to.equal(expected.length > 50 ? (start ? 30 : 20) : expected.length);
    expect(new Set(listed.map((r) => r.doctor))).to.deep.equal(new Set([doctorName]));
  }
  const onChain = await recordedHashes(ctx);
  expected.forEach((e, i) => expect(onChain.get(e.sha256)?.[0]).to.equal(i));
}

describe("xr.setXrayhashes: runs of records (core library, embedded Ganache)", function () {
  let chain: Chain;
  let ctx: XrContext;
  let doctor: string, other: string;
  const expected: Expected = [];

  before(async () => {
    chain = await connectChain({ home: tempHome("runs"), idleSeconds: 0 });
    const [gov, host, doc, patient, o] = await chain.accounts();
    [doctor, other] = [doc, o];
    await deployXr(chain, { name: "Ken", patient, age: 25, gender: 0, bloodType: 1, gov, host, hostName: "NTU Hospital", doctor });
    ctx = xrContext(chain);
    await setPermission(ctx, { account: doctor, name: "Dr.Lee", userType: 1, enabled: true, from: gov });
  });
  after(() => chain.close());

  it("single records and runs interleave; each reads back as its own record with the same strings", async () => {
    await setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor });
    expected.push({ part: "chest", sha256: PAPER_HASH });
    await record(ctx, doctor, "hand", hashes(2), expected); // the smallest run
    await record(ctx, doctor, "knee", hashes(1), expected); // one hash: stored as setXrayhash stores it
    await record(ctx, doctor, PART32, hashes(5), expected);
    const big = await record(ctx, doctor, "chest", hashes(770), expected); // two runs: 767 + 3
    expect(big.tx.gasUsed / 770).to.be.below(12_000); // against 106,058 a record by setXrayhash
    await setXrayHash(ctx, { part: "skull", sha256: "ab".repeat(32), from: doctor });
    expected.push({ part: "skull", sha256: "ab".repeat(32) });
    await checkAll(ctx, expected, "Dr.Lee");
    expect(await getXray(ctx, 3)).to.include({ part: "knee", doctor: "Dr.Lee", sha256: expected[3].sha256 });
  });

  it("a run has setXrayhash's checks, all or nothing: a zero hash, a bad part, a non-doctor", async () => {
    const before = await getXrayCount(ctx);
    expect(await revertName(xrSend(ctx, "setXrayhashes", ["chest", [...hashes(3), "0".repeat(64)].map((h) => "0x" + h)], doctor))).to.equal("BadHash");
    expect(await revertName(xrSend(ctx, "setXrayhashes", ["", hashes(3).map((h) => "0x" + h)], doctor))).to.equal("InvalidPart");
    expect(await revertName(xrSend(ctx, "setXrayhashes", ["x".repeat(33), hashes(3).map((h) => "0x" + h)], doctor))).to.equal("InvalidPart");
    expect(await revertName(xrSend(ctx, "setXrayhashes", ["chest", hashes(3).map((h) => "0x" + h)], other))).to.equal("MissingRole");
    expect(await getXrayCount(ctx)).to.equal(before);
    expect(await revertName(xrCall(ctx, "getXrayhash", [before]))).to.equal("IndexOutOfRange");
  });

  it("a prediction attaches to a record of a run", async () => {
    const model = "cd".repeat(32);
    await setPrediction(ctx, { index: 500, label: "normal", confidence: 0.9, model, from: doctor });
    expect(await getPrediction(ctx, 500)).to.deep.include({ index: 500, label: "normal", authorName: "Dr.Lee" });
  });
});

describe("xr.setXrayhashes on a hospital's patient clone", function () {
  it("records runs on a clone and reads them back with the paper's ABI", async () => {
    const chain = await connectChain({ home: tempHome("runs-clone"), idleSeconds: 0 });
    try {
      const [gov, host, doctor, patient] = await chain.accounts();
      await deployHospital(chain, { gov, host, hostName: "NTU Hospital", roles: { gov, host, doctor, patient } });
      const h = hospitalContext(chain);
      const person = { mrn: "MRN-1", name: "Ken Watanabe", birthday: "19970522", contact: "ken@example.org", age: "29", gender: "male", bloodType: "B" };
      const key = patientKey("0x" + "11".repeat(32), person.mrn);
      await registrySend(h, "createPatient", [key, patient, commitProfile(person).map((f) => f.commitment)], host);
      const ctx: XrContext = { chain, deployment: { ...h.deployment, xr: (await patientOf(h, key))! } };
      await registrySend(h, "setPermission", [doctor, "Dr.Lee", 1, true], gov);
      const expected: Expected = [];
      await record(ctx, doctor, "chest", hashes(3), expected);
      await setXrayHash(ctx, { part: "hand", sha256: PAPER_HASH, from: doctor });
      expected.push({ part: "hand", sha256: PAPER_HASH });
      await record(ctx, doctor, "knee", hashes(40), expected);
      // the name a single record gives on a clone (the patient contract's own users: none here)
      const [name] = await xrCall(ctx, "getXrayhash", [3]);
      await checkAll(ctx, expected, String(name));
    } finally {
      await chain.close();
    }
  });
});
