import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { lockedNode, PAPER_HASH, tempHome, xray } from "./helpers/cli";

// A node that holds no unlocked accounts: Ganache over HTTP with every account locked.
// xray must sign locally (--private-key / --keystore) and send raw transactions.
describe("xray --rpc with local signing (Ganache, locked accounts, raw signed transactions)", function () {
  const home = tempHome("rpc");
  let node: Awaited<ReturnType<typeof lockedNode>>;
  let url: string;
  let addresses: string[];
  let govKey: string, hostKey: string, doctorKey: string;
  const keyFile = (name: string, key: string) => node.keyFile(node.keys.indexOf(key), name);

  before(async () => {
    node = await lockedNode(home);
    ({ url, addresses } = node);
    [govKey, hostKey, doctorKey] = node.keys;
  });
  after(() => node.close());

  const rpc = (args: string[], env: NodeJS.ProcessEnv = {}) => xray(home, [...args, "--rpc", url], { env });

  it("refuses to send without a key, naming the flags that supply one", async () => {
    const r = await rpc(["init"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/holds no unlocked key for 0x[0-9a-fA-F]{40}: sign locally with --private-key <file> or --keystore <file>/);
  });

  it("deploys and grants with a private key file (gov)", async () => {
    const r = await rpc(["init", "--private-key", keyFile("gov", govKey), "--patient", addresses[3], "--host", addresses[1], "--doctor", addresses[2], "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.roles.gov).to.equal(addresses[0]);
    const p = await rpc(["set-permission", "doctor", "Dr.Lee", "doctor", "--private-key", keyFile("gov", govKey), "--json"]);
    expect(p.code, p.stderr).to.equal(0);
    expect(p.json.tx.from).to.equal(addresses[0].toLowerCase());
  });

  it("the host signs with XRAY_PRIVATE_KEY", async () => {
    const r = await rpc(["set-birthday", "19970522", "--json"], { XRAY_PRIVATE_KEY: hostKey });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.tx.from).to.equal(addresses[1].toLowerCase());
  });

  it("the doctor signs with an encrypted JSON keystore and a password file", async () => {
    const { encrypt } = require("web3-eth-accounts");
    const keystore = await encrypt(doctorKey, "correct horse", { n: 1024 });
    const ksFile = path.join(home, "doctor.json");
    fs.writeFileSync(ksFile, JSON.stringify(keystore));
    const pw = path.join(home, "pw");
    fs.writeFileSync(pw, "correct horse\n");
    const r = await rpc(["set-xray-hash", "chest", PAPER_HASH, "--keystore", ksFile, "--password-file", pw, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.tx.from).to.equal(addresses[2].toLowerCase());
    fs.writeFileSync(pw, "wrong\n");
    const bad = await rpc(["set-xray-hash", "chest", PAPER_HASH, "--keystore", ksFile, "--password-file", pw]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/cannot decrypt the keystore .*doctor.json: wrong password/);
  });

  it("reads back what the signed transactions wrote", async () => {
    const r = await rpc(["get-xray", "0", "--json"]);
    expect(r.json).to.include({ doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH, author: addresses[2] });
    const p = await rpc(["profile", "--json"]);
    expect(p.json.birthday).to.equal("19970522");
  });

  it("a signed transaction the contract would refuse is not sent", async () => {
    const r = await rpc(["set-contact", "x"], { XRAY_PRIVATE_KEY: doctorKey });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/\(doctor\) is not a host: only the host may set the contact/);
  });
});
