import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BIN, freePort, PAPER_HASH, startProcess, stopProcess, tempHome, xray } from "./helpers/cli";

const OTHER_HASH = "a".repeat(64);

// State survives between commands, across `xray node`, and across processes killed with -9.
describe("embedded chain persistence", function () {
  const home = tempHome("persist");

  before(async () => {
    expect((await xray(home, ["init"])).code).to.equal(0);
    expect((await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor"])).code).to.equal(0);
    expect((await xray(home, ["set-xray-hash", "chest", PAPER_HASH])).code).to.equal(0);
  });

  it("a new process sees what the last one wrote", async () => {
    const r = await xray(home, ["get-xray", "0", "--json"]);
    expect(r.json).to.include({ doctor: "Dr.Lee", sha256: PAPER_HASH });
  });

  it("commands go through a running `xray node`, and its writes survive kill -9", async () => {
    const port = await freePort();
    const node = await startProcess(process.execPath, [BIN, "node", "--port", String(port), "--json"], {
      env: { XRAY_HOME: home },
      ready: /"url"/,
    });
    try {
      const info = JSON.parse(node.output());
      expect(info).to.include({ port, chainId: 1337, networkId: 5777 });
      // A second node on the same home is refused.
      const twice = await xray(home, ["node", "--port", String(await freePort())]);
      expect(twice.code).to.equal(1);
      expect(twice.stderr).to.match(/already serving/);
      const w = await xray(home, ["set-xray-hash", "knee", OTHER_HASH, "--json"]);
      expect(w.code, w.stderr).to.equal(0);
      expect(w.json.index).to.equal(1);
      // The same chain over plain JSON-RPC, as truffle would see it.
      const rpc = await xray(home, ["xray-count", "--json", "--rpc", `http://127.0.0.1:${port}`]);
      expect(rpc.code, rpc.stderr).to.equal(0);
    } finally {
      await stopProcess(node.child, "SIGKILL");
    }
    expect(fs.existsSync(path.join(home, "node.json"))).to.equal(true); // left behind by the kill
    const r = await xray(home, ["get-xray", "1", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json).to.include({ part: "knee", sha256: OTHER_HASH });
  });

  it("a command killed with -9 mid-way leaves a chain the next command opens", async () => {
    const child = spawn(process.execPath, [BIN, "set-xray-hash", "hand", OTHER_HASH], { env: { ...process.env, XRAY_HOME: home } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await stopProcess(child, "SIGKILL");
    const count = await xray(home, ["xray-count", "--json"]);
    expect(count.code, count.stderr).to.equal(0);
    expect([2, 3]).to.include(count.json.count); // the killed write either landed whole or not at all
    const w = await xray(home, ["set-xray-hash", "foot", PAPER_HASH, "--allow-duplicate", "--json"]);
    expect(w.code, w.stderr).to.equal(0);
    expect(w.json.index).to.equal(count.json.count);
  });

  it("concurrent commands on one home take turns instead of failing", async () => {
    const before = (await xray(home, ["xray-count", "--json"])).json.count;
    const runs = await Promise.all([1, 2, 3].map((i) => xray(home, ["set-xray-hash", `part${i}`, PAPER_HASH, "--allow-duplicate", "--json"])));
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    expect(runs.map((r) => r.json.index).sort()).to.deep.equal([before, before + 1, before + 2]);
  });
});
