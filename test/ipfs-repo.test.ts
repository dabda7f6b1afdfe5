import { expect } from "chai";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deterministicBytes } from "./helpers/bytes";
import { makeDevice } from "./helpers/special-files";
import { BIN, fails, ok, tempHome, xray, type CliResult } from "./helpers/cli";

/** A batch that failed in part: exit 1, exactly one stderr line (the file's problem). */
function failsInPart(r: CliResult, pattern: RegExp) {
  expect(r.code, r.stderr).to.equal(1);
  expect(r.stderr.trim().split("\n"), r.stderr).to.have.length(1);
  expect(r.stderr).to.match(pattern);
}

/** Block files of a home's embedded store. */
const blockFiles = (home: string): string[] => {
  const dir = path.join(home, "ipfs", "blocks");
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)) : [];
};

// The embedded store's upkeep and the Kubo-style verbs: gc, verify, cat, add --kubo-format,
// one JSON shape, special files, and --out / --car through the shared output rules.
describe("xray ipfs gc, verify, cat, add --kubo-format, special files and outputs", function () {
  const homes: string[] = [];
  const home = (label: string) => {
    const h = tempHome(label);
    homes.push(h);
    return h;
  };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-ipfs-repo-"));
  const a = path.join(work, "a.bin");
  const b = path.join(work, "b.bin");
  after(() => {
    for (const dir of [work, ...homes]) fs.rmSync(dir, { recursive: true, force: true });
  });
  before(() => {
    fs.writeFileSync(a, deterministicBytes("a", 600_000)); // 3 leaves and a root
    fs.writeFileSync(b, deterministicBytes("b", 100_000)); // one block
  });

  it("add: one JSON shape for one file and many; one file's text is its CID; --kubo-format prints `added <cid> <name>`", async () => {
    const h = home("ipfs-add");
    const one = await xray(h, ["ipfs", "add", a, "--json"]);
    ok(one);
    expect(one.json.files).to.have.length(1);
    expect(one.json.files[0]).to.include({ file: a, size: 600_000 });
    expect(one.json.failed).to.deep.equal([]);
    const two = await xray(h, ["ipfs", "add", a, b, "--json"]);
    ok(two);
    expect(Object.keys(two.json)).to.deep.equal(Object.keys(one.json));
    expect(two.json.files.map((f: any) => f.file)).to.deep.equal([a, b]);
    const text = await xray(h, ["ipfs", "add", a, "-q"]);
    expect(text.stdout).to.equal(`${one.json.files[0].cid}\n`);
    expect(text.stderr).to.equal("");
    const kubo = await xray(h, ["ipfs", "add", a, work, "--kubo-format"]);
    ok(kubo);
    const lines = kubo.stdout.trim().split("\n");
    expect(lines[0]).to.equal(`added ${one.json.files[0].cid} a.bin`);
    expect(lines).to.include(`added ${one.json.files[0].cid} ${path.basename(work)}/a.bin`);
    expect(lines).to.include(`added ${two.json.files[1].cid} ${path.basename(work)}/b.bin`);
  });

  it("add: a FIFO, a device and a dangling link are reported as xray hash reports them (never read), counted, exit 1", async () => {
    const h = home("ipfs-special");
    const fifo = path.join(work, "scan.fifo");
    execFileSync("mkfifo", [fifo]);
    const dangling = path.join(work, "dangling.png");
    fs.symlinkSync(path.join(work, "nowhere.png"), dangling);
    try {
      const r = await xray(h, ["ipfs", "add", fifo, "--json"]);
      failsInPart(r, /scan\.fifo: is a FIFO \(named pipe\), not a file/);
      expect(r.json.files).to.deep.equal([]);
      expect(r.json.failed).to.deep.equal([{ file: fifo, error: "is a FIFO (named pipe), not a file" }]);
      const d = await xray(h, ["ipfs", "add", dangling]);
      failsInPart(d, /dangling\.png: dangling symbolic link/);
      // Mixed: the good file is added, the bad one reported; exit 1.
      const mixed = await xray(h, ["ipfs", "add", b, fifo, "--json"]);
      expect(mixed.code).to.equal(1);
      expect(mixed.json.files).to.have.length(1);
      expect(mixed.json.failed).to.have.length(1);
      const dev = makeDevice(work);
      if (dev) failsInPart(await xray(h, ["ipfs", "add", dev]), /null-device: is a device, not a file/);
    } finally {
      fs.rmSync(fifo, { force: true });
      fs.rmSync(dangling, { force: true });
    }
  });

  it("cat writes the bytes to stdout; --json is refused; a bad CID is one line, exit 2", async () => {
    const h = home("ipfs-cat");
    const cid = (await xray(h, ["ipfs", "add", b, "-q"])).stdout.trim();
    const r = await new Promise<Buffer>((resolve) => {
      const child = spawn(process.execPath, [BIN, "ipfs", "cat", cid], { env: { ...process.env, XRAY_HOME: h } });
      const parts: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => parts.push(d));
      child.on("close", () => resolve(Buffer.concat(parts)));
    });
    expect(r.equals(fs.readFileSync(b))).to.equal(true);
    fails(await xray(h, ["ipfs", "cat", cid, "--json"]), "BAD_INPUT", /no JSON document/);
    fails(await xray(h, ["ipfs", "cat", "QmNotACid"]), "BAD_INPUT", /not a CID/);
    expect((await xray(h, ["ipfs", "cat", "QmNotACid"])).code).to.equal(2);
  });

  it("get --out: an existing file refused (exit 2, unchanged) unless --force; a symlink followed; a FIFO and a device written through; '-' is stdout", async () => {
    const h = home("ipfs-out");
    const cid = (await xray(h, ["ipfs", "add", b, "-q"])).stdout.trim();
    const existing = path.join(work, "existing.bin");
    fs.writeFileSync(existing, "keep me");
    const refused = await xray(h, ["ipfs", "get", cid, "--out", existing, "--json"]);
    fails(refused, "BAD_INPUT", /exists: use --force to replace it/);
    expect(refused.code).to.equal(2);
    expect(fs.readFileSync(existing, "utf8")).to.equal("keep me");
    ok(await xray(h, ["ipfs", "get", cid, "--out", existing, "--force"]));
    expect(fs.readFileSync(existing).equals(fs.readFileSync(b))).to.equal(true);
    // A symlink: the link stays a link, its target gets the bytes.
    const target = path.join(work, "link-target.bin");
    const link = path.join(work, "link.bin");
    fs.symlinkSync(target, link);
    ok(await xray(h, ["ipfs", "get", cid, "--out", link]));
    expect(fs.lstatSync(link).isSymbolicLink()).to.equal(true);
    expect(fs.readFileSync(target).equals(fs.readFileSync(b))).to.equal(true);
    // A FIFO: written through (a reader on the other end), still a FIFO afterwards.
    const fifo = path.join(work, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      fs.createReadStream(fifo).on("data", (d) => parts.push(d as Buffer)).on("end", () => resolve(Buffer.concat(parts)));
    });
    ok(await xray(h, ["ipfs", "get", cid, "--out", fifo]));
    expect((await reader).equals(fs.readFileSync(b))).to.equal(true);
    expect(fs.statSync(fifo).isFIFO()).to.equal(true);
    const dev = makeDevice(work);
    if (dev) {
      ok(await xray(h, ["ipfs", "get", cid, "--out", dev]));
      expect(fs.statSync(dev).isCharacterDevice()).to.equal(true);
    }
    // '-': the bytes on stdout, the report on stderr.
    const out = await xray(h, ["ipfs", "get", cid, "--out", "-"]);
    ok(out);
    expect(Buffer.from(out.stdout, "latin1").length).to.be.greaterThan(0);
    expect(fs.existsSync(path.join(process.cwd(), "-"))).to.equal(false);
    fails(await xray(h, ["ipfs", "get", cid, "--out", work, "--json"]), "BAD_INPUT", /is a folder/);
    // export --car goes through the same rules.
    const car = path.join(work, "b.car");
    ok(await xray(h, ["ipfs", "export", cid, "--car", car]));
    const before = fs.readFileSync(car);
    fails(await xray(h, ["ipfs", "export", cid, "--car", car, "--json"]), "BAD_INPUT", /exists: use --force/);
    expect(fs.readFileSync(car).equals(before)).to.equal(true);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("gc removes blocks no pin reaches, keeps pinned ones (--dry-run removes nothing); verify names a damaged block, exit 1", async () => {
    const h = home("ipfs-gc");
    const kept = (await xray(h, ["ipfs", "add", b, "-q"])).stdout.trim();
    const orphan = (await xray(h, ["ipfs", "add", a, "-q"])).stdout.trim();
    fs.rmSync(path.join(h, "ipfs", "pins", orphan)); // added, never recorded: what a killed upload leaves
    const bytesOf = (files: string[]) => files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const all = blockFiles(h);
    const allBytes = bytesOf(all);
    expect(all).to.have.length(1 + 4);
    const dry = await xray(h, ["ipfs", "gc", "--dry-run", "--json"]);
    ok(dry);
    expect(dry.json).to.include({ dryRun: true, kept: 1 });
    expect(dry.json.removed).to.have.length(4);
    expect(blockFiles(h)).to.deep.equal(all);
    const gc = await xray(h, ["ipfs", "gc", "--json"]);
    ok(gc);
    expect(gc.json.removed.map((r: any) => r.cid)).to.include(orphan);
    expect(blockFiles(h)).to.have.length(1);
    expect(gc.json.bytesFreed).to.equal(allBytes - bytesOf(blockFiles(h)));
    expect(dry.json.bytesFreed).to.equal(gc.json.bytesFreed);
    ok(await xray(h, ["ipfs", "get", kept, "--out", path.join(work, "kept.bin")]));
    fails(await xray(h, ["ipfs", "get", orphan, "--out", path.join(work, "orphan.bin"), "--json"]), "IPFS_NOT_FOUND", /not in the IPFS store/);
    // verify: all good, then one byte changed in the block file.
    const good = await xray(h, ["ipfs", "verify", "--json"]);
    ok(good);
    expect(good.json).to.include({ blocks: 1 });
    expect(good.json.bad).to.deep.equal([]);
    const [file] = blockFiles(h);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length >> 1] ^= 1;
    fs.writeFileSync(file, bytes);
    const bad = await xray(h, ["ipfs", "verify"]);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.include(kept).and.include(path.basename(file)).and.match(/its bytes do not hash to its CID/);
    expect(bad.stderr.trim().split("\n")).to.have.length(1);
    expect((await xray(h, ["ipfs", "verify", "--json"])).json.bad[0]).to.include({ cid: kept, file });
  });

  it("each new verb answers --help with examples", async () => {
    for (const verb of ["cat", "gc", "verify", "add"]) {
      const r = await xray(home("ipfs-help"), ["ipfs", verb, "--help"]);
      expect(r.code, verb).to.equal(0);
      expect(r.stdout, verb).to.match(new RegExp(`^Usage: xray ipfs ${verb}`)).and.match(/Examples:\n {2}\$ xray ipfs /);
    }
    expect((await xray(home("ipfs-help"), ["ipfs", "add", "--help"])).stdout).to.include("--kubo-format");
    expect((await xray(home("ipfs-help"), ["upload", "--help"])).stdout).to.include("--again");
    expect((await xray(home("ipfs-help"), ["download", "--help"])).stdout).to.include("--force");
  });

  it("gc and verify with --ipfs: one line pointing at Kubo's own `ipfs repo gc`, exit 2", async () => {
    const h = home("ipfs-kubo-gc");
    fails(await xray(h, ["ipfs", "gc", "--ipfs", "http://127.0.0.1:9", "--json"]), "BAD_INPUT", /run `ipfs repo gc` there/);
    fails(await xray(h, ["ipfs", "verify", "--ipfs", "/ip4/127.0.0.1/tcp/9"]), "BAD_INPUT", /run `ipfs repo verify` there/);
    expect((await xray(h, ["ipfs", "gc", "--ipfs", "http://127.0.0.1:9"])).code).to.equal(2);
  });
});
