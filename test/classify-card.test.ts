/**
 * The shipped classifier's card (what issue 15 asks of it) and its "uncertain" verdict in the
 * CLI's text and JSON. The card's figures themselves are reproduced in classify.test.ts.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, cxrData, ok, tempHome, xray } from "./helpers/cli";

const CARD = JSON.parse(fs.readFileSync(path.join(ROOT, "models", "xray-vgg-cxr4.json"), "utf8"));
const SOURCES = ["cohen", "hannover", "kermany", "nih"];

describe("classify: the model card leads with leave-one-source-out figures", function () {
  it("puts the leave-one-source-out table before the test-split metrics, for every source, with its mean", function () {
    const keys = Object.keys(CARD);
    expect(keys.indexOf("leaveOneSourceOut")).to.be.below(keys.indexOf("metrics"));
    expect(keys.indexOf("leaveOneSourceOut")).to.be.below(keys.indexOf("labels"));
    const loso = CARD.leaveOneSourceOut;
    expect(loso.complete).to.equal(true);
    expect(Object.keys(loso.perSource).sort()).to.deep.equal(SOURCES);
    const mean = SOURCES.reduce((s, k) => s + loso.perSource[k].macroF1, 0) / SOURCES.length;
    expect(loso.meanMacroF1).to.be.closeTo(mean, 1e-4);
    expect(loso.perSource.hannover.classes).to.deep.equal(["covid"]);
    expect(loso.perSource.kermany.classes).to.deep.equal(["normal", "pneumonia"]);
  });

  it("names every source with its licence, and gives calibration, the abstention threshold and failure modes", function () {
    const sources = CARD.data.sources.map((s: { source: string }) => s.source);
    expect(sources).to.include.members([...SOURCES, "wallpaper"]);
    for (const s of CARD.data.sources) expect(s.licence, s.source).to.be.a("string").and.not.equal("");
    const cal = CARD.calibration;
    expect(cal.temperature).to.equal(CARD.output.temperature);
    expect(cal.test.eceAfter).to.be.a("number");
    expect(cal.test.reliabilityBefore.reduce((s: number, b: { count: number }) => s + b.count, 0)).to.equal(CARD.data.split.testFiles.length);
    expect(CARD.abstention).to.include({ label: "uncertain" });
    expect(CARD.abstention.test.coverage).to.be.within(0, 1);
    expect(CARD.knownFailureModes.length).to.be.at.least(3);
    expect(CARD.notChestXrayCheck.wallpaperRecallTest).to.equal(CARD.metrics.test.perClass.non_cxr.recall);
    expect(Object.keys(CARD.notChestXrayCheck.chestXraysRejectedAsNonCxr.test).sort()).to.deep.equal(SOURCES);
  });
});

describe("classify: an uncertain verdict in text and JSON", function () {
  const home = tempHome("classify-card");
  const images = path.join(cxrData(), "originals", "pneumonia");

  it("says 'uncertain' with the top class and still gives every probability", async function () {
    // --threshold 1: every verdict is below it, whatever the model says.
    const r = await xray(home, ["classify", images, "--threshold", "1", "--json"]);
    ok(r);
    expect(r.json.model.threshold).to.equal(1);
    expect(r.json.uncertainCount).to.equal(r.json.count);
    for (const v of r.json.results) {
      expect(v).to.include({ label: "uncertain", uncertain: true });
      expect(CARD.labels).to.include(v.top);
      expect(v.confidence).to.equal(v.probabilities[v.top]);
      expect(Object.keys(v.probabilities)).to.deep.equal(CARD.labels);
    }
    const text = await xray(home, ["classify", images, "--threshold", "1"]);
    ok(text);
    const lines = text.stdout.trim().split("\n");
    expect(lines).to.have.length(r.json.count);
    for (const line of lines) expect(line).to.match(/: uncertain \((covid|normal|pneumonia|non_cxr) \d+\.\d%(, not a chest X-ray\?)?\)  \[covid \d+\.\d%, normal \d+\.\d%, pneumonia \d+\.\d%, non_cxr \d+\.\d%\]$/);
    expect(text.stderr).to.match(/\d+ classified \(\d+ uncertain\)/);
    const none = await xray(home, ["classify", images, "--threshold", "0", "--json"]);
    expect(none.json.uncertainCount).to.equal(0);
  });
});
