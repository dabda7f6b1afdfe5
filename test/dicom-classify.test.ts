import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TS } from "../src/core/dicom/codecs";
import { renderGrey8 } from "../src/core/dicom/render";
import type { ImageSamples } from "../src/core/dicom/pixels";
import { cxrData, ok, tempHome, xray } from "./helpers/cli";

const samples = (values: number[], over: Partial<ImageSamples> = {}): ImageSamples => ({
  rows: 1,
  columns: values.length,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 12,
  pixelRepresentation: 0,
  photometricInterpretation: "MONOCHROME2",
  frames: 1,
  samples: Int32Array.from(values),
  ...over,
});

describe("DICOM rendering for the classifier: window, VOI LUT, MONOCHROME1, min-max", function () {
  it("applies DICOM's linear window function (C.11.2.1.2.1), after the rescale", function () {
    // center 100, width 51: x <= 74.5 -> 0, x > 124.5 -> 255, else ((x - 99.5) / 50 + 0.5) * 255: 75 -> 2.55, 100 -> 130.05, 124 -> 252.45
    expect([...renderGrey8({ WindowCenter: 100, WindowWidth: 51 }, samples([0, 74, 75, 100, 124, 125, 4000])).data]).to.deep.equal([0, 0, 3, 130, 252, 255, 255]);
    expect([...renderGrey8({ WindowCenter: 100, WindowWidth: 51, RescaleSlope: 2, RescaleIntercept: -100 }, samples([100])).data]).to.deep.equal([130]);
  });
  it("uses the VOI LUT Sequence before any window, and inverts MONOCHROME1 last", function () {
    const voi = { VOILUTSequence: [{ LUTDescriptor: [4, 10, 8], LUTData: [0, 100, 200, 255] }], WindowCenter: 0, WindowWidth: 1 };
    expect([...renderGrey8(voi, samples([0, 10, 11, 12, 13, 99])).data]).to.deep.equal([0, 0, 100, 200, 255, 255]);
    expect([...renderGrey8(voi, samples([0, 11], { photometricInterpretation: "MONOCHROME1" })).data]).to.deep.equal([255, 155]);
  });
  it("stretches the 0.5th to 99.5th percentile when there is no window, so one hot pixel does not flatten the image", function () {
    const values = [...Array.from({ length: 999 }, (_, i) => 1000 + i), 65000];
    const g = renderGrey8({}, samples(values, { bitsStored: 16 }));
    expect(g.data[0]).to.equal(0);
    expect(g.data[500]).to.be.within(126, 129);
    expect(g.data[999]).to.equal(255);
  });
});

describe("classify: DICOM instances get the verdict of the PNG they were made from", function () {
  this.timeout(180_000);
  const home = tempHome("dicom-classify");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-dicom-classify-"));
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("in every lossless syntax, 8 and 16 bits, MONOCHROME1 and 2: same label, probabilities within 1e-3", async function () {
    const png = path.join(cxrData(), "originals", "pneumonia", "00000165_001.png");
    const source = path.join(work, "source");
    fs.mkdirSync(source);
    fs.copyFileSync(png, path.join(source, "x.png"));
    const set = path.join(work, "set");
    ok(await xray(home, ["dataset", set, "--dicom", "--source", source, "--studies", "6", "--patients", "1"]));
    const rows = fs.readFileSync(path.join(set, ".index.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    const lossless = rows.filter((r) => r[5] !== TS.jpegBaseline);
    const syntaxes = new Set(lossless.map((r) => r[5]));
    expect(syntaxes.size).to.be.at.least(5);
    expect(new Set(lossless.map((r) => `${r[6]}-${r[7]}`)).size).to.equal(4); // 8/16 bits x MONOCHROME1/2
    const r = await xray(home, ["classify", png, ...lossless.map((row) => path.join(set, row[0])), "--json"]);
    ok(r);
    const [reference, ...dicom] = r.json.results;
    expect(dicom).to.have.length(lossless.length);
    for (const d of dicom) {
      expect(d.label, d.file).to.equal(reference.label);
      for (const k of Object.keys(reference.probabilities)) expect(d.probabilities[k], `${d.file} ${k}`).to.be.closeTo(reference.probabilities[k], 1e-3);
    }
  });

  it("reports a truncated DICOM file as a failure of its own, and classifies the others", async function () {
    const set = path.join(work, "set");
    const one = fs.readdirSync(set, { recursive: true }).map(String).find((f) => f.endsWith(".dcm"))!;
    const truncated = path.join(work, "truncated.dcm");
    fs.writeFileSync(truncated, fs.readFileSync(path.join(set, one)).subarray(0, 5000));
    const r = await xray(home, ["classify", truncated, path.join(set, one), "--json"]);
    expect(r.code).to.equal(1);
    expect(r.json.results).to.have.length(1);
    expect(r.json.failed[0].error).to.match(/truncated DICOM file/);
  });
});
