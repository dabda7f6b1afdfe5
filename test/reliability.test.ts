import { expect } from "chai";
import { execFile, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, fails, freePort, ok, PAPER_HASH, ROOT, startProcess, stopProcess, tempHome, xray, type CliResult } from "./helpers/cli";
import { blockNumber } from "./helpers/chain";

/** Field 22 of /proc/<pid>/stat: the process's start time, as xray records it in lock files. */
function startTime(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/** Runs xray on a pseudo-terminal (python3's pty): what the screen showed, and the exit status. */
function onTerminal(home: string, args: string[]): Promise<{ code: number; screen: string }> {
  const script = path.join(ROOT, "test", "helpers", "pty-drive.py");
  return new Promise((resolve, reject) => {
    const env = { ...process.env, XRAY_HOME: home, XRAY_RPC: "" };
    execFile("python3", [script, "[]", process.execPath, BIN, ...args], { env, timeout: 60_000, killSignal: "SIGKILL" }, (err, stdout) => {
      if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
      resolve({ code: err ? Number((err as { code: number }).code) : 0, screen: stdout.replace(/\r/g, "") });
    });
  });
}

/** One line on stderr, the exit status, the stable code under --json. */
function oneLine(r: CliResult, exit: number, code: string, pattern: RegExp) {
  expect(r.code, r.stderr).to.equal(exit);
  fails(r, code, pattern);
  expect(r.json?.error?.code, r.stdout).to.equal(code);
}

// Operator-grade failures: a damaged or full chain database, stale lock and node files left by
// dead (or recycled) processes, a busy chain, an exposed node, strings too long for the chain.
describe("reliability: damaged homes, stale state, busy chains", function () {
  const home = tempHome("reliable");
  const made: string[] = [home];
  const children: ChildProcess[] = [];
  const paths = { lock: path.join(home, "chain.lock"), node: path.join(home, "node.json") };

  /** A copy of the healthy home to damage. */
  const copyHome = (label: string) => {
    const copy = tempHome(label);
    made.push(copy);
    // a background chain process's socket and record belong to the original, not to a copy
    fs.cpSync(home, copy, { recursive: true, filter: (src) => !/(chain\.sock|chain-daemon\.json)$/.test(src) });
    return copy;
  };

  // These scenarios are about a command holding the chain itself (its lock, its database):
  // XRAY_CHAIN_IDLE=0, no background process. chain-daemon.test.ts covers that process.
  const idleBefore = process.env.XRAY_CHAIN_IDLE;
  before(async () => {
    process.env.XRAY_CHAIN_IDLE = "0";
    ok(await xray(home, ["init", "-q"]));
    ok(await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    ok(await xray(home, ["set-xray-hash", "chest", PAPER_HASH, "-q"]));
  });

  after(async () => {
    process.env.XRAY_CHAIN_IDLE = idleBefore;
    for (const child of children) await stopProcess(child);
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a damaged chain database: one line naming the folder and the fix, exit 1, no lock left", async () => {
    const damaged = copyHome("damaged");
    fs.writeFileSync(path.join(damaged, "chain", "CURRENT"), "MANIFEST-999999\n");
    const r = await xray(damaged, ["xray-count", "--json"]);
    oneLine(r, 1, "CHAIN_DAMAGED", /the chain database .*chain is damaged: restore .* from a backup, or start a new home with `xray init --home <new>`/);
    expect(r.stderr.length).to.be.below(600);
    expect(fs.existsSync(path.join(damaged, "chain.lock"))).to.equal(false);
  });

  it("a full disk (a real 2 MB tmpfs): DISK_FULL, no lock left, the data intact once space is freed", async function () {
    const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-tmpfs-"));
    made.push(mountPoint);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint], { stdio: "ignore" });
    } catch {
      return this.skip(); // not root, or no mount in this container: no honest full disk to test on
    }
    try {
      const small = path.join(mountPoint, "home");
      ok(await xray(small, ["init", "-q"]));
      const filler = path.join(mountPoint, "filler");
      const fd = fs.openSync(filler, "w");
      try {
        for (const chunk = Buffer.alloc(64 * 1024); ; ) fs.writeSync(fd, chunk);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).to.equal("ENOSPC");
      } finally {
        fs.closeSync(fd);
      }
      const r = await xray(small, ["set-permission", "doctor", "Dr.Lee", "doctor", "--json"]);
      oneLine(r, 1, "DISK_FULL", /no space left on the disk holding .*chain: free some space/);
      expect(fs.existsSync(path.join(small, "chain.lock"))).to.equal(false);
      fs.rmSync(filler);
      const profile = await xray(small, ["profile", "--json"]);
      ok(profile);
      expect(profile.json.name).to.equal("Ken");
    } finally {
      execFileSync("umount", [mountPoint]);
    }
  });

  it("a stale lock naming a live pid with another start time (pid 1) is taken over", async () => {
    const wrong = String(Number(startTime(1)) + 12345);
    fs.writeFileSync(paths.lock, JSON.stringify({ pid: 1, start: wrong, command: "xray ghost", since: "2026-01-01T00:00:00.000Z" }));
    const r = await xray(home, ["xray-count", "--json", "--wait", "5"]);
    ok(r);
    expect(r.json.count).to.equal(1);
    expect(fs.existsSync(paths.lock)).to.equal(false);
  });

  it("node.json naming a live process with nothing listening, or a recycled pid, is removed; the command runs embedded", async () => {
    const deadPort = await freePort();
    const self = { pid: process.pid, start: startTime(process.pid), url: `http://127.0.0.1:${deadPort}`, port: deadPort, host: "127.0.0.1", startedAt: "2026-01-01T00:00:00.000Z" };
    for (const info of [self, { ...self, pid: 1, start: String(Number(startTime(1)) + 7) }]) {
      fs.writeFileSync(paths.node, JSON.stringify(info));
      const r = await xray(home, ["xray-count", "--json"]);
      ok(r);
      expect(r.json.count).to.equal(1);
      expect(fs.existsSync(paths.node), JSON.stringify(info)).to.equal(false);
    }
  });

  it("--wait 0 (and XRAY_WAIT=0) with a real holder: CHAIN_BUSY at once, naming the holder; its lock goes when it exits", async () => {
    const lockModule = path.join(ROOT, "dist", "src", "core", "lock.js");
    const script = `require(${JSON.stringify(lockModule)}).acquireLock(${JSON.stringify(paths.lock)}, { command: "xray test-holder" })
      .then(() => { console.log("held"); process.on("SIGTERM", () => process.exit(143)); setInterval(() => {}, 1e6); });`;
    const holder = await startProcess(process.execPath, ["-e", script], { ready: /held/ });
    children.push(holder.child);
    const pattern = new RegExp(`in use by process ${holder.child.pid} \\(xray test-holder, since \\d\\d:\\d\\d:\\d\\d\\): try again when it finishes, or wait longer with --wait <seconds>`);
    oneLine(await xray(home, ["xray-count", "--wait", "0", "--json"]), 1, "CHAIN_BUSY", pattern);
    oneLine(await xray(home, ["set-xray-hash", "knee", "b".repeat(64), "--json"], { env: { XRAY_WAIT: "0" } }), 1, "CHAIN_BUSY", pattern);
    oneLine(await xray(home, ["xray-count", "--wait", "soon", "--json"]), 2, "BAD_INPUT", /--wait must be a number of seconds/);
    // on a terminal, the wait is announced once: what, held by whom, since when
    const seen = await onTerminal(home, ["xray-count", "--wait", "1"]);
    expect(seen.code).to.equal(1);
    const waiting = new RegExp(`^xray: waiting for the embedded chain in .*, held by process ${holder.child.pid} \\(xray test-holder, since \\d\\d:\\d\\d:\\d\\d\\)…`, "m");
    expect(seen.screen).to.match(waiting);
    expect(seen.screen.match(/waiting for/g)).to.have.length(1);
    expect(seen.screen).to.match(/waited 1 s: try again when it finishes/);
    await stopProcess(holder.child);
    expect(fs.existsSync(paths.lock), "the exit handler removes the lock").to.equal(false);
    const r = await xray(home, ["xray-count", "--json", "--wait", "0"]);
    ok(r);
    expect(r.json.count).to.equal(1);
  });

  it("xray node refuses a non-loopback --host without --unsafe-expose", async () => {
    const r = await xray(home, ["node", "--host", "0.0.0.0", "--port", String(await freePort()), "--json"]);
    oneLine(r, 2, "BAD_INPUT", /refusing to serve on 0\.0\.0\.0: the embedded chain's accounts are unlocked.*--unsafe-expose/);
    expect(fs.existsSync(paths.node)).to.equal(false);
  });

  it("a 100 kB name is refused before anything is sent (exit 2)", async () => {
    const before = await blockNumber(home);
    const name = "N".repeat(100_000);
    oneLine(await xray(home, ["set-permission", "4", name, "doctor", "--json"]), 2, "BAD_INPUT", /the name is 100,000 bytes; at most 256 bytes \(UTF-8\)/);
    oneLine(await xray(home, ["set-contact", "é".repeat(200), "--json"]), 2, "BAD_INPUT", /the contact is 400 bytes; at most 256/);
    oneLine(await xray(home, ["init", "--force", "--name", name, "--json"]), 2, "BAD_INPUT", /the patient's name is 100,000 bytes/);
    expect(await blockNumber(home)).to.equal(before);
    const accounts = await xray(home, ["accounts", "--json"]);
    expect(accounts.json.accounts[4]).to.not.have.property("permission");
  });

  it("xray doctor on a healthy home: every check ok, exit 0", async () => {
    const r = await xray(home, ["doctor", "--json"]);
    ok(r);
    const names = r.json.checks.map((c: { check: string }) => c.check);
    expect(names).to.include.members(["lock", "node", "chain", "deployments", "contracts", "keyring", "ipfs"]);
    for (const c of r.json.checks) expect(c, JSON.stringify(c)).to.include({ status: "ok", fix: null });
    const text = await xray(home, ["doctor"]);
    ok(text);
    expect(text.stdout).to.match(/^chain +ok +the embedded chain in .* opens; block \d+$/m);
  });

  it("xray doctor --fix removes stale lock and node files, and only those", async () => {
    fs.writeFileSync(paths.lock, JSON.stringify({ pid: 1, start: String(Number(startTime(1)) + 3) }));
    fs.writeFileSync(paths.node, JSON.stringify({ pid: 1, start: "1", url: "http://127.0.0.1:1", port: 1, host: "127.0.0.1", startedAt: "x" }));
    const seen = await xray(home, ["doctor", "--json", "--fix"]);
    ok(seen);
    const byName = Object.fromEntries(seen.json.checks.map((c: { check: string }) => [c.check, c]));
    expect(byName.lock.message).to.match(/removed a stale lock left by process 1/);
    expect(byName.node.message).to.match(/removed a stale node file/);
    expect(fs.existsSync(paths.lock) || fs.existsSync(paths.node)).to.equal(false);
    expect(fs.existsSync(path.join(home, "deployments.json"))).to.equal(true);
  });

  it("xray doctor on a damaged home: problems listed with fixes, exit 1", async () => {
    const damaged = copyHome("doctor");
    fs.writeFileSync(path.join(damaged, "deployments.json"), "{");
    fs.mkdirSync(path.join(damaged, "keys"));
    fs.writeFileSync(path.join(damaged, "keys", "keyring.json"), '{"format": "xray-keyring/1", "keys": [\u0001');
    // each command names the damaged file and points to doctor
    oneLine(await xray(damaged, ["xray-count", "--json"]), 1, "DAMAGED_FILE", /deployments\.json is damaged .*`xray doctor`/);
    oneLine(await xray(damaged, ["keys", "list", "--json"]), 1, "DAMAGED_FILE", /keys\/keyring\.json is damaged .*`xray doctor`/);
    fs.writeFileSync(path.join(damaged, "chain", "CURRENT"), "garbage\n");
    const r = await xray(damaged, ["doctor", "--json"]);
    expect(r.code, r.stderr).to.equal(1);
    const problems = r.json.checks.filter((c: { status: string }) => c.status === "problem");
    expect(problems.map((c: { check: string }) => c.check)).to.have.members(["chain", "deployments", "keyring"]);
    for (const c of problems) expect(c.fix, c.check).to.be.a("string").and.not.empty;
    expect(fs.readFileSync(path.join(damaged, "deployments.json"), "utf8"), "doctor changes no data").to.equal("{");
    const text = await xray(damaged, ["doctor"]);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(/^deployments +problem +.*deployments\.json is damaged/m);
    expect(text.stdout).to.match(/fix: restore .*chain from a backup/);
  });
});
