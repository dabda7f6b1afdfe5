import { expect } from "chai";
import { createHash } from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connectChain } from "../src/core/chain/chain";
import { shareImage } from "../src/core/chain/actions/access";
import { xrContext } from "../src/core/chain/xr";
import { deterministicBytes } from "./helpers/bytes";
import { BIN, cxrData, fails, ok, tempHome, xray } from "./helpers/cli";
import { makeDevice } from "./helpers/special-files";

const PASS = "correct horse battery staple";
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

// Streamed upload and download through the CLI: the result line, duplicate shares, every kind
// of --out target, nothing released before verification, and gc after a killed upload.
describe("upload and download, streamed (duplicates, --out targets, verification before release, gc after kill -9)", function () {
  const home = tempHome("share-stream");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-share-stream-"));
  const env = { XRAY_PASSPHRASE: PASS };
  const x = (args: string[]) => xray(home, args, { env });
  const blocks = () => {
    const dir = path.join(home, "ipfs", "blocks");
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)) : [];
  };
  let image: string;
  let bytes: Buffer;
  let first: any;
  after(() => {
    for (const dir of [home, work]) fs.rmSync(dir, { recursive: true, force: true });
  });
  before(async () => {
    const originals = path.join(cxrData(), "originals");
    const dir = path.join(originals, fs.readdirSync(originals).sort()[0]);
    image = path.join(dir, fs.readdirSync(dir).sort()[0]);
    bytes = fs.readFileSync(image);
    ok(await x(["init", "-q"]));
    ok(await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    ok(await x(["keys", "generate", "--name", "Ken", "--account", "patient", "-q"]));
    ok(await x(["keys", "generate", "--name", "Dr.Lee", "--account", "doctor", "-q"]));
  });

  it("upload: -q prints the CID alone; --json has file, seconds {hash, encrypt, ipfs, chain} and the tx", async () => {
    const q = await x(["upload", image, "--to", "patient", "-q"]);
    ok(q);
    expect(q.stdout).to.match(/^Qm\w{44}\n$/);
    expect(q.stderr).to.equal("");
    const shared = (await x(["events", "--kind", "shared", "--json"])).json.events;
    expect(shared.map((e: any) => e.args.cid)).to.deep.equal([q.stdout.trim()]);
    first = { cid: q.stdout.trim(), sha256: sha256(bytes) };
  });

  it("a rerun of the same upload is refused (exit 1, one line naming #0 and its CID); --again shares it anyway", async () => {
    const again = await x(["upload", image, "--to", "patient", "--json"]);
    fails(again, "ALREADY_SHARED", new RegExp(`already shared with 0x\\w+ as #0 \\(${first.cid}\\)`));
    expect(again.code).to.equal(1);
    expect((await x(["events", "--kind", "shared", "--json"])).json.events).to.have.length(1);
    const forced = await x(["upload", image, "--to", "patient", "--again", "--json"]);
    ok(forced);
    expect(Object.keys(forced.json.seconds)).to.deep.equal(["hash", "encrypt", "ipfs", "chain"]);
    expect(forced.json).to.include({ file: image, sha256: first.sha256, size: bytes.length });
    expect(forced.json).to.not.have.property("ms");
    expect(forced.json.tx.hash).to.match(/^0x/);
    expect((await x(["events", "--kind", "shared", "--json"])).json.events).to.have.length(2);
  });

  it("download --out: an existing file refused unless --force; a symlink followed; a FIFO and a device written through; '-' is stdout", async () => {
    const existing = path.join(work, "existing.png");
    fs.writeFileSync(existing, "keep me");
    const refused = await x(["download", "#0", "--out", existing, "--json"]);
    fails(refused, "BAD_INPUT", /exists: use --force to replace it/);
    expect(refused.code).to.equal(2);
    expect(fs.readFileSync(existing, "utf8")).to.equal("keep me");
    ok(await x(["download", "#0", "--out", existing, "--force"]));
    expect(fs.readFileSync(existing).equals(bytes)).to.equal(true);
    const target = path.join(work, "target.png");
    const link = path.join(work, "link.png");
    fs.symlinkSync(target, link);
    ok(await x(["download", "#0", "--out", link]));
    expect(fs.lstatSync(link).isSymbolicLink()).to.equal(true);
    expect(fs.readFileSync(target).equals(bytes)).to.equal(true);
    const fifo = path.join(work, "scan.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      fs.createReadStream(fifo).on("data", (d) => parts.push(d as Buffer)).on("end", () => resolve(Buffer.concat(parts)));
    });
    ok(await x(["download", "#0", "--out", fifo]));
    expect((await reader).equals(bytes)).to.equal(true);
    expect(fs.statSync(fifo).isFIFO()).to.equal(true);
    const dev = makeDevice(work);
    if (dev) {
      ok(await x(["download", "#0", "--out", dev]));
      expect(fs.statSync(dev).isCharacterDevice()).to.equal(true);
    }
    const piped = await stdoutOf(["download", "#0", "--out", "-", "--from", "patient"]);
    expect(piped.code).to.equal(0);
    expect(piped.stdout.equals(bytes)).to.equal(true);
    fails(await x(["download", "#0", "--out", "-", "--json"]), "BAD_INPUT", /use one or the other/);
    fails(await x(["download", "#0", "--out", work, "--json"]), "BAD_INPUT", /is a folder/);
  });

  it("an image that does not match the chain is decrypted in full but never released: no file, nothing on stdout, no spool left", async () => {
    // The real ciphertext recorded again with another SHA-256: decryption and signature are good, the hash is not.
    const chain = await connectChain({ home });
    try {
      const ctx = xrContext(chain);
      await shareImage(ctx, { receiver: ctx.deployment.roles.patient, cid: first.cid, sha256: "ab".repeat(32), description: "wrong hash", from: ctx.deployment.roles.doctor });
    } finally {
      await chain.close();
    }
    const n = (await x(["events", "--kind", "shared", "--json"])).json.events.length - 1;
    const out = path.join(work, "never.png");
    fails(await x(["download", `#${n}`, "--out", out, "--json"]), "TAMPERED", /but the chain records abab/);
    expect(fs.existsSync(out)).to.equal(false);
    // The plaintext spool a download killed with -9 left (its process is gone) is removed too.
    const stale = path.join(home, "tmp", "download.2147483646.1");
    fs.mkdirSync(path.dirname(stale), { recursive: true });
    fs.writeFileSync(stale, "plaintext");
    const piped = await stdoutOf(["download", `#${n}`, "--out", "-"]);
    expect(piped.code).to.equal(1);
    expect(piped.stdout.length).to.equal(0);
    expect(fs.readdirSync(path.join(home, "tmp"))).to.deep.equal([]);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("kill -9 during a large upload leaves orphan blocks; ipfs gc removes them, keeps recorded images (pinned or not); download still works", async function () {
    // A large image: a real X-ray's bytes, then pseudo-random bytes (upload reads only the header to know it is an image).
    const big = path.join(work, "big.png");
    fs.writeFileSync(big, Buffer.concat([bytes, deterministicBytes("big", 120_000_000)]));
    for (const pin of fs.readdirSync(path.join(home, "ipfs", "pins"))) fs.rmSync(path.join(home, "ipfs", "pins", pin)); // recorded on chain only
    const before = new Set(blocks());
    const child = spawn(process.execPath, [BIN, "upload", big, "--to", "patient"], { env: { ...process.env, ...env, XRAY_HOME: home, XRAY_RPC: "" } });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    for (let i = 0; i < 1200 && blocks().length - before.size < 40; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await exited;
    const orphans = blocks().filter((f) => !before.has(f));
    expect(orphans.length, "blocks written before the kill").to.be.greaterThan(0);
    const gc = await x(["ipfs", "gc", "--json"]);
    ok(gc);
    expect(gc.json.removed).to.have.length(orphans.length);
    expect(new Set(blocks())).to.deep.equal(before);
    const back = path.join(work, "after-gc.png");
    ok(await x(["download", "#0", "--out", back]));
    expect(fs.readFileSync(back).equals(bytes)).to.equal(true);
    ok(await x(["ipfs", "verify"]));
  });

  /** Runs xray with stdout as bytes. */
  function stdoutOf(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, XRAY_HOME: home, XRAY_RPC: "" } });
      const parts: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => parts.push(d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(parts), stderr }));
    });
  }
});
