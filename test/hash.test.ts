import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cxrData, tempHome, xray } from "./helpers/cli";

/** `sha256sum`'s output for these files, run from `cwd`. */
const sha256sum = (cwd: string, files: string[]) => execFileSync("sha256sum", files, { cwd, encoding: "utf8" }).trimEnd();

// `xray hash`, `xray dataset` and the manifest audit of `xray verify`, through the CLI on real files.
describe("xray hash, dataset and verify --manifest", function () {
  const CXR = cxrData();
  const home = tempHome("hash");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-hashwork-"));
  const ds = path.join(work, "kaggle");

  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  before(async () => {
    fs.cpSync(path.join(CXR, "originals"), path.join(work, "originals"), { recursive: true });
    const r = await xray(home, ["dataset", ds, "--scale", "0.005", "--source", CXR, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
  });

  it("writes a deterministic Kaggle-shaped set: the layout, JPEGs of 0.3-3 MB, the same bytes twice", async () => {
    const again = path.join(work, "kaggle-again");
    const r = await xray(home, ["dataset", again, "--scale", "0.005", "--source", CXR, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.images).to.equal(31); // 7+19+1+2+1+1: every folder keeps at least one
    for (const split of ["train", "test", "val"]) for (const label of ["NORMAL", "PNEUMONIA"]) expect(fs.readdirSync(path.join(again, split, label))).to.not.be.empty;
    expect(r.json.minBytes).to.be.above(200_000);
    expect(r.json.maxBytes).to.be.below(3_500_000);
    const files = execFileSync("find", [".", "-name", "*.jpeg"], { cwd: ds, encoding: "utf8" }).trim().split("\n").sort();
    expect(sha256sum(again, files)).to.equal(sha256sum(ds, files));
    const rerun = await xray(home, ["dataset", again, "--scale", "0.005", "--source", CXR, "--json"]);
    expect(rerun.json.written).to.equal(0);
  });

  it("prints exactly what sha256sum prints, on every file, with and without worker threads", async () => {
    for (const [dir, threads] of [["originals", []], ["kaggle", []], ["kaggle", ["--threads", "0"]]] as const) {
      const r = await xray(home, ["hash", dir, ...threads], { cwd: work });
      expect(r.code, r.stderr).to.equal(0);
      const files = r.stdout.trimEnd().split("\n").map((l) => l.slice(66));
      expect(files.length).to.be.above(20);
      expect(r.stdout.trimEnd()).to.equal(sha256sum(work, files));
    }
  });

  it("lists folders in a stable byte order and labels files by their folder", async () => {
    const r = await xray(home, ["hash", "kaggle", "--format", "jsonl"], { cwd: work });
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const paths = rows.map((x) => x.path);
    expect(paths).to.deep.equal([...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const row of rows) {
      expect(row.label).to.equal(path.basename(path.dirname(row.path)));
      expect(row.mime).to.equal("image/jpeg");
      expect(row.size).to.equal(fs.statSync(path.join(work, row.path)).size);
    }
  });

  it("writes csv and Lin et al.'s icon module, which Node can load", async () => {
    const csv = await xray(home, ["hash", "originals/normal", "--format", "csv"], { cwd: work });
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).to.equal("path,size,sha256,label,mime");
    expect(lines[1].split(",")).to.have.length(5);
    const out = path.join(work, "icon.js");
    const icon = await xray(home, ["hash", "originals/normal", "--format", "icon", "--out", out], { cwd: work });
    expect(icon.code, icon.stderr).to.equal(0);
    const mod = require(out) as Record<string, string>;
    const sums = sha256sum(path.join(work, "originals/normal"), fs.readdirSync(path.join(work, "originals/normal")).sort());
    for (const line of sums.split("\n")) {
      const [hex, name] = line.split(/\s+/);
      const key = name.replace(/\.[^.]+$/, "") + "icon";
      expect(mod[key]).to.equal(`data:${name.endsWith(".png") ? "image/png" : "image/jpeg"};sha256,${hex}`);
    }
  });

  it("reports unreadable, empty and non-image files one by one, hashes the rest, and exits 1", async () => {
    const bad = path.join(work, "bad");
    fs.mkdirSync(bad);
    fs.copyFileSync(path.join(work, "originals/normal", fs.readdirSync(path.join(work, "originals/normal"))[0]), path.join(bad, "good.png"));
    fs.writeFileSync(path.join(bad, "empty.png"), "");
    fs.writeFileSync(path.join(bad, "notes.txt"), "not an image\n");
    const r = await xray(home, ["hash", "bad", "missing.png", "--json"], { cwd: work });
    expect(r.code).to.equal(1);
    expect(r.json.count).to.equal(1);
    expect(r.json.failedCount).to.equal(3);
    const errors = Object.fromEntries(r.json.failed.map((f: { file: string; error: string }) => [f.file, f.error]));
    expect(errors["bad/empty.png"]).to.equal("empty file");
    expect(errors["bad/notes.txt"]).to.match(/not an image/);
    expect(errors["missing.png"]).to.match(/no such file/);
    expect(r.stderr).to.match(/bad\/notes.txt: not an image/);
    const text = await xray(home, ["hash", "bad"], { cwd: work });
    expect(text.code).to.equal(1);
    expect(text.stdout.trim().split("\n")).to.have.length(1);
    expect(text.stderr).to.match(/1 files, .* hashed .*; 2 failed/);
  });

  it("writes a manifest atomically, and audits a folder against it: matched, changed, missing, moved, new", async () => {
    const set = path.join(work, "audit");
    fs.cpSync(path.join(work, "originals"), path.join(set, "data"), { recursive: true });
    const manifest = path.join(set, "data.manifest.json");
    const h = await xray(home, ["hash", "data", "--manifest", manifest, "--json"], { cwd: set });
    expect(h.code, h.stderr).to.equal(0);
    expect(fs.readdirSync(set).filter((f) => f.endsWith(".tmp"))).to.be.empty;
    const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
    expect(m).to.include({ format: "xray-manifest/1", count: 24 });
    expect(new Set(m.files.map((f: { label: string }) => f.label))).to.deep.equal(new Set(["covid", "normal", "pneumonia"]));

    const ok = await xray(home, ["verify", "--manifest", manifest]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/audit passed: 24 matched, 0 changed, 0 missing, 0 moved, 0 new/);

    const covid = path.join(set, "data/covid");
    const [a, b, c] = fs.readdirSync(covid).sort();
    fs.appendFileSync(path.join(covid, a), "x"); // one byte more
    fs.rmSync(path.join(covid, b));
    fs.renameSync(path.join(covid, c), path.join(set, "data/normal", c));
    fs.copyFileSync(path.join(set, "data/normal", c), path.join(covid, "copy.jpg"));
    const audit = await xray(home, ["verify", "--manifest", manifest, "--json"]);
    expect(audit.code).to.equal(1);
    expect(audit.json.matched).to.equal(21);
    expect(audit.json.changed.map((x: { path: string }) => x.path)).to.deep.equal([`data/covid/${a}`]);
    expect(audit.json.missing).to.deep.equal([`data/covid/${b}`]);
    expect(audit.json.moved).to.have.length(1);
    expect(audit.json.moved[0].from).to.equal(`data/covid/${c}`);
    expect(audit.json.new).to.have.length(1);
    expect(audit.stderr).to.match(/audit of .* failed/);

    // The same manifest audits a copy of the data set elsewhere.
    const copy = path.join(work, "copy");
    fs.cpSync(path.join(work, "originals"), copy, { recursive: true });
    const moved = await xray(home, ["verify", "--manifest", manifest, copy]);
    expect(moved.code, moved.stdout + moved.stderr).to.equal(0);
  });

  it("refuses a damaged manifest with one clear line", async () => {
    const bad = path.join(work, "bad.manifest.json");
    fs.writeFileSync(bad, '{"format":"xray-manifest/1","roots":["."],"files":[{"path":"a","size":1,"sha256":"zz"}]}');
    const r = await xray(home, ["verify", "--manifest", bad]);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/entry 0 is damaged/);
    const notJson = await xray(home, ["anchor", path.join(work, "icon.js")]);
    expect(notJson.code).to.equal(2);
    expect(notJson.stderr).to.match(/not a manifest/);
  });
});
