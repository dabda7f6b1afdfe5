/**
 * The background chain process (issue 16): started by the first command, reused by the
 * next, durable across kill -9 of itself or of a command, safe for concurrent commands,
 * gone after its idle time, stepping aside for `xray node`, understood by `xray doctor`.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { BIN, fails, freePort, ok, startProcess, stopProcess, tempHome, xray } from "./helpers/cli";

const hash = (i: number) => (i + 1).toString(16).padStart(64, "a");
const info = (home: string) => JSON.parse(fs.readFileSync(path.join(home, "chain-daemon.json"), "utf8")) as { pid: number; socket: string };
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(what: string, test: () => boolean, ms = 15_000) {
  for (const end = Date.now() + ms; !test(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("chain daemon: the embedded chain served by a background process", function () {
  this.timeout(120_000);
  const home = tempHome("daemon");
  const env = { XRAY_CHAIN_IDLE: "30" };
  const count = async () => {
    const r = await xray(home, ["xray-count", "--json"], { env });
    ok(r);
    return r.json.count as number;
  };

  before(async () => {
    ok(await xray(home, ["init", "-q"], { env }));
    ok(await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"], { env }));
  });
  after(() => {
    try {
      process.kill(info(home).pid, "SIGTERM");
    } catch {
      // already gone
    }
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("the first command starts it (socket mode 600, record with pid and start time); the next reuse it; doctor reports it", async () => {
    const first = info(home);
    expect(alive(first.pid)).to.equal(true);
    expect(fs.statSync(first.socket).mode & 0o777).to.equal(0o600);
    ok(await xray(home, ["set-xray-hash", "chest", hash(0), "-q"], { env }));
    expect(await count()).to.equal(1);
    expect(info(home).pid).to.equal(first.pid);
    const doctor = await xray(home, ["doctor", "--json"], { env });
    ok(doctor);
    const check = doctor.json.checks.find((c: { check: string }) => c.check === "daemon");
    expect(check.status).to.equal("ok");
    expect(check.message).to.include(`process ${first.pid}`);
  });

  it("an acknowledged transaction survives kill -9 of the background process at once; the next command starts a new one", async () => {
    for (let i = 1; i <= 3; i++) {
      ok(await xray(home, ["set-xray-hash", "chest", hash(i), "-q"], { env }));
      const killed = info(home).pid;
      process.kill(killed, "SIGKILL");
      expect(await count()).to.equal(i + 1);
      expect(info(home).pid).to.not.equal(killed);
    }
    const r = await xray(home, ["get-xray", "3", "--json"], { env });
    ok(r);
    expect(r.json.sha256).to.equal(hash(3));
  });

  it("kill -9 of a command mid-way loses nothing acknowledged and leaves the chain usable", async () => {
    const before = await count();
    const child = spawn(process.execPath, [BIN, "set-xray-hash", "chest", hash(10)], { env: { ...process.env, XRAY_HOME: home, XRAY_RPC: "", ...env } });
    await new Promise((r) => setTimeout(r, 150));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const after = await count();
    expect(after === before || after === before + 1).to.equal(true);
    ok(await xray(home, ["set-xray-hash", "chest", hash(11), "-q"], { env }));
    expect(await count()).to.equal(after + 1);
  });

  it("commands at once never lose an update", async () => {
    const before = await count();
    const rs = await Promise.all([20, 21, 22, 23].map((i) => xray(home, ["set-xray-hash", "chest", hash(i), "-q"], { env })));
    rs.forEach(ok);
    expect(await count()).to.equal(before + 4);
  });

  it("a record naming a dead process or a pid of another process is replaced", async () => {
    const file = path.join(home, "chain-daemon.json");
    const real = info(home);
    process.kill(real.pid, "SIGKILL");
    await until("the killed process to go", () => !alive(real.pid));
    fs.writeFileSync(file, JSON.stringify({ ...real, pid: 1, start: "1" }));
    const n = await count();
    expect(n).to.be.greaterThan(0);
    expect(info(home).pid).to.not.equal(1);
  });

  it("xray node takes the chain over from it; after the node stops, a command starts one again", async () => {
    const daemon = info(home).pid;
    const port = await freePort();
    const node = await startProcess(process.execPath, [BIN, "node", "--port", String(port)], { env: { XRAY_HOME: home, XRAY_RPC: "", ...env }, ready: /Ctrl-C/ });
    try {
      await until("the background process to step aside", () => !alive(daemon));
      expect(fs.existsSync(path.join(home, "chain-daemon.json"))).to.equal(false);
      ok(await xray(home, ["set-xray-hash", "chest", hash(30), "-q"], { env }));
      expect(fs.existsSync(path.join(home, "chain-daemon.json"))).to.equal(false);
    } finally {
      await stopProcess(node.child);
    }
    const n = await count();
    expect(alive(info(home).pid)).to.equal(true);
    const r = await xray(home, ["list-xrays", "--json"], { env });
    ok(r);
    expect(r.json.records.map((x: { sha256: string }) => x.sha256)).to.include(hash(30));
    expect(n).to.equal(r.json.records.length);
  });

  it("exits after XRAY_CHAIN_IDLE seconds without a command, removing its record and releasing the chain", async () => {
    ok(await xray(home, ["xray-count", "-q"], { env: { XRAY_CHAIN_IDLE: "1" } }));
    const pid = info(home).pid;
    process.kill(pid, "SIGTERM"); // the one started above with 30 s: stop it, then start a 1 s one
    await until("it to stop", () => !alive(pid));
    ok(await xray(home, ["xray-count", "-q"], { env: { XRAY_CHAIN_IDLE: "1" } }));
    const short = info(home).pid;
    await until("the idle exit", () => !alive(short));
    expect(fs.existsSync(path.join(home, "chain-daemon.json"))).to.equal(false);
    expect(fs.existsSync(path.join(home, "chain.lock"))).to.equal(false);
  });

  it("XRAY_CHAIN_IDLE=0 runs the chain in the command itself; a malformed value is refused", async () => {
    expect(await (async () => {
      const r = await xray(home, ["xray-count", "--json"], { env: { XRAY_CHAIN_IDLE: "0" } });
      ok(r);
      return fs.existsSync(path.join(home, "chain-daemon.json"));
    })()).to.equal(false);
    fails(await xray(home, ["xray-count", "--json"], { env: { XRAY_CHAIN_IDLE: "soon" } }), "BAD_INPUT", /XRAY_CHAIN_IDLE must be a whole number of seconds/);
  });
});
