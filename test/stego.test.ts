import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { capacityOf, embedBits, embedFile, extractFile, FRAME_OVERHEAD, HEADER_BYTES, readFrame } from "../src/core/imaging/stego";
import { XrayError } from "../src/errors";
import { deterministicBytes } from "./helpers/bytes";
import { cxrData } from "./helpers/cli";

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TEXT = "Patient: Ken; DOB 2001-02-03; 患者";
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Awaits a rejection and checks it is an XrayError with this code; returns it for more checks. */
async function rejects(promise: Promise<unknown> | (() => unknown), code: string): Promise<XrayError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(XrayError);
    expect((e as XrayError).code, (e as Error).message).to.equal(code);
    return e as XrayError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/**
 * The 8-bit samples of an image, decoded here independently of the code under test: grey
 * stays one channel (sharp's raw output is sRGB unless told otherwise).
 */
async function samplesOf(image: string | Buffer): Promise<{ data: Buffer; channels: number; width: number; height: number }> {
  const grey = (await sharp(image).metadata()).channels === 1;
  const { data, info } = await sharp(image).toColourspace(grey ? "b-w" : "srgb").raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, width: info.width, height: info.height };
}

/** Largest absolute difference and PSNR (dB, 8-bit) between two sample buffers. */
function compare(a: ArrayLike<number>, b: ArrayLike<number>, peak = 255): { maxDiff: number; changed: number; psnr: number } {
  expect(a.length).to.equal(b.length);
  let maxDiff = 0;
  let changed = 0;
  let squares = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    maxDiff = Math.max(maxDiff, d);
    changed += d ? 1 : 0;
    squares += d * d;
  }
  return { maxDiff, changed, psnr: 10 * Math.log10((peak * peak * a.length) / squares) };
}

/** A grey PNG of seeded noise, so its low bits look like a real image's. */
function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(deterministicBytes(`noise-${width}x${height}`, width * height), { raw: { width, height, channels: 1 } }).toColourspace("b-w").png().toBuffer();
}

// The LSB steganography core: frames in pixel data, capacity, damage, lossy inputs.
describe("stego: LSB payloads in image pixels", function () {
  const originals = path.join(cxrData(), "originals");
  const greyPng = path.join(originals, "normal", "00001280_004.png");
  const jpeg = path.join(originals, "covid", "01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-stego-"));
  let greyStego: Buffer;

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("hides UTF-8 text in a grey PNG X-ray, reads it back, and moves no sample by more than 1", async () => {
    const r = await embedFile(greyPng, utf8(TEXT));
    greyStego = r.png;
    expect(r.png.subarray(0, 8).equals(PNG_MAGIC)).to.equal(true);
    expect(r).to.include({ width: 1024, height: 1024, channels: 1, bits: 8, payloadBytes: utf8(TEXT).length, capacityBytes: 131072 - FRAME_OVERHEAD });
    expect(r.convertedFrom).to.equal(undefined);
    expect(r.warnings).to.deep.equal([]);

    const out = await extractFile(r.png);
    expect(new TextDecoder().decode(out.payload)).to.equal(TEXT);
    expect(out).to.include({ encrypted: false, format: "png" });

    const before = await samplesOf(greyPng);
    const after = await samplesOf(r.png);
    expect(after.channels).to.equal(1);
    const d = compare(before.data, after.data);
    expect(d.maxDiff).to.equal(1);
    expect(d.changed).to.be.at.most((utf8(TEXT).length + FRAME_OVERHEAD) * 8);
    expect(d.psnr).to.be.above(50);
    expect(r.maxDiff).to.equal(1);
    expect(r.psnr).to.be.closeTo(d.psnr, 1e-9);
  });

  it("converts a JPEG X-ray to a lossless PNG with a warning, and round-trips", async () => {
    const r = await embedFile(fs.readFileSync(jpeg), utf8(TEXT));
    expect(r.png.subarray(0, 8).equals(PNG_MAGIC)).to.equal(true);
    expect(r.convertedFrom).to.equal("jpeg");
    expect(r.warnings.join("\n")).to.match(/JPEG.*lossless PNG/);
    expect(r.channels).to.equal(3);
    expect(new TextDecoder().decode((await extractFile(r.png)).payload)).to.equal(TEXT);

    const before = await samplesOf(jpeg);
    const after = await samplesOf(r.png);
    const d = compare(before.data, after.data);
    expect(d.maxDiff).to.be.at.most(1);
    expect(d.psnr).to.be.above(50);
  });

  it("carries the encrypted flag, and binary payloads byte for byte", async () => {
    const secret = deterministicBytes("ciphertext", 4000);
    const file = path.join(work, "secret.png");
    fs.writeFileSync(file, (await embedFile(greyPng, secret, { encrypted: true })).png);
    const out = await extractFile(file);
    expect(out.encrypted).to.equal(true);
    expect(Buffer.from(out.payload).equals(secret)).to.equal(true);
  });

  it("keeps 16-bit samples 16-bit, changing each by at most 1 of 65535", async () => {
    const [w, h] = [64, 48];
    const wide = new Uint16Array(w * h).map((_, i) => (i * 977) % 65536);
    const input = await sharp(wide, { raw: { width: w, height: h, channels: 1 } }).toColourspace("grey16").png().toBuffer();
    const r = await embedFile(input, utf8(TEXT));
    expect(r).to.include({ bits: 16, channels: 1 });
    expect((await sharp(r.png).metadata()).depth).to.equal("ushort");
    expect(new TextDecoder().decode((await extractFile(r.png)).payload)).to.equal(TEXT);
    const { data } = await sharp(r.png).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
    expect(compare(wide, new Uint16Array(data.buffer, data.byteOffset, data.length / 2), 65535).maxDiff).to.equal(1);
  });

  it("flattens transparency onto black with a warning", async () => {
    const rgba = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } } }).png().toBuffer();
    const r = await embedFile(rgba, utf8("alpha"));
    expect(r.channels).to.equal(3);
    expect(r.warnings.join("\n")).to.match(/transparency/);
    expect(new TextDecoder().decode((await extractFile(r.png)).payload)).to.equal("alpha");
  });

  it("refuses a payload that does not fit, naming what fits and what was asked; exactly the capacity fits", async () => {
    const tiny = await noisePng(8, 8);
    expect(capacityOf(8, 8, 1)).to.equal(0);
    const e = await rejects(embedFile(tiny, utf8("hello")), "STEGO_CAPACITY");
    expect(e.message).to.match(/5 bytes/).and.match(/at most 0 bytes/);

    const small = await noisePng(32, 32);
    const fits = capacityOf(32, 32, 1);
    expect(fits).to.equal(128 - FRAME_OVERHEAD);
    const full = deterministicBytes("full", fits);
    const r = await embedFile(small, full);
    expect(r.capacityBytes).to.equal(fits);
    expect(Buffer.from((await extractFile(r.png)).payload).equals(full)).to.equal(true);
    const over = await rejects(embedFile(small, deterministicBytes("over", fits + 1)), "STEGO_CAPACITY");
    expect(over.message).to.match(new RegExp(`${fits + 1} bytes .* at most ${fits} bytes`));
    await rejects(() => embedBits(new Uint8Array(64), utf8("x")), "STEGO_CAPACITY");
  });

  it("reports flipped payload, checksum and length bits as damage, not garbage", async () => {
    const payload = utf8(TEXT);
    const clean = new Uint8Array(deterministicBytes("pixels", 4096));
    embedBits(clean, payload);
    expect(new TextDecoder().decode(readFrame(clean).payload)).to.equal(TEXT);
    for (const bit of [HEADER_BYTES * 8 + 3, (HEADER_BYTES + payload.length) * 8 + 5, 6 * 8, 9 * 8 + 7]) {
      const damaged = clean.slice();
      damaged[bit] ^= 1;
      await rejects(() => readFrame(damaged), "STEGO_DAMAGED");
    }

    // The same through a PNG file: one payload sample's low bit flipped.
    const { data, ...info } = await samplesOf(greyStego);
    expect(info.channels).to.equal(1);
    data[HEADER_BYTES * 8 + 17] ^= 1;
    const file = path.join(work, "damaged.png");
    fs.writeFileSync(file, await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).toColourspace("b-w").png().toBuffer());
    const e = await rejects(extractFile(file), "STEGO_DAMAGED");
    expect(e.message).to.match(/checksum/);
  });

  it("says there is no hidden data in a clean image", async () => {
    const e = await rejects(extractFile(greyPng), "STEGO_NO_PAYLOAD");
    expect(e.message).to.equal("no hidden data in this image");
    await rejects(() => readFrame(new Uint8Array(100)), "STEGO_NO_PAYLOAD");
  });

  it("says lossy JPEG compression destroyed the payload of a stego PNG re-saved as JPEG", async () => {
    const resaved = await sharp(greyStego).jpeg({ quality: 90 }).toBuffer();
    const e = await extractFile(resaved).then(
      () => expect.fail("a re-compressed JPEG still gave a payload"),
      (err: XrayError) => err,
    );
    expect(e).to.be.instanceOf(XrayError);
    expect(e.code).to.be.oneOf(["STEGO_NO_PAYLOAD", "STEGO_DAMAGED"]);
    expect(e.message).to.match(/JPEG/);
    const original = await rejects(extractFile(jpeg), "STEGO_NO_PAYLOAD");
    expect(original.message).to.match(/lossy JPEG compression destroys hidden data/);
  });

  it("reports truncated, empty and non-image files as unreadable, and a missing file as bad input", async () => {
    const truncated = path.join(work, "truncated.png");
    fs.writeFileSync(truncated, greyStego.subarray(0, greyStego.length >> 1));
    const text = path.join(work, "notes.txt");
    fs.writeFileSync(text, "not an image\n");
    const empty = path.join(work, "empty.png");
    fs.writeFileSync(empty, "");
    for (const file of [truncated, text, empty]) {
      const e = await rejects(extractFile(file), "IMAGE_UNREADABLE");
      expect(e.message).to.include(file);
      await rejects(embedFile(file, utf8("x")), "IMAGE_UNREADABLE");
    }
    await rejects(extractFile(path.join(work, "missing.png")), "BAD_INPUT");
  });
});
