// The hospital registry and its patient clones through every role path, the commitments,
// and the no-PHI-on-chain scan: core library on a real embedded Ganache chain.
import { expect } from "chai";
import { connectChain, type Chain } from "../src/core/chain/chain";
import { artifact, linkBytecode } from "../src/core/chain/artifacts";
import { encodeCall } from "../src/core/chain/abi";
import { sendTx } from "../src/core/chain/tx";
import { checksumAddress } from "../src/core/chain/accounts";
import { xrCall, xrSend, type XrContext } from "../src/core/chain/xr";
import { deployHospital, registrySend, patientOf, hospitalContext, type HospitalContext } from "../src/core/hospital/registry";
import { commitField, commitProfile, patientKey } from "../src/core/hospital/commitments";
import { checkDisclosure } from "../src/core/hospital/disclosure";
import { RevertError } from "../src/errors";
import { PAPER_HASH, tempHome } from "./helpers/cli";

const DOCTOR = 1;
const HOST = 2;
const SECRET = "0x" + "11".repeat(32);
const HASH2 = "26c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134";

async function expectRevert(promise: Promise<unknown>, name: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(RevertError);
    expect((err as RevertError).errorName).to.equal(name);
    return;
  }
  throw new Error(`expected a ${name} revert`);
}

describe("hospital registry and patient clones (core library, embedded Ganache)", function () {
  let chain: Chain;
  let h: HospitalContext;
  let gov: string, host: string, doctor: string, patient: string, other: string, host2: string;
  const clones: string[] = [];
  const people = [
    { mrn: "MRN-000417", name: "Ken Watanabe", birthday: "19970522", contact: "ken@example.org", age: "29", gender: "male", bloodType: "B" },
    { mrn: "MRN-000418", name: "Amy Lin", birthday: "19800101", contact: "+886 2 1234 5678", age: "46", gender: "female", bloodType: "O" },
  ];
  const committed = people.map((p) => commitProfile(p));
  const on = (contract: string): XrContext => ({ chain, deployment: { ...h.deployment, xr: contract } });

  before(async () => {
    chain = await connectChain({ home: tempHome("hospital") });
    [gov, host, doctor, patient, other, host2] = await chain.accounts();
    await deployHospital(chain, { gov, host, hostName: "NTU Hospital", roles: { gov, host, doctor, patient } });
    h = hospitalContext(chain);
  });
  after(() => chain.close());

  it("a host creates patients (one and a batch); a duplicate key and a non-host are refused", async () => {
    const keys = people.map((p) => patientKey(SECRET, p.mrn));
    await expectRevert(registrySend(h, "createPatient", [keys[0], patient, committed[0].map((f) => f.commitment)], doctor), "MissingRole");
    const one = await registrySend(h, "createPatient", [keys[0], patient, committed[0].map((f) => f.commitment)], host);
    expect(one.tx.gasUsed).to.be.below(200_000);
    const batch = await registrySend(h, "createPatients", [[keys[1]], [other], [committed[1].map((f) => f.commitment)]], host);
    expect(batch.events.filter((e) => e.name === "PatientCreated")).to.have.length(1);
    for (const k of keys) clones.push((await patientOf(h, k))!);
    expect(clones[0]).to.not.equal(clones[1]);
    await expectRevert(registrySend(h, "createPatient", [keys[0], patient, committed[0].map((f) => f.commitment)], host), "DuplicatePatient");
  });

  it("a clone keeps the paper's ABI: profile, gov (the hospital's), patient", async () => {
    const [, account] = await xrCall(on(clones[0]), "profile");
    expect(String(account).toLowerCase()).to.equal(patient.toLowerCase());
    expect(String((await xrCall(on(clones[0]), "gov"))[0]).toLowerCase()).to.equal(gov.toLowerCase());
    expect(String((await xrCall(on(clones[1]), "patient"))[0]).toLowerCase()).to.equal(other.toLowerCase());
  });

  it("a clone cannot be initialised twice, nor by anyone but its hospital; the implementation never", async () => {
    const abi = artifact("xrpatient").abi;
    const send = (to: string, from: string) => sendTx(chain, { from, to, data: encodeCall(abi, "initialize", [other, committed[0].map((f) => f.commitment)]) });
    await expectRevert(send(clones[0], gov), "NotHospital");
    await expectRevert(send(h.deployment.hospital.implementation, gov), "NotHospital");
    // an implementation whose registry is an account (other): born initialised; its clone, once
    const impl = checksumAddress((await sendTx(chain, { from: other, data: linkBytecode(artifact("xrpatient"), { strlib: h.deployment.strlib }) })).contractAddress!);
    await expectRevert(send(impl, other), "AlreadyInitialized");
    const eip1167 = "0x3d602d80600a3d3981f3363d3d373d3d3d363d73" + impl.slice(2).toLowerCase() + "5af43d82803e903d91602b57fd5bf3";
    const clone = checksumAddress((await sendTx(chain, { from: other, data: eip1167 })).contractAddress!);
    await send(clone, other);
    await expectRevert(send(clone, other), "AlreadyInitialized");
    // the hospital cannot either: the registry has no path to initialise an existing clone
    await expectRevert(registrySend(h, "createPatient", [patientKey(SECRET, people[0].mrn), other, committed[0].map((f) => f.commitment)], host), "DuplicatePatient");
  });

  it("a doctor granted once writes to two patients; suspended, then removed once, refused on both", async () => {
    const grant = (enabled: boolean) => registrySend(h, "setPermission", [doctor, "Dr.Lee", DOCTOR, enabled], gov);
    for (const c of clones) await expectRevert(xrSend(on(c), "setXrayhash", ["chest", PAPER_HASH], doctor), "MissingRole");
    await expectRevert(registrySend(h, "setPermission", [doctor, "Dr.Lee", DOCTOR, true], host), "MissingRole");
    await grant(true);
    for (const c of clones) expect((await xrSend(on(c), "setXrayhash", ["chest", PAPER_HASH], doctor)).events[0].name).to.equal("XrayhashSet");
    await grant(false);
    for (const c of clones) await expectRevert(xrSend(on(c), "setXrayhash", ["chest", HASH2], doctor), "PermissionDisabled");
    await grant(true);
    await registrySend(h, "removePermission", [doctor], gov);
    for (const c of clones) await expectRevert(xrSend(on(c), "setXrayhash", ["chest", HASH2], doctor), "PermissionRemoved");
    // gov grants on one patient alone, with the paper's setPermission on the clone
    await xrSend(on(clones[0]), "setPermission", [doctor, "Dr.Lee", DOCTOR, true], gov);
    await xrSend(on(clones[0]), "setXrayhash", ["chest", HASH2], doctor);
    await expectRevert(xrSend(on(clones[1]), "setXrayhash", ["chest", HASH2], doctor), "PermissionRemoved");
  });

  it("a host of one hospital cannot touch another hospital's patients", async () => {
    const art = artifact("hospital");
    const tx = await sendTx(chain, { from: other, data: linkBytecode(art, { strlib: h.deployment.strlib }) });
    const registry2 = checksumAddress(tx.contractAddress!);
    await sendTx(chain, { from: other, to: registry2, data: encodeCall(art.abi, "setPermission", [host2, "Other Hospital", HOST, true]) });
    for (const c of clones) await expectRevert(xrSend(on(c), "setContact", ["x"], host2), "MissingRole");
    await expectRevert(xrSend(on(clones[0]), "setPermission", [host2, "x", HOST, true], other), "MissingRole");
  });

  it("commitments: a disclosure verifies; a wrong salt or value does not", async () => {
    const name = committed[0][0];
    expect((await checkDisclosure(chain, clones[0], { field: "name", value: name.value, salt: name.salt })).valid).to.equal(true);
    expect((await checkDisclosure(chain, clones[0], { field: "name", value: "Ken Watanab", salt: name.salt })).valid).to.equal(false);
    expect((await checkDisclosure(chain, clones[0], { field: "name", value: name.value, salt: committed[0][1].salt })).valid).to.equal(false);
    expect((await checkDisclosure(chain, clones[1], { field: "name", value: name.value, salt: name.salt })).valid).to.equal(false);
    expect(commitField(name.salt, name.value)).to.equal(name.commitment);
  });

  it("no PHI on chain: every transaction's calldata and every event hold none of the clear values", async () => {
    const latest = Number(BigInt(await chain.provider.request<string>("eth_blockNumber")));
    const needles = people.flatMap((p) => [p.name, p.mrn, p.birthday, p.contact]).map((v) => Buffer.from(v, "utf8").toString("hex").toLowerCase());
    let scanned = 0;
    for (let b = h.deployment.hospital.block; b <= latest; b++) {
      const block = await chain.provider.request<{ transactions: { hash: string; input: string }[] }>("eth_getBlockByNumber", ["0x" + b.toString(16), true]);
      for (const t of block.transactions) {
        const receipt = await chain.provider.request<{ logs: { data: string; topics: string[] }[] }>("eth_getTransactionReceipt", [t.hash]);
        const haystacks = [t.input, ...receipt.logs.flatMap((l) => [l.data, ...l.topics])].map((x) => x.toLowerCase());
        for (const n of needles) for (const hay of haystacks) expect(hay.includes(n), `clear value ${Buffer.from(n, "hex")} in ${t.hash}`).to.equal(false);
        scanned++;
      }
    }
    expect(scanned).to.be.at.least(8);
  });
});
