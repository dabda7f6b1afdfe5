import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cxrData, tempHome, xray, type CliResult } from "./helpers/cli";

/** A failure: this exit status, exactly one line on stderr, and the code in the --json error document. */
function failsWith(r: CliResult, exit: number, code: string, pattern: RegExp) {
  expect(r.code, r.stdout + r.stderr).to.equal(exit);
  expect(r.stderr.trimEnd().split("\n"), r.stderr).to.have.length(1);
  expect(r.stderr.trimEnd()).to.match(pattern);
  expect(r.json?.error?.code).to.equal(code);
}

// set-xray-hash --file applies hash's image checks and refuses duplicates; verify finds batch proofs in the home.
describe("set-xray-hash checks and duplicates; verify finds a batch proof by itself", function () {
  this.timeout(120_000);
  const home = tempHome("records-proofs");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-recproofs-"));
  const run = (args: string[]) => xray(home, args, { cwd: work });
  const count = async () => (await run(["xray-count", "--json"])).json.count as number;
  const originals = path.join(cxrData(), "originals");
  const image = (label: string, i: number) => path.join(work, "data", label, fs.readdirSync(path.join(work, "data", label)).sort()[i]);

  before(async () => {
    fs.cpSync(originals, path.join(work, "data"), { recursive: true });
    expect((await run(["init", "-q"])).code).to.equal(0);
    expect((await run(["set-permission", "doctor", "Dr.Lee", "doctor", "-q"])).code).to.equal(0);
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("set-xray-hash --file refuses an empty file, a text file and a FIFO: one line, exit 2, nothing recorded", async () => {
    fs.writeFileSync(path.join(work, "empty.png"), "");
    fs.writeFileSync(path.join(work, "notes.txt"), "not an image\n");
    execFileSync("mkfifo", [path.join(work, "fifo.png")]);
    failsWith(await run(["set-xray-hash", "chest", "--file", "empty.png", "--json"]), 2, "BAD_INPUT", /^xray: error: empty\.png: empty file$/);
    failsWith(await run(["set-xray-hash", "chest", "--file", "notes.txt", "--json"]), 2, "BAD_INPUT", /^xray: error: notes\.txt: not an image/);
    failsWith(await run(["set-xray-hash", "chest", "--file", "fifo.png", "--json"]), 2, "BAD_INPUT", /^xray: error: fifo\.png: is a FIFO/);
    expect(await count()).to.equal(0);
  });

  it("refuses a hash already on chain, naming its record (exit 1, DUPLICATE); --allow-duplicate records it again", async () => {
    const img = image("covid", 0);
    const first = await run(["set-xray-hash", "chest", "--file", img, "--json"]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.json).to.include({ index: 0, file: img });
    const sha = first.json.sha256;
    failsWith(await run(["set-xray-hash", "chest", "--file", img, "--json"]), 1, "DUPLICATE", new RegExp(`^xray: error: ${sha} is already recorded as X-ray #0: use --allow-duplicate`));
    failsWith(await run(["set-xray-hash", "knee", sha, "--json"]), 1, "DUPLICATE", /already recorded as X-ray #0/);
    expect(await count()).to.equal(1);
    const again = await run(["set-xray-hash", "chest", sha, "--allow-duplicate", "-q"]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.equal(`recorded X-ray #1: chest ${sha}\n`); // -q: the result, no transaction details
    expect(await count()).to.equal(2);
    const listed = await run(["list-xrays", "-q"]);
    expect(listed.stdout.trimEnd().split("\n")).to.have.length(2);
    const json = await run(["get-xray", "1", "--json"]);
    expect(json.json.time).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it("verify finds a batch-anchored image's proof in the home, with no --manifest or --proofs", async () => {
    const m = path.join(work, "set.json");
    expect((await run(["hash", "data", "--manifest", m, "-q"])).code).to.equal(0);
    const a = await run(["anchor", m, "--batch", "--json"]);
    expect(a.code, a.stderr).to.equal(0);
    expect(a.json).to.include({ file: m, out: `${m}.proofs.json` });
    fs.rmSync(m);
    fs.rmSync(`${m}.proofs.json`); // only the home's index is left
    const img = image("pneumonia", 1);
    const v = await run(["verify", img, "--json"]);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.json.files[0]).to.include({ file: img, anchored: true, proofFrom: "index" });
    expect(v.json.files[0].batch).to.include({ root: a.json.root, proofValid: true, confirmedByContract: true, anchored: true });
    const text = await run(["verify", img]);
    expect(text.stdout).to.match(/^ANCHORED +.*\n {2}batch .* proof from the home's index, checked by xr\.verifyAnchored$/m);
    // per record first: the image recorded by set-xray-hash is found as a record
    const rec = await run(["verify", image("covid", 0), "--json"]);
    expect(rec.json.files[0].records[0]).to.include({ index: 0, doctor: "Dr.Lee" });
    fs.writeFileSync(path.join(work, "other.png"), Buffer.concat([fs.readFileSync(img), Buffer.from([0])]));
    const no = await run(["verify", "other.png"]);
    expect(no.code).to.equal(1);
    expect(no.stdout).to.match(/^NOT ANCHORED +other\.png/);
  });

  it("two batches anchored at once are both indexed; an image in both is proved", async () => {
    const subsets = ["normal", "covid"].map((label) => {
      const dir = path.join(work, `only-${label}`);
      fs.cpSync(path.join(work, "data", label), dir, { recursive: true });
      return dir;
    });
    const manifests = subsets.map((dir) => `${dir}.json`);
    for (const [i, dir] of subsets.entries()) expect((await run(["hash", dir, "--manifest", manifests[i], "-q"])).code).to.equal(0);
    const runs = await Promise.all(manifests.map((mf) => run(["anchor", mf, "--batch", "--json"])));
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    for (const [i, label] of ["normal", "covid"].entries()) {
      const v = await run(["verify", path.join(subsets[i], fs.readdirSync(subsets[i]).sort()[0]), "--json"]);
      expect(v.code, `${label}: ${v.stderr}`).to.equal(0);
      expect(v.json.files[0].anchored).to.equal(true);
    }
    const roots = fs.readdirSync(path.join(home, "proofs"));
    expect(roots).to.have.length(1); // one deployment
    expect(fs.readdirSync(path.join(home, "proofs", roots[0], "roots"))).to.have.length(3);
    expect(fs.readdirSync(path.join(home, "proofs", roots[0])).filter((f) => f.endsWith(".lock"))).to.be.empty;
  });
});
