// The hospital through the CLI: a session on a fresh home, import killed with kill -9 and
// rerun (every patient exactly once), and the bad inputs (one line, exit 2, nothing written).
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { BIN, PAPER_HASH, tempHome, xray } from "./helpers/cli";
import { clearValuesOnChain } from "./helpers/chain";

function csv(file: string, n: number, start = 1): void {
  const lines = ["mrn,name,birthday,gender,blood_type"];
  for (let i = start; i < start + n; i++) lines.push(`MRN-${String(i).padStart(6, "0")},Patient ${i},19900101,${i % 2 ? "male" : "female"},O`);
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("xray hospital and patients (CLI)", function () {
  const home = tempHome("hospital-cli");
  const file = path.join(home, "..", path.basename(home) + "-patients.csv");

  before(async () => {
    expect((await xray(home, ["hospital", "init", "-q"])).code).to.equal(0);
    expect((await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"])).code).to.equal(0);
  });
  after(() => fs.rmSync(file, { force: true }));

  it("add, profile with and without the register, disclose and check-disclosure", async () => {
    const add = await xray(home, ["patients", "add", "--mrn", "MRN-A", "--name", "Ken Watanabe", "--birthday", "19970522", "--contact", "ken@example.org", "--json"]);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.json.txs[0].gasUsed).to.be.below(200_000);
    const contract = add.json.created[0].contract;
    const shown = await xray(home, ["profile"]);
    expect(shown.stdout).to.match(/name:\s+Ken Watanabe/).and.match(/birthday:\s+19970522/);
    const d = await xray(home, ["patients", "disclose", "MRN-A", "--field", "name", "--json"]);
    const { value, salt } = d.json.fields[0];
    // a third party, on another home attached to nothing but the chain, sees commitments only
    const check = await xray(home, ["patients", "check-disclosure", contract, "name", value, salt]);
    expect(check.code, check.stderr).to.equal(0);
    const wrong = await xray(home, ["patients", "check-disclosure", contract, "name", "Kenny", salt]);
    expect(wrong.code).to.equal(1);
    // the register moved aside: the profile says what it cannot show
    const reg = fs.readdirSync(path.join(home, "hospital")).find((f) => f.endsWith(".sqlite"))!;
    const regPath = path.join(home, "hospital", reg);
    fs.renameSync(regPath, regPath + ".bak");
    try {
      const p = await xray(home, ["--patient", contract, "profile"]);
      expect(p.code, p.stderr).to.equal(0);
      expect(p.stdout).to.match(/name:\s+committed, not disclosed here/);
      expect(p.stdout).to.not.match(/Ken Watanabe|19970522/);
    } finally {
      fs.renameSync(regPath + ".bak", regPath);
    }
  });

  it("a doctor granted once records on two patients by --patient", async () => {
    expect((await xray(home, ["patients", "add", "--mrn", "MRN-B", "--name", "Amy Lin", "--contact", "+886 2 1234 5678", "-q"])).code).to.equal(0);
    expect((await xray(home, ["--patient", "MRN-A", "set-xray-hash", "chest", PAPER_HASH, "-q"])).code).to.equal(0);
    const r = await xray(home, ["set-xray-hash", "chest", PAPER_HASH, "-q"], { env: { XRAY_PATIENT: "#2" } });
    expect(r.code, r.stderr).to.equal(0);
    expect((await xray(home, ["--patient", "MRN-B", "xray-count"])).stdout).to.match(/^1\b/);
  });

  it("patients import killed with kill -9 at several moments, rerun: every patient exactly once", async () => {
    csv(file, 240, 1000);
    const reg = path.join(home, "hospital", fs.readdirSync(path.join(home, "hospital")).find((f) => f.endsWith(".sqlite"))!);
    fs.copyFileSync(reg, reg + ".backup"); // a backup from before the import
    for (const delay of [1500, 3000]) {
      const run = spawn(process.execPath, [BIN, "patients", "import", file, "--batch", "20"], { env: { ...process.env, XRAY_HOME: home, XRAY_RPC: "" }, stdio: "ignore" });
      await sleep(delay);
      if (run.exitCode === null) {
        const gone = new Promise((r) => run.once("exit", r));
        run.kill("SIGKILL");
        await gone;
      }
    }
    const rerun = await xray(home, ["patients", "import", file, "--json"]);
    expect(rerun.code, rerun.stderr).to.equal(0);
    const list = await xray(home, ["patients", "list", "--json"]);
    const imported = list.json.patients.filter((p: { mrn: string }) => p.mrn.startsWith("MRN-00"));
    expect(imported).to.have.length(240);
    expect(imported.every((p: { status: string }) => p.status === "onchain")).to.equal(true);
    expect(new Set(imported.map((p: { contract: string }) => p.contract)).size).to.equal(240);
    const again = await xray(home, ["patients", "import", file, "--json"]);
    expect(again.json.created).to.have.length(0);
    expect(again.json.skipped).to.equal(240);
    const doctor = await xray(home, ["doctor", "--json"]);
    const check = doctor.json.checks.find((c: { check: string }) => c.check === "register");
    expect(check.status, check.message).to.equal("ok");
    expect(check.message).to.match(/agree/);
    // the register restored from the older backup disagrees with the chain: said, refused, nothing written
    fs.renameSync(reg, reg + ".current");
    fs.copyFileSync(reg + ".backup", reg);
    try {
      const d = await xray(home, ["doctor", "--json"]);
      expect(d.code).to.equal(1);
      expect(d.json.checks.find((c: { check: string }) => c.check === "register").message).to.match(/240 patient\(s\) on chain missing from the register/);
      const lost = await xray(home, ["--patient", imported[0].contract, "xray-count"]);
      expect(lost.code).to.equal(2);
      expect(lost.stderr).to.match(/on chain but missing from the register/);
      const again = await xray(home, ["patients", "add", "--mrn", imported[0].mrn, "--name", "Patient 1000", "--birthday", "19900101", "--gender", "female", "--blood-type", "O"]);
      expect(again.code, again.stderr).to.equal(2);
      expect(again.stderr).to.match(/already a patient on chain .* missing from the register/);
    } finally {
      fs.renameSync(reg + ".current", reg);
      fs.rmSync(reg + ".backup");
    }
  });

  const bad: [string[], RegExp][] = [
    [["--patient", "NOPE", "profile"], /unknown patient: no medical record number "NOPE"/],
    [["--patient", "#999", "profile"], /no patient #999 in the register/],
    [["--patient", "0x1234567890123456789012345678901234567890", "profile"], /not a patient contract registered by this hospital/],
    [["patients", "add", "--mrn", "MRN-A", "--name", "Other"], /already patient #1/],
    [["patients", "add", "--mrn", "", "--name", "X"], /must not be empty/],
    [["patients", "add", "--mrn", "M-9", "--name", "X", "--birthday", "19971332"], /not a real date/],
    [["patients", "show", "NOPE"], /unknown patient/],
    [["patients", "disclose", "MRN-A", "--field", "shoe"], /unknown field "shoe"/],
    [["patients", "check-disclosure", "0x12", "name", "x", "0x00"], /malformed address/],
  ];
  it("bad inputs: one line each, exit 2, no patient written", async () => {
    const before = (await xray(home, ["patients", "list", "--json"])).json.total;
    for (const [args, says] of bad) {
      const r = await xray(home, args);
      expect(r.code, args.join(" ") + ": " + r.stderr).to.equal(2);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr).to.match(says);
    }
    expect((await xray(home, ["patients", "list", "--json"])).json.total).to.equal(before);
  });

  it("a CSV with a repeated MRN or a bad field is refused before anything is written", async () => {
    const f = file + ".bad.csv";
    fs.writeFileSync(f, "mrn,name\nX-1,A\nX-1,B\n");
    const r = await xray(home, ["patients", "import", f]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/appears twice \(first on line 2\)/);
    fs.rmSync(f);
  });

  it("no PHI on chain: no transaction's calldata and no event of the whole session holds a clear value", async () => {
    const clear = ["Ken Watanabe", "ken@example.org", "19970522", "MRN-A", "Amy Lin", "+886 2 1234 5678", "MRN-B", "Patient 1000", "MRN-001000", "MRN-001239", "19900101"];
    const { found, transactions } = await clearValuesOnChain(home, clear);
    expect(found).to.deep.equal([]);
    expect(transactions).to.be.at.least(10);
  });
});
