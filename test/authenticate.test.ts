import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cxrData, fails, ok, tempHome, xray } from "./helpers/cli";

const PASS = "correct horse battery staple";

async function samples(file: string): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  return sharp(file).toColourspace("srgb").raw().toBuffer();
}

// Jabarulla et al.'s framework through the CLI: patient data hidden in the pixels, the image
// encrypted on IPFS, and the two-case check (checksum, hidden data) against the ledger.
describe("steganography and the two-case authenticity check (xray stego, upload --embed, authenticate)", function () {
  const home = tempHome("stego");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-stego-"));
  const x = (args: string[]) => xray(home, args, { env: { XRAY_PASSPHRASE: PASS } });
  const originals = path.join(cxrData(), "originals");
  const png = path.join(originals, "normal", "00001280_004.png");
  const jpeg = path.join(originals, "covid", "01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg");

  before(async function () {
    ok(await x(["init", "-q"]));
    ok(await x(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    ok(await x(["set-contact", "0912-321-456", "-q"]));
    ok(await x(["keys", "generate", "--name", "Ken", "--account", "patient"]));
    ok(await x(["keys", "generate", "--name", "Dr.Lee", "--account", "doctor"]));
  });

  it("stego embed/extract round-trips a text in a real PNG X-ray; no sample moves by more than 1", async function () {
    const out = path.join(work, "hidden.png");
    const text = "Ken, 25, male, A; contact 0912-321-456; 患者";
    const r = await x(["stego", "embed", png, "--text", text, "--out", out, "--json"]);
    ok(r);
    expect(r.json).to.include({ out, maxDiff: 1, textBytes: Buffer.byteLength(text), encryptedFor: null });
    expect(r.json.psnr).to.be.above(60);
    expect(fs.readFileSync(out).subarray(1, 4).toString()).to.equal("PNG");
    const [a, b] = [await samples(png), await samples(out)];
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).to.equal(1);
    const e = await x(["stego", "extract", out]);
    ok(e);
    expect(e.stdout).to.equal(text + "\n");
    const text2 = await x(["stego", "embed", png, "--text", text, "--out", path.join(work, "hidden2.png")]);
    expect(text2.stdout).to.match(/hidden2\.png: \d+ of \d+ bytes hidden; max pixel change 1, PSNR \d+\.\d\d dB/);
  });

  it("converts a JPEG to PNG with a warning; the text hidden in it is gone once saved as JPEG again", async function () {
    const out = path.join(work, "covid.png");
    const r = await x(["stego", "embed", jpeg, "--text", "covid case 7", "--out", out]);
    ok(r);
    expect(r.stderr).to.match(/warning: the input is a JPEG: the output is a lossless PNG/);
    expect((await x(["stego", "extract", out])).stdout.trim()).to.equal("covid case 7");
    const { default: sharp } = await import("sharp");
    const recompressed = path.join(work, "recompressed.jpg");
    await sharp(out).jpeg({ quality: 95 }).toFile(recompressed);
    fails(await x(["stego", "extract", recompressed, "--json"]), "STEGO_NO_PAYLOAD", /no hidden data.*lossy JPEG compression destroys hidden data/);
  });

  it("encrypts the hidden text to a key, and only the keyring's private key reads it", async function () {
    const out = path.join(work, "secret.png");
    const r = await x(["stego", "embed", png, "--text", "HIV status: negative", "--encrypt-to", "patient", "--out", out, "--json"]);
    ok(r);
    expect(r.json.encryptedFor).to.match(/^[0-9a-f]{40}$/);
    const e = await x(["stego", "extract", out, "--json"]);
    ok(e);
    expect(e.json).to.include({ text: "HIV status: negative", encrypted: true });
    fails(await xray(tempHome("stego-other"), ["stego", "extract", out, "--json"]), "PGP_NO_KEY", /encrypted for key .* no private key/);
  });

  it("refuses too long a text, a non-PNG output, a damaged payload and an unreadable image, each in one line", async function () {
    const { default: sharp } = await import("sharp");
    const tiny = path.join(work, "tiny.png");
    await sharp({ create: { width: 16, height: 16, channels: 3, background: "#808080" } }).png().toFile(tiny);
    fails(await x(["stego", "embed", tiny, "--text", "x".repeat(100), "--out", path.join(work, "t.png"), "--json"]), "STEGO_CAPACITY", /100 bytes .* at most 78 bytes/);
    expect(fs.existsSync(path.join(work, "t.png"))).to.equal(false);
    fails(await x(["stego", "embed", png, "--text", "a", "--out", path.join(work, "t.jpg"), "--json"]), "BAD_INPUT", /--out must be a \.png/);
    fails(await x(["stego", "embed", png, "--out", path.join(work, "t.png"), "--json"]), "BAD_INPUT", /--text <info> or --text-file/);
    // Flip the low bits of the payload's first samples in a hidden PNG.
    const hidden = path.join(work, "hidden.png");
    const meta = await sharp(hidden).metadata();
    const raw = await sharp(hidden).toColourspace("b-w").raw().toBuffer();
    for (let i = 80; i < 120; i++) raw[i] ^= 1;
    const damaged = path.join(work, "damaged.png");
    await sharp(raw, { raw: { width: meta.width!, height: meta.height!, channels: 1 } }).toColourspace("b-w").png().toFile(damaged);
    fails(await x(["stego", "extract", damaged, "--json"]), "STEGO_DAMAGED", /damaged/);
    fails(await x(["stego", "extract", png, "--json"]), "STEGO_NO_PAYLOAD", /no hidden data in this image/);
    const truncated = path.join(work, "truncated.png");
    fs.writeFileSync(truncated, fs.readFileSync(png).subarray(0, 5000));
    fails(await x(["stego", "extract", truncated, "--json"]), "IMAGE_UNREADABLE", /truncated\.png|unreadable|cannot|not/i);
  });

  it("upload --embed -> download -> authenticate passes on a real X-ray; a changed image or ledger fails with the reason", async function () {
    const up = await x(["upload", jpeg, "--to", "patient", "--embed", "--description", "PA view", "--json"]);
    ok(up);
    expect(up.json.embedded.maxDiff).to.equal(1);
    expect(up.json.embedded.convertedFrom).to.equal("jpeg");
    const file = path.join(work, "downloaded.png");
    ok(await x(["download", up.json.cid, "--out", file, "--from", "patient"]));
    const hidden = JSON.parse((await x(["stego", "extract", file, "--json"])).json.text);
    expect(hidden).to.include({ name: "Ken", contact: "0912-321-456", description: "X-ray, chest: PA view" });

    const good = await x(["authenticate", file, "--json"]);
    ok(good);
    expect(good.json).to.deep.include({ ok: true, sha256: up.json.sha256 });
    expect(good.json.checksum.ok).to.equal(true);
    expect(good.json.hidden.ok).to.equal(true);
    const byCid = await x(["authenticate", up.json.cid, "--from", "patient"]);
    ok(byCid);
    expect(byCid.stdout).to.match(/1 checksum: +ok: every block matches CID/);
    expect(byCid.stdout).to.match(/2 hidden data: +ok: the hidden patient data \(Ken, 0x[0-9a-fA-F]{40}, "X-ray, chest: PA view"\) matches the ledger/);
    expect(byCid.stdout).to.match(/verdict: +authentic/);

    // The image changed: one sample's value moved by one (the hidden data survives, the checksum does not).
    const { default: sharp } = await import("sharp");
    const meta = await sharp(file).metadata();
    const space = meta.channels === 1 ? "b-w" : "srgb";
    const raw = await sharp(file).toColourspace(space).raw().toBuffer();
    raw[raw.length - 1] ^= 1;
    const changed = path.join(work, "changed.png");
    await sharp(raw, { raw: { width: meta.width!, height: meta.height!, channels: meta.channels as 1 | 3 } }).toColourspace(space).png().toFile(changed);
    const bad = await x(["authenticate", changed, "--json"]);
    expect(bad.code).to.equal(1);
    expect(bad.json.checksum).to.include({ ok: false, code: "NOT_ON_LEDGER" });
    expect(bad.json.hidden.ok, JSON.stringify(bad.json)).to.equal(true);
    const badText = await x(["authenticate", changed]);
    expect(badText.code).to.equal(1);
    expect(badText.stdout).to.match(/1 checksum: +FAILED: SHA-256 [0-9a-f]{64} is not on the ledger/);
    expect(badText.stdout).to.match(/verdict: +NOT authentic: any further processing of this image is not allowed/);

    // The ledger changed: the host records a new contact.
    ok(await x(["set-contact", "0999-000-111", "-q"]));
    const moved = await x(["authenticate", file, "--json"]);
    expect(moved.code).to.equal(1);
    expect(moved.json.checksum.ok).to.equal(true);
    expect(moved.json.hidden).to.include({ ok: false, code: "HIDDEN_MISMATCH" });
    expect(moved.json.hidden.differences).to.deep.equal([{ field: "contact", image: "0912-321-456", ledger: "0999-000-111" }]);
    const movedText = await x(["authenticate", up.json.cid, "--from", "patient"]);
    expect(movedText.code).to.equal(1);
    expect(movedText.stdout).to.match(/2 hidden data: +FAILED: the hidden patient data does not match the ledger: contact: image says "0912-321-456", ledger says "0999-000-111"/);
  });

  it("fails the hidden-data case for a recorded image without hidden data, and the checksum case for an unknown CID", async function () {
    ok(await x(["set-xray-hash", "chest", "--file", png, "-q"]));
    const plain = await x(["authenticate", png, "--json"]);
    expect(plain.code).to.equal(1);
    expect(plain.json.checksum).to.include({ ok: true, record: "X-ray record #0, chest, by Dr.Lee" });
    expect(plain.json.hidden).to.include({ ok: false, code: "STEGO_NO_PAYLOAD" });
    const added = await x(["ipfs", "add", png, "--json"]);
    const unknown = await x(["authenticate", added.json.files[0].cid, "--json"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.json.checksum.ok).to.equal(false);
    expect(unknown.json.checksum.reason).to.match(/not recorded on chain/);
    expect(unknown.json.hidden.code).to.equal("NOT_CHECKED");
  });
});
