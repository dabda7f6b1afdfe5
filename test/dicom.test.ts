import { expect } from "chai";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pixelModule, writePart10 } from "../src/core/dicom/build";
import { TS } from "../src/core/dicom/codecs";
import { dicomDigests } from "../src/core/dicom/digests";
import { readDicom } from "../src/core/dicom/parse";
import { decodeSamples } from "../src/core/dicom/pixels";
import { BIN, ROOT, cxrData, ok, tempHome, xray } from "./helpers/cli";
import { dcmtk, dumpAll, dumpValue, flipPixel } from "./helpers/dicom";

interface Row {
  file: string;
  transfer_syntax: string;
  bits: string;
  photometric: string;
  source: string;
}
const readIndex = (dir: string): Row[] => {
  const [head, ...lines] = fs.readFileSync(path.join(dir, ".index.csv"), "utf8").trim().split("\n");
  const keys = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [keys[i], v])) as unknown as Row);
};

/** `xray hash --format jsonl` of files: one object per file, by path. */
async function hashes(home: string, files: string[]): Promise<Record<string, any>> {
  const r = await xray(home, ["hash", "--format", "jsonl", "-q", ...files]);
  ok(r);
  return Object.fromEntries(r.stdout.trim().split("\n").map((l) => [JSON.parse(l).path, JSON.parse(l)]));
}

describe("DICOM: the generated set, and the digests against dcmtk", function () {
  this.timeout(120_000);
  const home = tempHome("dicom");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-dicom-"));
  const set = path.join(work, "set");
  let rows: Row[];
  const pick = (ts: string, bits: string, photometric?: string) => {
    const row = rows.find((r) => r.transfer_syntax === ts && r.bits === bits && (!photometric || r.photometric === photometric));
    if (!row) throw new Error(`no ${ts} ${bits}-bit instance in the set`);
    return path.join(set, row.file);
  };

  before(async function () {
    const r = await xray(home, ["dataset", set, "--dicom", "--studies", "8", "--patients", "3", "--max-size", "96", "--json"]);
    ok(r);
    expect(r.json).to.include({ studies: 8, patients: 3 });
    rows = readIndex(set);
    expect(rows.length).to.equal(r.json.instances).and.be.at.least(8);
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("writes instances dcmdump reads, with realistic attributes, every syntax, deterministically and resumably", async function () {
    expect(new Set(rows.map((r) => r.transfer_syntax))).to.have.all.keys(TS.explicit, TS.implicit, TS.rle, TS.jpegLs, TS.j2kLossless, TS.jpegLosslessSV1, TS.jpegBaseline);
    for (const row of rows) {
      const a = dumpAll(path.join(set, row.file));
      expect(a.get("0002,0010")).to.equal(row.transfer_syntax);
      expect(a.get("0008,0060")).to.be.oneOf(["CR", "DX"]);
      expect(a.get("0018,0015")).to.equal("CHEST");
      expect(a.get("0018,5101")).to.be.oneOf(["PA", "AP"]);
      expect(a.get("0028,0004")).to.equal(row.photometric);
      expect(a.get("0028,0100")).to.equal(row.bits);
      expect(a.get("0010,0020")).to.equal(row.file.split("/")[0]);
      expect(a.get("0020,000d")).to.match(/^2\.25\.\d+$/);
    }
    expect(new Set(rows.map((r) => r.file.split("/")[0])).size).to.equal(3);
    // Same seed, same bytes; a deleted file is written again, the others kept.
    const again = path.join(work, "again");
    ok(await xray(home, ["dataset", again, "--dicom", "--studies", "8", "--patients", "3", "--max-size", "96"]));
    for (const row of rows) expect(fs.readFileSync(path.join(again, row.file)).equals(fs.readFileSync(path.join(set, row.file))), row.file).to.equal(true);
    fs.rmSync(path.join(again, rows[2].file));
    const r = await xray(home, ["dataset", again, "--dicom", "--studies", "8", "--patients", "3", "--max-size", "96", "--json"]);
    expect(r.json.written).to.equal(1);
    expect(fs.readFileSync(path.join(again, rows[2].file)).equals(fs.readFileSync(path.join(set, rows[2].file)))).to.equal(true);
  });

  it("survives kill -9 while writing: the rerun writes only what is missing and gives the same bytes", async function () {
    const out = path.join(work, "killed");
    const args = ["dataset", out, "--dicom", "--studies", "8", "--patients", "3", "--max-size", "96"];
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, XRAY_HOME: home }, stdio: "ignore" });
    const listDcm = () => (fs.existsSync(out) ? fs.readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith(".dcm")) : []);
    while (child.exitCode === null && listDcm().length < 2) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
    const before = listDcm().length;
    const r = await xray(home, [...args, "--json"]);
    ok(r);
    expect(r.json.written).to.equal(rows.length - before);
    for (const row of rows) expect(fs.readFileSync(path.join(out, row.file)).equals(fs.readFileSync(path.join(set, row.file))), row.file).to.equal(true);
    expect(listDcm()).to.have.length(rows.length);
  });

  it("keeps the content digest through dcmtk's lossless transcoding while the file digest changes", async function () {
    for (const src of [pick(TS.explicit, "8"), pick(TS.explicit, "16", "MONOCHROME1")]) {
      const dir = fs.mkdtempSync(path.join(work, "tc-"));
      const out = (n: string) => path.join(dir, n);
      dcmtk("dcmcjpls", [src, out("jpls.dcm")]);
      dcmtk("dcmcrle", [src, out("rle.dcm")]);
      dcmtk("dcmcjpeg", [src, out("jpeg-lossless.dcm")]); // dcmcjpeg's default: lossless SV1
      dcmtk("dcmconv", ["+ti", src, out("implicit.dcm")]);
      dcmtk("dcmconv", ["+tb", src, out("big-endian.dcm")]);
      dcmtk("dcmcjpeg", ["+el", "+sv", "7", src, out("jpeg-process14.dcm")]); // JPEG lossless, predictor 7 (1.2.840.10008.1.2.4.57)
      dcmtk("dcmdjpls", [out("jpls.dcm"), out("jpls-back.dcm")]);
      expect(dumpValue(out("jpls.dcm"), "0002,0010")).to.equal(TS.jpegLs);
      expect(dumpValue(out("jpeg-process14.dcm"), "0002,0010")).to.equal(TS.jpegLossless);
      const files = [src, ...["jpls", "rle", "jpeg-lossless", "implicit", "big-endian", "jpeg-process14", "jpls-back"].map((n) => out(`${n}.dcm`))];
      const h = await hashes(home, files);
      const first = h[src];
      expect(first.contentSha256).to.match(/^[0-9a-f]{64}$/);
      expect(new Set(files.map((f) => h[f].sha256)).size).to.equal(files.length);
      for (const f of files) expect([h[f].contentSha256, h[f].identitySha256, h[f].sopInstanceUid], f).to.deep.equal([first.contentSha256, first.identitySha256, first.sopInstanceUid]);
    }
  });

  it("decodes its own RLE, JPEG-LS, JPEG lossless and JPEG baseline instances exactly as dcmtk does", async function () {
    const cases: [string, string, string][] = [
      [TS.rle, "16", "dcmdrle"],
      [TS.jpegLs, "16", "dcmdjpls"],
      [TS.jpegLosslessSV1, "16", "dcmdjpeg"],
      [TS.jpegBaseline, "8", "dcmdjpeg"],
    ];
    for (const [ts, bits, tool] of cases) {
      const src = pick(ts, bits);
      const plain = path.join(work, `${tool}-${path.basename(path.dirname(src))}-${path.basename(src)}`);
      dcmtk(tool, [src, plain]);
      const h = await hashes(home, [src, plain]);
      expect(h[plain].transferSyntaxUid).to.equal(TS.explicit);
      expect(h[plain].contentSha256, `${ts} decoded by xray and by ${tool}`).to.equal(h[src].contentSha256);
    }
  });

  it("tells a re-encoded file, a changed identity and a changed pixel apart, against a manifest", async function () {
    const src = pick(TS.explicit, "16", "MONOCHROME1");
    const dir = fs.mkdtempSync(path.join(work, "v-"));
    const original = path.join(dir, "original.dcm");
    fs.copyFileSync(src, original);
    const manifest = path.join(dir, "m.json");
    ok(await xray(home, ["hash", original, "--manifest", manifest, "-q"]));
    const reencoded = path.join(dir, "copies", "jpls.dcm");
    fs.mkdirSync(path.dirname(reencoded));
    dcmtk("dcmcjpls", [original, reencoded]);
    const moved = path.join(dir, "copies", "moved.dcm");
    fs.copyFileSync(original, moved);
    dcmtk("dcmodify", ["-nb", "-m", "PatientID=SOMEONE-ELSE", moved]);
    const pixel = flipPixel(original, path.join(dir, "copies", "pixel.dcm"));

    const h = await hashes(home, [original, reencoded, moved, pixel]);
    expect(h[moved].contentSha256).to.equal(h[original].contentSha256);
    expect(h[moved].identitySha256).to.not.equal(h[original].identitySha256);
    expect(h[pixel].contentSha256).to.not.equal(h[original].contentSha256);
    expect(h[pixel].identitySha256).to.equal(h[original].identitySha256);

    const r = await xray(home, ["verify", original, reencoded, moved, pixel, "--manifest", manifest, "--json"]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.json.files.map((f: any) => [f.verdict, f.changed])).to.deep.equal([
      ["identical", []],
      ["re-encoded", []],
      ["identity-changed", ["PatientID"]],
      ["image-changed", []],
    ]);
    const text = await xray(home, ["verify", reencoded, moved, "--manifest", manifest]);
    expect(text.stdout).to.match(/RE-ENCODED .*jpls\.dcm  same image, file re-encoded/);
    expect(text.stdout).to.match(/IDENTITY CHANGED .*moved\.dcm  same image, identity changed: PatientID/);
    ok(await xray(home, ["verify", reencoded, "--manifest", manifest]));
  });

  it("audits a folder: a re-encoded instance passes, a changed identity and a changed pixel fail", async function () {
    const dir = path.join(work, "audit");
    const [a, b, c] = [pick(TS.implicit, "16"), pick(TS.rle, "16"), pick(TS.explicit, "8")];
    fs.mkdirSync(dir);
    for (const [n, f] of [["a.dcm", a], ["b.dcm", b], ["c.dcm", c]]) fs.copyFileSync(f, path.join(dir, n));
    const manifest = path.join(work, "audit.json");
    ok(await xray(home, ["hash", dir, "--manifest", manifest, "-q"]));
    ok(await xray(home, ["verify", "--manifest", manifest]));
    dcmtk("dcmcjpls", [a, path.join(dir, "a.dcm")]);
    dcmtk("dcmodify", ["-nb", "-m", "PatientName=NOBODY^ELSE", path.join(dir, "b.dcm")]);
    flipPixel(c, path.join(dir, "c.dcm"));
    const r = await xray(home, ["verify", "--manifest", manifest, "--json"]);
    expect(r.code).to.equal(1);
    expect(r.json.reencoded).to.deep.equal(["audit/a.dcm"]);
    expect(r.json.changed.map((x: any) => [x.path, x.verdict, x.attributes])).to.deep.equal([
      ["audit/b.dcm", "identity-changed", ["PatientName"]],
      ["audit/c.dcm", "image-changed", []],
    ]);
    fs.copyFileSync(b, path.join(dir, "b.dcm"));
    fs.copyFileSync(c, path.join(dir, "c.dcm"));
    const passed = await xray(home, ["verify", "--manifest", manifest]);
    ok(passed);
    expect(passed.stdout).to.match(/audit passed: 2 matched, 1 re-encoded \(same image\), 0 changed/);
  });

  it("reproduces the test vectors of docs/dicom-digests.md, and the doc's shell lines give them", async function () {
    const fixtures = ["vector-explicit.dcm", "vector-jpegls.dcm"].map((f) => path.join(ROOT, "test", "fixtures", "dicom", f));
    const h = await hashes(home, fixtures);
    const doc = fs.readFileSync(path.join(ROOT, "docs", "dicom-digests.md"), "utf8");
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).to.have.length(2);
    const [content, identity] = blocks.map((b) => {
      const expected = /# => ([0-9a-f]{64})/.exec(b)![1];
      const got = execFileSync("bash", ["-c", b.replace(/^# =>.*$/m, "")], { encoding: "utf8" }).split(" ")[0];
      expect(got).to.equal(expected);
      return expected;
    });
    for (const f of fixtures) expect([h[f].contentSha256, h[f].identitySha256]).to.deep.equal([content, identity]);
    expect(h[fixtures[0]].sha256).to.not.equal(h[fixtures[1]].sha256);
  });

  it("digests every frame of a multi-frame instance, in any syntax", async function () {
    const w = 7;
    const frames = [0, 1, 2].map((f) => Uint8Array.from({ length: w * 5 }, (_, i) => (i * 13 + f * 50) % 256));
    const el = { SOPClassUID: "1.2.840.10008.5.1.4.1.1.1.1", SOPInstanceUID: "1.2.3.4.5", PatientID: "P" };
    const explicit = await writePart10({ ...el, ...pixelModule({ width: w, height: 5, frames }, { bits: 8, photometric: "MONOCHROME2" }) }, TS.explicit);
    const file = path.join(work, "multi.dcm");
    fs.writeFileSync(file, explicit);
    dcmtk("dcmcrle", [file, path.join(work, "multi-rle.dcm")]);
    const base = await dicomDigests(explicit);
    expect((await dicomDigests(fs.readFileSync(path.join(work, "multi-rle.dcm")))).contentSha256).to.equal(base.contentSha256);
    for (const ts of [TS.jpegLs, TS.j2kLossless, TS.rle]) {
      const buf = await writePart10({ ...el, ...pixelModule({ width: w, height: 5, frames }, { bits: 8, photometric: "MONOCHROME2" }) }, ts);
      expect((await dicomDigests(buf)).contentSha256, ts).to.equal(base.contentSha256);
    }
    frames[2][34] ^= 1; // the last sample of the last frame
    const changed = await writePart10({ ...el, ...pixelModule({ width: w, height: 5, frames }, { bits: 8, photometric: "MONOCHROME2" }) }, TS.jpegLs);
    expect((await dicomDigests(changed)).contentSha256).to.not.equal(base.contentSha256);
  });

  it("masks samples to Bits Stored and sign-extends signed ones, as the canonical form says", async function () {
    const el = (pixelRepresentation: number, bitsStored: number, values: number[]) => ({
      SOPClassUID: "1.2.840.10008.5.1.4.1.1.1.1",
      SOPInstanceUID: "1.2.3.4.6",
      SamplesPerPixel: 1,
      PhotometricInterpretation: "MONOCHROME2",
      Rows: 1,
      Columns: values.length,
      BitsAllocated: 16,
      BitsStored: bitsStored,
      HighBit: bitsStored - 1,
      PixelRepresentation: pixelRepresentation,
      PixelData: [new Uint16Array(values).buffer],
      _vrMap: { PixelData: "OW" },
    });
    const decoded = async (e: object) => [...(await decodeSamples(readDicom(await writePart10(e, TS.explicit)))).samples];
    // 12 bits stored, signed: 0x0800 is -2048, 0x0fff is -1; the high bits (0xf000) are not part of the sample.
    expect(await decoded(el(1, 12, [0, 1, 2047, 0x0800, 0x0fff, 0xf001]))).to.deep.equal([0, 1, 2047, -2048, -1, 1]);
    expect(await decoded(el(0, 12, [0, 4095, 0xf001]))).to.deep.equal([0, 4095, 1]);
    expect(await decoded(el(0, 8, [0x1ff, 0x80]))).to.deep.equal([255, 128]);
    expect(await decoded(el(1, 16, [0xffff, 0x8000]))).to.deep.equal([-1, -32768]);
  });

  it("reports a truncated DICOM file, an unsupported transfer syntax and a file that is not DICOM, one line each", async function () {
    const src = pick(TS.explicit, "8");
    const truncated = path.join(work, "truncated.dcm");
    fs.writeFileSync(truncated, fs.readFileSync(src).subarray(0, 2000));
    const big = path.join(work, "deflated.dcm");
    dcmtk("dcmconv", ["+td", src, big]);
    const r = await xray(home, ["hash", truncated, big, path.join(cxrData(), "originals", "normal", "00001280_004.png"), "--json"]);
    expect(r.code).to.equal(1);
    expect(r.json.count).to.equal(1);
    const errors = Object.fromEntries(r.json.failed.map((f: any) => [path.basename(f.file), f.error]));
    expect(errors["truncated.dcm"]).to.match(/^truncated DICOM file/);
    expect(errors["deflated.dcm"]).to.match(/^unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.1\.99/);
    const v = await xray(home, ["verify", truncated, "--manifest", path.join(work, "none.json")]);
    expect(v.code).to.equal(2);
    expect(v.stderr.trim().split("\n")).to.have.length(1);
  });
});
