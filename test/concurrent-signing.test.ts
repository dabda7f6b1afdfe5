import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EMBEDDED_CHAIN } from "../src/core/chain/embedded";
import { BIN, freePort, ok, startProcess, stopProcess, tempHome, xray } from "./helpers/cli";

/** The embedded chain's account `index` private key (Ganache derives them from the fixed mnemonic). */
async function embeddedKey(index: number): Promise<string> {
  const ganache = require("ganache");
  const provider = ganache.provider({ wallet: { mnemonic: EMBEDDED_CHAIN.mnemonic, totalAccounts: index + 1 }, logging: { quiet: true } });
  try {
    const accounts = provider.getInitialAccounts() as Record<string, { secretKey: string }>;
    return Object.values(accounts)[index].secretKey;
  } finally {
    await provider.disconnect();
  }
}

// Two locally signed transactions from the same account at once, through `xray node`: both
// take the same 'pending' nonce; the one the node refuses is signed again with a fresh nonce.
describe("concurrent locally signed transactions through xray node", function () {
  const home = tempHome("nonce");
  let node: ChildProcess | undefined;
  let keyFile: string;

  before(async () => {
    ok(await xray(home, ["init", "-q"]));
    ok(await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    keyFile = path.join(home, "doctor.key");
    fs.writeFileSync(keyFile, (await embeddedKey(2)) + "\n", { mode: 0o600 });
    const port = await freePort();
    node = (await startProcess(process.execPath, [BIN, "node", "--port", String(port), "--json"], { env: { XRAY_HOME: home }, ready: /"url"/ })).child;
  });

  after(async () => {
    if (node) await stopProcess(node);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("two signed set-xray-hash at once succeed together, 5 rounds", async () => {
    const hash = (round: number, which: number) => (round * 2 + which + 1).toString(16).padStart(64, "c");
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all(
        [0, 1].map((which) => xray(home, ["set-xray-hash", "chest", hash(round, which), "--private-key", keyFile, "--json"])),
      );
      for (const r of [a, b]) {
        expect(r.code, `round ${round}: ${r.stderr}`).to.equal(0);
        expect(r.stderr, `round ${round}`).to.equal("");
      }
      expect([a.json.index, b.json.index].sort()).to.deep.equal([round * 2, round * 2 + 1]);
    }
    const count = await xray(home, ["xray-count", "--json"]);
    expect(count.json.count).to.equal(10);
  });
});
