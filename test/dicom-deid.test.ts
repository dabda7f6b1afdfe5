import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readDicom } from "../src/core/dicom/parse";
import { decodeSamples } from "../src/core/dicom/pixels";
import { ok, tempHome, xray } from "./helpers/cli";
import { dcmtk, dumpAll } from "./helpers/dicom";

/** Attributes of Table E.1-1 the generated instances hold (plus one added by dcmodify), and a private tag. */
const CHECKED = [
  "0002,0003", "0008,0018", "0008,0020", "0008,0021", "0008,0030", "0008,0050", "0008,0080", "0010,0010", "0010,0020",
  "0010,0030", "0010,0040", "0020,000d", "0020,000e", "0020,0010", "0029,0010",
];

describe("deid: PS3.15 Basic Profile, checked with dcmdump", function () {
  this.timeout(120_000);
  const home = tempHome("deid");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-deid-"));
  const set = path.join(work, "set");
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("leaves none of the profile's attributes with its original value, keeps the pixels, remaps UIDs consistently", async function () {
    ok(await xray(home, ["dataset", set, "--dicom", "--studies", "3", "--patients", "2", "--max-size", "64"]));
    const files = fs.readdirSync(set, { recursive: true }).map(String).filter((f) => f.endsWith(".dcm")).map((f) => path.join(set, f));
    for (const f of files) dcmtk("dcmodify", ["-nb", "-i", "(0008,0080)=St Elsewhere Hospital", "-i", "(0029,0010)=ACME 1.0", f]);
    const out = path.join(work, "out");
    const r = await xray(home, ["deid", set, "--out", out, "--json"]);
    ok(r);
    expect(r.json.count).to.equal(files.length);
    const byIn = new Map<string, string>(r.json.files.map((x: any) => [path.resolve(x.file), x.out]));
    const studies = new Map<string, Set<string>>();
    for (const f of files) {
      const d = byIn.get(path.resolve(f))!;
      const [inAttrs, outAttrs] = [dumpAll(f), dumpAll(d)];
      expect(inAttrs.get("0008,0080")).to.equal("St Elsewhere Hospital");
      for (const tag of CHECKED) {
        const before = inAttrs.get(tag);
        if (before) expect(outAttrs.get(tag), `${tag} of ${path.basename(f)}`).to.not.equal(before);
      }
      expect(outAttrs.get("0012,0062")).to.equal("YES");
      expect(dcmtk("dcmdump", ["-q", "+P", "0012,0064", "+p", d])).to.match(/113100/);
      expect(outAttrs.has("0029,0010")).to.equal(false);
      const [a, b] = [f, d].map((x) => readDicom(fs.readFileSync(x)));
      expect((await decodeSamples(b)).samples).to.deep.equal((await decodeSamples(a)).samples);
      const study = inAttrs.get("0020,000d")!;
      studies.set(study, (studies.get(study) ?? new Set()).add(outAttrs.get("0020,000d")!));
    }
    for (const mapped of studies.values()) expect(mapped.size).to.equal(1); // one study stays one study
    expect(new Set([...studies.values()].flatMap((s) => [...s])).size).to.equal(studies.size);
    // Again with the same home: the same copies, nothing rewritten; another home (another secret): other UIDs.
    const again = await xray(home, ["deid", set, "--out", out, "--json"]);
    expect(again.json.written).to.equal(0);
    const otherHome = tempHome("deid-other");
    const other = await xray(otherHome, ["deid", files[0], "--out", path.join(work, "other"), "--json"]);
    fs.rmSync(otherHome, { recursive: true, force: true });
    ok(other);
    expect(path.basename(other.json.files[0].out)).to.not.equal(path.basename(byIn.get(path.resolve(files[0]))!));
  });

  it("refuses an image whose Burned In Annotation is YES or missing, unless --accept-burned-in", async function () {
    const src = fs.readdirSync(set, { recursive: true }).map(String).find((f) => f.endsWith(".dcm"))!;
    const burned = path.join(work, "burned.dcm");
    fs.copyFileSync(path.join(set, src), burned);
    dcmtk("dcmodify", ["-nb", "-m", "(0028,0301)=YES", burned]);
    const out = path.join(work, "burned-out");
    const r = await xray(home, ["deid", burned, "--out", out]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/burned\.dcm: Burned In Annotation is YES: the pixels may show identifying text/);
    expect(fs.existsSync(out) ? fs.readdirSync(out) : []).to.deep.equal([]);
    ok(await xray(home, ["deid", burned, "--out", out, "--accept-burned-in"]));
    expect(fs.readdirSync(out)).to.have.length(1);
  });
});
