import { expect } from "chai";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { BIN, ROOT, tempHome, xray, type CliResult } from "./helpers/cli";

// The questions xray asks on a terminal (init's profile and roles, remove-permission's
// confirmation), driven through a pseudo-terminal by python3's pty, as a person would answer.

/** What the terminal showed, without colours and cursor moves. */
const plain = (screen: string) => screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/**
 * Runs xray on a pseudo-terminal: each step waits for its prompt (a regex over the raw screen)
 * and types the answer, then Enter. Resolves to the exit status and the screen, plain.
 */
function onTerminal(home: string, steps: [string, string][], args: string[]): Promise<{ code: number; screen: string }> {
  return new Promise((resolve, reject) => {
    const script = path.join(ROOT, "test", "helpers", "pty-drive.py");
    const env = { ...process.env, XRAY_HOME: home, XRAY_RPC: "" };
    execFile("python3", [script, JSON.stringify(steps), process.execPath, BIN, ...args], { env, timeout: 60_000, killSignal: "SIGKILL" }, (err, stdout) => {
      if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
      resolve({ code: err ? Number((err as { code: number }).code) : 0, screen: plain(stdout) });
    });
  });
}

const ok = (r: CliResult) => expect(r.code, r.stderr + r.stdout).to.equal(0);
const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
/** Enter at every question of init, in order. */
const INIT_QUESTIONS = ["Patient's name", "Patient's account", "Patient's age", "Gender", "Blood type", "Gov \\(", "Host \\(", "Host's name", "Doctor \\("];
const answers = (typed: Record<string, string>): [string, string][] => INIT_QUESTIONS.map((q) => [q, typed[q] ?? ""]);
/** Which account each account list had preselected (the cursor ❯), in order of the questions. */
const preselected = (screen: string) =>
  [...new Set([...screen.matchAll(/\? ([^\n]+)\n(?: {2}0x[0-9a-fA-F]{40} {2}account \d\n)*❯ 0x[0-9a-fA-F]{40} {2}account (\d)/g)].map((m) => `${m[1]}=${m[2]}`))];

describe("questions on a terminal (pseudo-terminal): init and remove-permission", function () {
  it("init without flags asks for each value, defaults shown; the answers are what is deployed", async () => {
    const home = tempHome("prompt-init");
    const r = await onTerminal(home, answers({ "Patient's name": "Ana", "Patient's age": "31", Gender: "female", "Blood type": "O" }), ["init"]);
    expect(r.code, r.screen).to.equal(0);
    expect(r.screen).to.include("Patient's name (Ken)").and.include("Patient's age (25)").and.include("Host's name (Host)");
    expect(r.screen).to.match(/\? Gender\n❯ male\n/).and.match(/\? Blood type\n {2}A\n❯ B\n/);
    expect(preselected(r.screen)).to.deep.equal([
      "Patient's account=3",
      "Gov (deploys the contracts, grants roles)=0",
      "Host (hospital, granted the host role)=1",
      "Doctor (the account the role name 'doctor' stands for)=2",
    ]);
    expect(r.screen).to.match(/deployed on the embedded chain/);
    const [profile, accounts] = await Promise.all([xray(home, ["profile", "--json"]), xray(home, ["accounts", "--json"])]);
    ok(profile);
    expect(profile.json).to.include({ name: "Ana", age: 31, gender: "female", bloodType: "O", patient: accounts.json.accounts[3].address });
    expect(accounts.json.accounts.slice(0, 4).map((a: { role: string }) => a.role)).to.deep.equal(["gov", "host", "doctor", "patient"]);
  });

  it("Enter at every question deploys the defaults (the paper's Ken, 25, male, B); a second init refuses before asking", async () => {
    const home = tempHome("prompt-defaults");
    const r = await onTerminal(home, answers({}), ["init"]);
    expect(r.code, r.screen).to.equal(0);
    expect(r.screen).to.include("✔ Patient's name Ken").and.include("✔ Blood type B").and.include("✔ Host's name Host");
    const profile = await xray(home, ["profile", "--json"]);
    expect(profile.json).to.include({ name: "Ken", age: 25, gender: "male", bloodType: "B" });
    const again = await onTerminal(home, [], ["init"]);
    expect(again.code).to.equal(1);
    expect(again.screen).to.match(/^xray: error: already initialised: xr is at 0x/m).and.not.include("Patient's name");
  });

  it("a flag of init's own, or --json, on a terminal: no questions", async () => {
    const home = tempHome("prompt-flag");
    const [flag, json] = await Promise.all([onTerminal(home, [], ["init", "--name", "Bo"]), onTerminal(tempHome("prompt-json"), [], ["init", "--json"])]);
    expect(flag.code, flag.screen).to.equal(0);
    expect(flag.screen).to.not.include("Patient's name");
    expect((await xray(home, ["profile", "--json"])).json).to.include({ name: "Bo", age: 25, gender: "male", bloodType: "B" });
    expect(json.code, json.screen).to.equal(0);
    expect(JSON.parse(json.screen).xr).to.match(/^0x[0-9a-fA-F]{40}$/);
  });

  it("Ctrl-C or Ctrl-D at a question: one line, exit 1, nothing deployed", async () => {
    const homes = [tempHome("prompt-ctrl-c"), tempHome("prompt-ctrl-d")];
    const cancelled = await Promise.all([
      onTerminal(homes[0], [["Patient's name", "Ana"], ["Patient's account", ""], ["Patient's age", CTRL_C]], ["init"]),
      onTerminal(homes[1], [["Patient's name", CTRL_D]], ["init"]),
    ]);
    for (const r of cancelled) {
      expect(r.code, r.screen).to.equal(1);
      expect(r.screen.match(/^xray: .*$/gm)).to.deep.equal(["xray: error: cancelled: nothing was deployed"]);
    }
    for (const profile of await Promise.all(homes.map((home) => xray(home, ["profile", "--json"])))) {
      expect(profile.json.error.code).to.equal("NOT_DEPLOYED");
    }
  });

  describe("remove-permission asks on a terminal, unless --yes", function () {
    const home = tempHome("prompt-remove");
    const permissionOf = async (index: number) => (await xray(home, ["accounts", "--json"])).json.accounts[index];
    const QUESTION = "Remove doctor permission of Dr\\.Lee";

    it("(set up, without a terminal: init asks nothing; a doctor)", async () => {
      const r = await xray(home, ["init"]);
      ok(r);
      expect(r.stderr).to.equal("");
      ok(await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor"]));
    });

    it("answered n, or Enter (default No): exit 1, 'cancelled: nothing removed', nothing sent", async () => {
      for (const answer of ["n", ""]) {
        const r = await onTerminal(home, [[QUESTION, answer]], ["remove-permission", "doctor"]);
        expect(r.code, r.screen).to.equal(1);
        // (inquirer wraps the question at the terminal's width)
        expect(r.screen.replace(/\s+/g, " ")).to.include("Remove doctor permission of Dr.Lee (0x22d491Bde2303f2f43325b2108D26f1eAbA1e32b)? (y/N)");
        expect(r.screen.match(/^xray: .*$/gm)).to.deep.equal(["xray: error: cancelled: nothing removed"]);
      }
      const doctor = await permissionOf(2);
      expect(doctor.permission).to.include({ name: "Dr.Lee", userType: "doctor", enabled: true });
      expect(doctor).to.not.have.property("removed");
    });

    it("answered y: removed", async () => {
      const r = await onTerminal(home, [[QUESTION, "y"]], ["remove-permission", "doctor"]);
      expect(r.code, r.screen).to.equal(0);
      expect(r.screen).to.match(/removed the doctor permission of 0x22d491Bde2303f2f43325b2108D26f1eAbA1e32b/);
      expect((await permissionOf(2)).removed).to.equal("doctor");
    });

    it("--yes on a terminal: no question", async () => {
      const r = await onTerminal(home, [], ["remove-permission", "host", "--yes"]);
      expect(r.code, r.screen).to.equal(0);
      expect(r.screen).to.match(/removed the host permission of/);
      expect(r.screen).to.not.include("(y/N)");
      expect((await permissionOf(1)).removed).to.equal("host");
    });
  });
});
