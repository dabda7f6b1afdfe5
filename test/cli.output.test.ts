/**
 * The shared output machinery, through the CLI: --out never destroys what is at the target,
 * -q drops decoration and never data, text from the chain is escaped for the terminal, a
 * closed pipe ends quietly, and every command's --help lists its global options and exit codes.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BIN, ok, tempHome, xray } from "./helpers/cli";

const PASS = "correct horse battery staple";

describe("xray output: --out targets, -q, escaping, closed pipes, help", function () {
  this.timeout(300_000);
  const home = tempHome("output");
  const work = tempHome("output-work");
  const env = { XRAY_PASSPHRASE: PASS };
  const x = (args: string[]) => xray(home, args, { env, cwd: work });
  const w = (name: string) => path.join(work, name);
  let armored: string;

  before(async () => {
    ok(await x(["init", "-q"]));
    ok(await x(["keys", "generate", "--name", "Ken", "--account", "patient", "-q"]));
    ok(await x(["keys", "generate", "--name", "Dr.Kim", "--account", "4", "-q"]));
    armored = (await x(["keys", "export", "Ken"])).stdout;
    expect(armored).to.match(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe("--out (keys export here; every --out goes through the same writer)", () => {
    it("refuses an existing regular file without --force (exit 2, one line, file unchanged), replaces it with --force", async () => {
      fs.writeFileSync(w("taken.asc"), "keep me");
      const r = await x(["keys", "export", "Ken", "--out", "taken.asc", "--json"]);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr).to.match(/taken\.asc exists: use --force to replace it/);
      expect(r.json.error.code).to.equal("BAD_INPUT");
      expect(fs.readFileSync(w("taken.asc"), "utf8")).to.equal("keep me");
      ok(await x(["keys", "export", "Ken", "--out", "taken.asc", "--force"]));
      expect(fs.readFileSync(w("taken.asc"), "utf8")).to.equal(armored);
      expect(fs.readdirSync(work).filter((n) => n.endsWith(".tmp"))).to.deep.equal([]);
    });

    it("writes through a character device and a FIFO (mknod/mkfifo in a temp folder), never renames over them", async () => {
      execFileSync("mknod", [w("null"), "c", "1", "3"]);
      const dev = await x(["keys", "export", "Ken", "--out", "null"]);
      ok(dev);
      expect(fs.statSync(w("null")).isCharacterDevice()).to.equal(true);
      execFileSync("mknod", [w("full"), "c", "1", "7"]);
      const full = await x(["keys", "export", "Ken", "--out", "full", "--json"]);
      expect(full.code).to.equal(1);
      expect(full.stderr.trim().split("\n")).to.have.length(1);
      expect(full.stderr).to.match(/cannot write .*full: no space left on the device/);
      expect(full.json.error.code).to.equal("DISK_FULL");
      expect(fs.statSync(w("full")).isCharacterDevice()).to.equal(true);
      execFileSync("mkfifo", [w("fifo")]);
      const reader = new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        fs.createReadStream(w("fifo")).on("data", (d) => chunks.push(d as Buffer)).on("end", () => resolve(Buffer.concat(chunks).toString()));
      });
      ok(await x(["keys", "export", "Ken", "--out", "fifo"]));
      expect(await reader).to.equal(armored);
      expect(fs.statSync(w("fifo")).isFIFO()).to.equal(true);
    });

    it("follows a symlink (the link stays, its target gets the bytes) and '-' means stdout", async () => {
      fs.symlinkSync("real.asc", w("link.asc"));
      ok(await x(["keys", "export", "Ken", "--out", "link.asc"]));
      expect(fs.lstatSync(w("link.asc")).isSymbolicLink()).to.equal(true);
      expect(fs.readFileSync(w("real.asc"), "utf8")).to.equal(armored);
      const dash = await x(["keys", "export", "Ken", "--out", "-"]);
      ok(dash);
      expect(dash.stdout).to.equal(armored.trimEnd() + "\n");
      expect(fs.existsSync(w("-"))).to.equal(false);
    });

    it("refuses a folder, and a file in a folder that does not exist", async () => {
      fs.mkdirSync(w("dir"));
      const dir = await x(["keys", "export", "Ken", "--out", "dir"]);
      expect(dir.code).to.equal(2);
      expect(dir.stderr).to.match(/dir is a folder/);
      const missing = await x(["keys", "export", "Ken", "--out", "nowhere/k.asc"]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/the folder .*nowhere does not exist/);
    });
  });

  describe("-q and escaping", () => {
    it("-q keeps every line of data (keys list, events) and drops only decoration", async () => {
      const full = await x(["keys", "list"]);
      const quiet = await x(["keys", "list", "-q"]);
      ok(quiet);
      expect(quiet.stdout.trim().split("\n")).to.have.length(2);
      expect(quiet.stdout).to.equal(full.stdout);
      const gen = await x(["keys", "generate", "--name", "Dr.Q", "-q"]);
      expect(gen.stdout.trim()).to.match(/^[0-9A-F]{40}$/);
    });

    it("on-chain text with escape sequences is shown escaped in text and exact in JSON", async () => {
      const evil = "\x1b[2J\x1b[Hall clear\rFAKE: access approved\nsecond line\x07";
      ok(await x(["request-access", "patient", "--from", "4", "--notes", evil, "-q"]));
      const text = await x(["events"]);
      ok(text);
      expect(text.stdout).to.not.match(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(text.stdout).to.include("\\e[2J\\e[Hall clear\\rFAKE: access approved\\nsecond line\\u{7}");
      expect(text.stdout.trim().split("\n")).to.have.length(1);
      const json = await x(["events", "--json"]);
      expect(json.json.events[0].args.notes).to.equal(evil);
      expect(json.json.events[0].time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const quiet = await x(["events", "-q"]);
      expect(quiet.stdout).to.equal(text.stdout);
    });
  });

  describe("closed pipes, help, completion", () => {
    it("a closed pipe ends the process quietly (no EPIPE trace), exit 141 like sha256sum", () => {
      for (const args of [["--help"], ["completion", "bash"]]) {
        const r = spawnSync("bash", ["-c", `set -o pipefail; node ${BIN} ${args.join(" ")} | head -c 1 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: "utf8" });
        expect(r.stderr).to.match(/^status (0|141)\n$/);
      }
      const big = spawnSync("bash", ["-c", `node ${BIN} completion bash --json | head -c 1 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: "utf8" });
      expect(big.stderr).to.not.match(/EPIPE|at .*\.js/);
    });

    it("--help of a command lists only the global options that apply, and the exit codes", async () => {
      const hash = await xray(home, ["hash", "--help"]);
      ok(hash);
      expect(hash.stdout).to.match(/Global Options:[\s\S]*--json/);
      expect(hash.stdout).to.not.match(/--rpc|--passphrase-file/);
      expect(hash.stdout).to.match(/Exit status: 0 done; 1 failed .* 2 bad input/);
      const upload = await xray(home, ["upload", "--help"]);
      expect(upload.stdout).to.match(/--rpc[\s\S]*--ipfs[\s\S]*--passphrase-file/);
    });

    it("completion bash completes commands, subcommands and options from the real command tree", () => {
      const script = `source <(node ${BIN} completion bash)
        complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _xray; echo "\${COMPREPLY[*]}"; }
        complete_words xray set-p; complete_words xray ipfs a; complete_words xray hash --form`;
      const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
      expect(r.stdout.split("\n").slice(0, 3)).to.deep.equal(["set-permission", "add", "--format"]);
    });
  });
});
