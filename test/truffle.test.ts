import { expect } from "chai";
import { spawn } from "node:child_process";
import { BIN, freePort, PAPER_HASH, ROOT, startProcess, stopProcess, tempHome, xray } from "./helpers/cli";

function npx(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

// The Truffle project keeps working, and Truffle sees what the xray CLI wrote.
describe("Truffle project", function () {
  it("`truffle test` runs the paper's session on Truffle's own chain", async () => {
    const r = await npx(["truffle", "test"]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/2 passing/);
  });

  it("`truffle migrate` and `truffle exec` attach to `xray node` and see the CLI's records", async () => {
    const home = tempHome("truffle");
    expect((await xray(home, ["init"])).code).to.equal(0);
    expect((await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor"])).code).to.equal(0);
    expect((await xray(home, ["set-xray-hash", "chest", PAPER_HASH])).code).to.equal(0);
    const deployed = JSON.parse((await xray(home, ["profile", "--json"])).stdout).contract;
    const port = await freePort();
    const env = { XRAY_HOME: home, XRAY_NODE_PORT: String(port) };
    const node = await startProcess(process.execPath, [BIN, "node", "--port", String(port)], { env, ready: /Ctrl-C/ });
    try {
      const m = await npx(["truffle", "migrate"], env);
      expect(m.code, m.out).to.equal(0);
      expect(m.out).to.match(/adopted the xray CLI's deployment/);
      const read = await npx(["truffle", "exec", "scripts/truffle/get-xray.js", "0"], env);
      expect(read.code, read.out).to.equal(0);
      const record = JSON.parse(read.out.split("\n").find((l) => l.startsWith("{"))!);
      expect(record).to.deep.equal({ address: deployed, count: "1", doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH });
      const write = await npx(["truffle", "exec", "scripts/truffle/set-xray-hash.js", "--", "knee", "b".repeat(64)], env);
      expect(write.code, write.out).to.equal(0);
      const back = await xray(home, ["get-xray", "1", "--json"]);
      expect(back.json).to.include({ doctor: "Dr.Lee", part: "knee", sha256: "b".repeat(64) });
    } finally {
      await stopProcess(node.child);
    }
  });
});
