import { expect } from "chai";
import { connectChain, type Chain } from "../src/core/chain/chain";
import { deployXr } from "../src/core/chain/actions/deploy";
import { getPermission, removePermission, setPermission } from "../src/core/chain/actions/permissions";
import { getXray, getXrayCount, setXrayHash } from "../src/core/chain/actions/records";
import { getProfile, setBirthday, setContact } from "../src/core/chain/actions/profile";
import { getPrediction, latestPrediction, setPrediction } from "../src/core/chain/actions/predictions";
import { xrCall, xrContext, xrSend, type XrContext } from "../src/core/chain/xr";
import { decodeResult, encodeCall } from "../src/core/chain/abi";
import { artifact, loadArtifacts, signatureHashes } from "../src/core/chain/artifacts";
import { canonicalType } from "../src/core/chain/abi-codec";
import { keccakHex } from "../src/core/chain/keccak";
import { callRaw } from "../src/core/chain/tx";
import { checksumAddress } from "../src/core/chain/accounts";
import { RevertError } from "../src/errors";
import { accessOf, approveAccess, auditTrail, denyAccess, findImage, requestAccess, revokeAccess, shareImage, traceAccess } from "../src/core/chain/actions/access";
import { PAPER_HASH, tempHome } from "./helpers/cli";

const DOCTOR = 1;
const HOST = 2;

/** Expects `promise` to revert with custom error `name` (and `args` when given). */
async function expectRevert(promise: Promise<unknown>, name: string, args?: unknown[]): Promise<RevertError> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(RevertError);
    const e = err as RevertError;
    expect(e.errorName).to.equal(name);
    if (args) expect(e.args.map((a) => (typeof a === "bigint" ? Number(a) : typeof a === "string" ? a.toLowerCase() : a))).to.deep.equal(args.map((a) => (typeof a === "string" ? a.toLowerCase() : a)));
    return e;
  }
  throw new Error(`expected a ${name} revert`);
}

// Every permission path of xr, through the core library on a real embedded Ganache chain.
describe("xr contract: permission paths (core library, embedded Ganache)", function () {
  let chain: Chain;
  let ctx: XrContext;
  let gov: string, host: string, doctor: string, patient: string, other: string, doctor2: string;

  before(async () => {
    chain = await connectChain({ home: tempHome("contracts") });
    [gov, host, doctor, patient, other, doctor2] = await chain.accounts();
    await deployXr(chain, { name: "Ken", patient, age: 25, gender: 0, bloodType: 1, gov, host, hostName: "NTU Hospital", doctor });
    ctx = xrContext(chain);
  });
  after(() => chain.close());

  it("the constructor stores the profile and gov; the host was granted", async () => {
    const p = await getProfile(ctx);
    expect(p).to.deep.include({ name: "Ken", age: 25, gender: "male", bloodType: "B", birthday: null, contact: null });
    expect(p.patient.toLowerCase()).to.equal(patient.toLowerCase());
    expect(await getPermission(ctx, host)).to.deep.include({ name: "NTU Hospital", userType: "host", enabled: true });
    expect((await getPermission(ctx, gov)).userType).to.equal("gov");
    expect((await getPermission(ctx, patient)).userType).to.equal("patient");
  });

  it("only gov grants; only doctor and host can be granted", async () => {
    await expectRevert(setPermission(ctx, { account: doctor, name: "Dr.Lee", userType: DOCTOR, enabled: true, from: host }), "MissingRole", [host, 3]);
    await expectRevert(setPermission(ctx, { account: doctor, name: "x", userType: 3, enabled: true, from: gov }), "InvalidUserType", [3]);
    await expectRevert(setPermission(ctx, { account: doctor, name: "x", userType: 0, enabled: true, from: gov }), "InvalidUserType", [0]);
    await expectRevert(
      setPermission(ctx, { account: "0x0000000000000000000000000000000000000000", name: "x", userType: DOCTOR, enabled: true, from: gov }),
      "ZeroAddress",
    );
    const out = await setPermission(ctx, { account: doctor, name: "Dr.Lee", userType: DOCTOR, enabled: true, from: gov });
    expect(out.events.map((e) => e.name)).to.deep.equal(["PermissionSet"]);
    expect(out.events[0].args).to.deep.include({ name: "Dr.Lee", enabled: true });
  });

  it("a doctor records hashes; no one else can; bad hashes are refused on chain", async () => {
    const out = await setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor });
    expect(out.index).to.equal(0);
    expect(out.events[0].name).to.equal("XrayhashSet");
    expect(out.events[0].args.hash).to.equal("0x" + PAPER_HASH);
    for (const who of [gov, host, patient, other]) {
      await expectRevert(setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: who }), "MissingRole", [who, DOCTOR]);
    }
    // Straight to the contract, past the CLI's own checks: strlib.parseHash refuses.
    await expectRevert(xrSend(ctx, "setXrayhash", ["chest", "xyz"], doctor), "BadHash", ["xyz"]);
    await expectRevert(xrSend(ctx, "setXrayhash", ["chest", "g".repeat(64)], doctor), "BadHash");
    await expectRevert(xrSend(ctx, "setXrayhash", ["chest", "0".repeat(64)], doctor), "BadHash");
    await expectRevert(xrSend(ctx, "setXrayhash", ["", PAPER_HASH], doctor), "InvalidPart");
    // "0x" prefix and upper case parse to the same 32 bytes
    const upper = await xrSend(ctx, "setXrayhash", ["hand", "0x" + PAPER_HASH.toUpperCase()], doctor);
    expect(upper.events[0].args.hash).to.equal("0x" + PAPER_HASH);
    expect(await getXrayCount(ctx)).to.equal(2);
    const r = await getXray(ctx, 1);
    expect(r).to.include({ part: "hand", sha256: PAPER_HASH, doctor: "Dr.Lee" });
    await expectRevert(xrCall(ctx, "getXrayhash", [99]), "IndexOutOfRange", [99, 2]);
  });

  it("a doctor stores a classifier's prediction with a record; the latest one is the patient page's", async () => {
    const model = "ab".repeat(32);
    expect(await latestPrediction(ctx)).to.equal(null);
    expect(await getPrediction(ctx, 0)).to.equal(null);
    const out = await setPrediction(ctx, { index: 1, label: "pneumonia", confidence: 0.87654, model, from: doctor });
    expect(out.events.map((e) => e.name)).to.deep.equal(["PredictionSet"]);
    expect(out.events[0].args).to.deep.include({ label: "pneumonia", model: "0x" + model });
    expect(Number(out.events[0].args.confidence)).to.equal(8765);
    const p = await getPrediction(ctx, 1);
    expect(p).to.deep.include({ index: 1, label: "pneumonia", confidence: 0.8765, model, authorName: "Dr.Lee" });
    expect(await latestPrediction(ctx)).to.deep.equal(p);
    await setPrediction(ctx, { index: 0, label: "covid", confidence: 1, model, from: doctor });
    expect((await latestPrediction(ctx))?.index).to.equal(0);
    expect((await getPrediction(ctx, 1))?.label).to.equal("pneumonia");
    for (const who of [gov, host, patient, other]) {
      await expectRevert(setPrediction(ctx, { index: 0, label: "covid", confidence: 0.5, model, from: who }), "MissingRole", [who, DOCTOR]);
    }
    await expectRevert(setPrediction(ctx, { index: 9, label: "covid", confidence: 0.5, model, from: doctor }), "IndexOutOfRange", [9, 2]);
    await expectRevert(xrSend(ctx, "setPrediction", [0, "", 10, "0x" + model], doctor), "InvalidPrediction", ["label"]);
    await expectRevert(xrSend(ctx, "setPrediction", [0, "x".repeat(33), 10, "0x" + model], doctor), "InvalidPrediction", ["label"]);
    await expectRevert(xrSend(ctx, "setPrediction", [0, "covid", 10001, "0x" + model], doctor), "InvalidPrediction", ["confidence"]);
    await expectRevert(xrSend(ctx, "setPrediction", [0, "covid", 10, "0x" + "0".repeat(64)], doctor), "InvalidPrediction", ["model"]);
    await expectRevert(xrCall(ctx, "getPrediction", [9]), "IndexOutOfRange", [9, 2]);
  });

  it("a disabled doctor is refused as disabled, and can be enabled again", async () => {
    await setPermission(ctx, { account: doctor2, name: "Dr.Chen", userType: DOCTOR, enabled: false, from: gov });
    await expectRevert(setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor2 }), "PermissionDisabled", [doctor2, DOCTOR]);
    await setPermission(ctx, { account: doctor2, name: "Dr.Chen", userType: DOCTOR, enabled: true, from: gov });
    await setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor2 });
  });

  it("only the host sets birthday and contact; only real dates", async () => {
    for (const who of [gov, doctor, patient]) {
      await expectRevert(setBirthday(ctx, { birthday: "19970522", from: who }), "MissingRole", [who, HOST]);
      await expectRevert(setContact(ctx, { contact: "x", from: who }), "MissingRole", [who, HOST]);
    }
    for (const bad of ["19970230", "19990229", "19971301", "19970500", "1997052", "1997-5-2", "18991231"]) {
      await expectRevert(setBirthday(ctx, { birthday: bad, from: host }), "BadDate", [bad]);
    }
    const leap = await setBirthday(ctx, { birthday: "20000229", from: host });
    expect(leap.events[0]).to.deep.include({ name: "BirthdaySet" });
    expect(Number(leap.events[0].args.birthday)).to.equal(20000229);
    const c = await setContact(ctx, { contact: "0912-321-456", from: host });
    expect(c.events[0].args.contact).to.equal("0912-321-456");
    expect(await getProfile(ctx)).to.deep.include({ birthday: "20000229", contact: "0912-321-456" });
  });

  it("removal: only gov removes others; a doctor may resign; removed is told apart from never granted", async () => {
    await expectRevert(removePermission(ctx, { account: doctor, from: doctor2 }), "MissingRole", [doctor2, 3]);
    await expectRevert(removePermission(ctx, { account: other, from: gov }), "NoPermission", [other]);
    const out = await removePermission(ctx, { account: doctor, from: gov });
    expect(out.events[0].name).to.equal("PermissionRevoked");
    await expectRevert(setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor }), "PermissionRemoved", [doctor, DOCTOR]);
    expect(await getPermission(ctx, doctor)).to.deep.include({ userType: "none", removed: "doctor" });
    await removePermission(ctx, { account: doctor2, from: doctor2 }); // resigns
    await expectRevert(setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor2 }), "PermissionRemoved");
    // the host's permission can be removed too, and then the host is refused
    await removePermission(ctx, { account: host, from: gov });
    await expectRevert(setContact(ctx, { contact: "y", from: host }), "PermissionRemoved", [host, HOST]);
    // records survive their author's removal, with the name
    expect((await getXray(ctx, 0)).doctor).to.equal("Dr.Lee");
    // re-granting restores the doctor
    await setPermission(ctx, { account: doctor, name: "Dr.Lee", userType: DOCTOR, enabled: true, from: gov });
    await setXrayHash(ctx, { part: "chest", sha256: PAPER_HASH, from: doctor });
  });

  it("reverts read as sentences naming the account and the missing role", async () => {
    const e = await expectRevert(setBirthday(ctx, { birthday: "19970522", from: doctor }), "MissingRole");
    expect(e.message).to.equal(`${checksumAddress(doctor)} (doctor) is not a host: only the host may set the birthday`);
  });

  it("the build's signature hashes are keccak-256 of every function, event and error signature", () => {
    const hashes = signatureHashes();
    const signatures = Object.values(loadArtifacts()).flatMap((a) => a.abi.filter((i) => ["function", "event", "error"].includes(i.type)).map((i) => `${i.name}(${(i.inputs ?? []).map(canonicalType).join(",")})`));
    expect(signatures).to.include("setXrayhash(string,string)");
    for (const s of [...signatures, "Error(string)", "Panic(uint256)"]) expect(hashes[s], s).to.equal(keccakHex(s));
  });

  it("strlib.parseHash agrees with a plain parser on every byte a hex digit could be confused with", async () => {
    const abi = artifact("strlib").abi;
    const parse = async (text: string) => {
      try {
        return (decodeResult(abi, "parseHash", await callRaw(chain, ctx.deployment.strlib, encodeCall(abi, "parseHash", [text]))))[0];
      } catch (err) {
        return (err as RevertError).errorName;
      }
    };
    // Around every boundary the word-at-a-time parser tests: '/' ':' '@' 'G' '`' 'g', the bytes
    // that become digits when lower-cased (0x10-0x19), DEL, and non-ASCII.
    const near = ["/", ":", "@", "G", "`", "g", "\x10", "\x19", "\x7f", "é", " ", "0", "9", "a", "f", "A", "F"];
    const rand = (n: number) => Math.floor(Math.random() * n);
    const cases: string[] = [];
    for (let i = 0; i < 40; i++) {
      const digits = Array.from({ length: 64 }, () => "0123456789abcdefABCDEF"[rand(22)]);
      cases.push(digits.join(""));
      const bad = [...digits];
      const c = near[rand(near.length)];
      bad.splice(rand(63), Buffer.byteLength(c), c); // "é" takes two bytes: the text stays 64 bytes
      cases.push(bad.join(""));
    }
    for (const text of cases) {
      const expected = /^[0-9a-fA-F]{64}$/.test(text) && !/^0+$/.test(text) ? "0x" + text.toLowerCase() : "BadHash";
      expect(await parse(text), JSON.stringify(text)).to.equal(expected);
    }
  });
});


// The access protocol's state machine, each refusal by its custom error (core library, embedded Ganache).
describe("xr contract: access protocol (request, approve, deny, trace, revoke)", function () {
  let chain: Chain;
  let ctx: XrContext;
  let gov: string, doctor: string, patient: string, alice: string, bob: string;
  const CID = "QmVKKq8TQKQKhGaEr73QMu2RTYTDZmicApM2P6eCKXA5Rc";
  const SHA = "36a13fc264688497c605bc5524957e1f47d15c7c2dfcac81036c7efc9301c831";
  const KEY = new Uint8Array([0x98, 1, 2, 3]);
  const state = (who: string) => accessOf(ctx, who);

  before(async () => {
    chain = await connectChain({ home: tempHome("access") });
    [gov, , doctor, patient, alice, bob] = await chain.accounts();
    await deployXr(chain, { name: "Ken", patient, age: 25, gender: 0, bloodType: 1, gov, host: gov, hostName: "H", doctor });
    ctx = xrContext(chain);
    await setPermission(ctx, { account: doctor, name: "Dr.Lee", userType: DOCTOR, enabled: true, from: gov });
  });
  after(() => chain.close());

  it("only an enabled doctor shares an image; the event keeps CID, SHA-256 and the description", async () => {
    await expectRevert(shareImage(ctx, { receiver: patient, cid: CID, sha256: SHA, description: "X-ray, chest", from: alice }), "MissingRole", [alice, DOCTOR]);
    await expectRevert(shareImage(ctx, { receiver: patient, cid: CID, sha256: "0".repeat(64), description: "", from: doctor }), "MissingData", ["sha256"]);
    await shareImage(ctx, { receiver: patient, cid: CID, sha256: SHA, description: "X-ray, chest", from: doctor });
    const found = await findImage(ctx, CID);
    expect(found).to.deep.include({ cid: CID, sha256: SHA, kind: "shared", description: "X-ray, chest", number: 0 });
    expect(found!.recipient.toLowerCase()).to.equal(patient.toLowerCase());
  });

  it("walks none -> requested -> approved -> revoked -> requested -> denied, refusing every other step", async () => {
    await expectRevert(requestAccess(ctx, { publicKey: KEY, notes: "", from: patient }), "SelfRequest");
    await expectRevert(requestAccess(ctx, { publicKey: new Uint8Array(), notes: "", from: alice }), "MissingData", ["publicKey"]);
    await expectRevert(approveAccess(ctx, { requester: alice, copies: [{ cid: CID, sha256: SHA }], from: patient }), "InvalidAccess", [alice, 0]);
    await requestAccess(ctx, { publicKey: KEY, notes: "second opinion", from: alice });
    expect(await state(alice)).to.equal("requested");
    await expectRevert(requestAccess(ctx, { publicKey: KEY, notes: "again", from: alice }), "InvalidAccess", [alice, 1]);
    await expectRevert(approveAccess(ctx, { requester: alice, copies: [{ cid: CID, sha256: SHA }], from: alice }), "MissingRole", [alice, 4]);
    await expectRevert(approveAccess(ctx, { requester: alice, copies: [], from: patient }), "MissingData", ["cids"]);
    await expectRevert(revokeAccess(ctx, { requester: alice, from: patient }), "InvalidAccess", [alice, 1]);
    await approveAccess(ctx, { requester: alice, copies: [{ cid: CID, sha256: SHA }], from: patient });
    expect(await state(alice)).to.equal("approved");
    expect((await traceAccess(ctx, { requester: alice, from: bob })).authorized).to.equal(true);
    await expectRevert(denyAccess(ctx, { requester: alice, reason: "late", from: patient }), "InvalidAccess", [alice, 2]);
    await expectRevert(revokeAccess(ctx, { requester: alice, from: gov }), "MissingRole", [gov, 4]);
    await revokeAccess(ctx, { requester: alice, from: patient });
    expect((await traceAccess(ctx, { requester: alice, from: bob })).authorized).to.equal(false);
    await requestAccess(ctx, { publicKey: KEY, notes: "please", from: alice });
    await denyAccess(ctx, { requester: alice, reason: "no", from: patient });
    expect(await state(alice)).to.equal("denied");
    const kinds = (await auditTrail(ctx, { account: alice })).map((e) => e.kind);
    expect(kinds).to.deep.equal(["requested", "approved", "traced", "revoked", "traced", "requested", "denied"]);
    expect(await state(bob)).to.equal("none");
  });
});
