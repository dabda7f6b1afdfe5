import { expect } from "chai";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, cxrData, tempHome, xray, type CliResult } from "./helpers/cli";

const FIFO = "is a FIFO (named pipe), not a file";

/** sha256sum run from `cwd`: its exit status, stdout and stderr. */
function sha256sum(cwd: string, args: string[], input: string | Buffer = "") {
  const r = spawnSync("sha256sum", args, { cwd, input, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exactly one line on stderr. */
const oneLine = (r: CliResult, pattern: RegExp) => {
  expect(r.stderr.trimEnd().split("\n"), r.stderr).to.have.length(1);
  expect(r.stderr.trimEnd()).to.match(pattern);
};

// `xray hash` on FIFOs, sockets, devices and dangling links; --out and --manifest targets; -q; -c; '-'.
describe("xray hash: special files, outputs, -c and standard input", function () {
  this.timeout(60_000);
  const home = tempHome("hash-special");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-hashspecial-"));
  const normal = path.join(cxrData(), "originals", "normal");
  const [imgA, imgB] = fs.readdirSync(normal).sort().slice(0, 2).map((f) => path.join(normal, f));
  const run = (args: string[], input?: string) => xray(home, args, { cwd: work, input });

  before(() => {
    fs.mkdirSync(path.join(work, "d"));
    fs.copyFileSync(imgA, path.join(work, "d", "a.png"));
    fs.copyFileSync(imgB, path.join(work, "d", "b.png"));
    execFileSync("mkfifo", [path.join(work, "d", "fifo.png"), path.join(work, "top.png")]);
    fs.symlinkSync("nowhere.png", path.join(work, "d", "dangling.png"));
    execFileSync("mknod", [path.join(work, "d", "null.png"), "c", "1", "3"]);
    execFileSync("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path.join(work, "d", "sock.png")]);
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("reports a FIFO given directly, in one line, without opening it, and exits 1", async () => {
    const r = await run(["hash", "top.png", "--json"]);
    expect(r.code).to.equal(1);
    oneLine(r, /^xray: top\.png: is a FIFO \(named pipe\), not a file$/);
    expect(r.json).to.include({ count: 0, failedCount: 1 });
    expect(r.json.failed).to.deep.equal([{ file: "top.png", error: FIFO }]);
    const text = await run(["hash", "top.png"]);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.equal(""); // nothing hashed: the summary is on stderr, never on stdout
    expect(text.stderr).to.match(/0 files, 0 B hashed in .*; 1 failed/);
  });

  it("reports every file of a folder it does not hash (FIFO, device, socket, dangling link), counts them, exits 1", async () => {
    const r = await run(["hash", "d", "--json"]);
    expect(r.code).to.equal(1);
    expect(r.json.files.map((f: { file: string }) => f.file)).to.deep.equal(["d/a.png", "d/b.png"]);
    expect(r.json.failedCount).to.equal(4);
    expect(r.json.failed).to.deep.equal([
      { file: "d/dangling.png", error: "dangling symbolic link" },
      { file: "d/fifo.png", error: FIFO },
      { file: "d/null.png", error: "is a device, not a file" },
      { file: "d/sock.png", error: "is a socket, not a file" },
    ]);
    expect(r.stderr.trimEnd().split("\n")).to.have.length(4);
    const dangling = await run(["hash", "d/dangling.png", "-q"]);
    expect(dangling.code).to.equal(1);
    oneLine(dangling, /^xray: d\/dangling\.png: dangling symbolic link$/);
  });

  it("-q keeps every hash and drops the summary: `xray hash d -q > SHA256SUMS` passes sha256sum -c", async () => {
    const r = await run(["hash", "d/a.png", "d/b.png", "-q"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal("");
    expect(r.stdout).to.equal(sha256sum(work, ["d/a.png", "d/b.png"]).stdout);
    fs.writeFileSync(path.join(work, "SUMS"), r.stdout);
    expect(sha256sum(work, ["-c", "SUMS"]).code).to.equal(0);
  });

  it("--out refuses an existing file (exit 2, unchanged) and a folder (no .tmp left); --force replaces", async () => {
    fs.writeFileSync(path.join(work, "existing.txt"), "keep me\n");
    const r = await run(["hash", "d/a.png", "--out", "existing.txt", "--json"]);
    expect(r.code).to.equal(2);
    oneLine(r, /existing\.txt exists: use --force to replace it/);
    expect(r.json.error.code).to.equal("BAD_INPUT");
    expect(fs.readFileSync(path.join(work, "existing.txt"), "utf8")).to.equal("keep me\n");
    fs.mkdirSync(path.join(work, "outdir"));
    const dir = await run(["hash", "d/a.png", "--out", "outdir", "--json"]);
    expect(dir.code).to.equal(2);
    oneLine(dir, /outdir is a folder/);
    expect(dir.json.error.code).to.equal("BAD_INPUT");
    expect(fs.readdirSync(path.join(work, "outdir"))).to.be.empty;
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".tmp"))).to.be.empty;
    const forced = await run(["hash", "d/a.png", "--out", "existing.txt", "--force"]);
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.stdout).to.equal("");
    expect(fs.readFileSync(path.join(work, "existing.txt"), "utf8")).to.equal(sha256sum(work, ["d/a.png"]).stdout);
  });

  it("--out writes through a FIFO and a device (never replaced), follows a symlink, and '-' is stdout", async () => {
    const fifo = path.join(work, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo]);
    let got = "";
    reader.stdout.on("data", (d) => (got += d));
    const closed = new Promise((resolve) => reader.on("close", resolve));
    const r = await run(["hash", "d/a.png", "--out", "out.fifo"]);
    await closed;
    expect(r.code, r.stderr).to.equal(0);
    expect(got).to.equal(sha256sum(work, ["d/a.png"]).stdout);
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
    const dev = path.join(work, "out.null");
    execFileSync("mknod", [dev, "c", "1", "3"]);
    const d = await run(["hash", "d/a.png", "--out", "out.null"]);
    expect(d.code, d.stderr).to.equal(0);
    expect(fs.lstatSync(dev).isCharacterDevice()).to.equal(true);
    fs.symlinkSync("linked.txt", path.join(work, "link.txt"));
    expect((await run(["hash", "d/a.png", "--out", "link.txt"])).code).to.equal(0);
    expect(fs.lstatSync(path.join(work, "link.txt")).isSymbolicLink()).to.equal(true);
    expect(fs.readFileSync(path.join(work, "linked.txt"), "utf8")).to.equal(sha256sum(work, ["d/a.png"]).stdout);
    const dash = await run(["hash", "d/a.png", "--out", "-"]);
    expect(dash.stdout).to.equal(sha256sum(work, ["d/a.png"]).stdout);
    expect(fs.existsSync(path.join(work, "-"))).to.equal(false);
  });

  it("--manifest replaces the manifest of the same paths, refuses any other file without --force", async () => {
    expect((await run(["hash", "d/a.png", "--manifest", "m.json", "-q"])).code).to.equal(0);
    const again = await run(["hash", "d/a.png", "--manifest", "m.json", "-q"]);
    expect(again.code, again.stderr).to.equal(0);
    const before = fs.readFileSync(path.join(work, "m.json"), "utf8");
    const other = await run(["hash", "d/b.png", "--manifest", "m.json", "--json"]);
    expect(other.code).to.equal(2);
    oneLine(other, /m\.json exists: use --force/);
    expect(fs.readFileSync(path.join(work, "m.json"), "utf8")).to.equal(before);
    const folder = await run(["hash", "d/a.png", "--manifest", "outdir", "--json"]);
    expect(folder.code).to.equal(2);
    oneLine(folder, /outdir is a folder/);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".tmp"))).to.be.empty;
    execFileSync("mknod", [path.join(work, "m.null"), "c", "1", "3"]);
    const dev = await run(["hash", "d/a.png", "--manifest", "m.null", "-q"]);
    expect(dev.code, dev.stderr).to.equal(0);
    expect(fs.lstatSync(path.join(work, "m.null")).isCharacterDevice()).to.equal(true);
  });

  it("'-' hashes standard input as sha256sum does; bytes that are not an image are reported", async () => {
    const image = fs.readFileSync(imgA); // binary: through spawnSync, not the text-only helper
    const r = spawnSync(process.execPath, [BIN, "hash", "-"], { cwd: work, input: image, encoding: "utf8", env: { ...process.env, XRAY_HOME: home } });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(sha256sum(work, ["-"], image).stdout);
    const text = await run(["hash", "-", "--json"], "hello\n");
    expect(text.code).to.equal(1);
    oneLine(text, /^xray: -: not an image/);
  });

  it("-c prints what sha256sum -c prints, with its warnings and exit status, for every option", async () => {
    fs.copyFileSync(imgA, path.join(work, "d", "back\\slash.png"));
    fs.writeFileSync(path.join(work, "empty"), "");
    const good = sha256sum(work, ["d/a.png", "d/back\\slash.png", "empty"]).stdout;
    const list = [good, `${"0".repeat(64)}  d/b.png`, "not a checksum line", "# a comment", "", `${"1".repeat(64)} *missing.png`, `${"2".repeat(64)}  d`].join("\n") + "\n";
    fs.writeFileSync(path.join(work, "LIST"), list);
    for (const opts of [[], ["--quiet"], ["--status"], ["--strict"], ["--ignore-missing", "--warn"]]) {
      const ours = await run(["hash", "-c", "LIST", ...opts]);
      const theirs = sha256sum(work, ["-c", "LIST", ...opts]);
      expect(ours.stdout, opts.join(" ")).to.equal(theirs.stdout);
      expect(ours.stderr, opts.join(" ")).to.equal(theirs.stderr.replace(/^sha256sum: /gm, "xray: "));
      expect(ours.code, opts.join(" ")).to.equal(theirs.code);
    }
    const q = await run(["hash", "--check", "LIST", "-q"]);
    expect(q.stdout).to.equal(sha256sum(work, ["-c", "--quiet", "LIST"]).stdout);
    const all = sha256sum(work, ["-c", "-"], good);
    const fromStdin = await run(["hash", "-c"], good);
    expect([fromStdin.code, fromStdin.stdout]).to.deep.equal([all.code, all.stdout]);
    expect(all.code).to.equal(0);
    const none = await run(["hash", "-c", "-", "--json"], "garbage\n");
    expect(none.code).to.equal(1);
    expect(none.stderr).to.equal(sha256sum(work, ["-c"], "garbage\n").stderr.replace(/^sha256sum: /gm, "xray: "));
    expect(none.json).to.include({ ok: false, improperlyFormatted: 1 });
  });
});
