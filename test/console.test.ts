import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../src/cli/commands/console";
import { resolveGlobals, type RawGlobals } from "../src/cli/context";
import type { CommandOutput } from "../src/cli/output";
import { ConsoleError } from "../src/core/chain/console";
import { XrayError } from "../src/errors";
import { BIN, lockedNode, PAPER_HASH, ROOT, tempHome, xray } from "./helpers/cli";

// `xray console`: truffle console for the deployed contracts. The command is driven
// directly (run) and through the binary (once main.ts registers it), as scripts, on
// standard input and on a pseudo-terminal.

/** The paper's truffle console session, as typed there. */
const PAPER_SESSION = [
  "xry.setPermission(doctor, 'Dr.Lee', 1, true)",
  `await xry.setXrayhash('chest', '${PAPER_HASH}', {from: doctor})`,
  "(await xry.getXrayhash(0))",
];
const OTHER_HASH = "b".repeat(64);

type Statement = { line: number; code: string; result: any };
const statements = (out: CommandOutput) => (out.json as { statements: Statement[] }).statements;
const failure = (work: Promise<unknown>) => work.then(() => expect.fail("expected a failure"), (err: unknown) => err as XrayError);
const lockOf = (home: string) => path.join(home, "chain.lock");

// These tests check that the console releases the chain it holds itself: XRAY_CHAIN_IDLE=0, no
// background process (its lock is the process's; chain-daemon.test.ts covers it). Mocha runs each
// file in its own worker, so this reaches only this file's commands.
process.env.XRAY_CHAIN_IDLE = "0";

/** Runs `work` with process.stdout captured (what a text-mode script prints). */
async function captured<T>(work: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  const write = process.stdout.write;
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await work(), stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe("xray console: the command on a fresh embedded chain", function () {
  const home = tempHome("console");
  const g = (raw: RawGlobals = {}) => resolveGlobals({ home, ...raw }, { XRAY_CHAIN_IDLE: "0" });
  let deployed: { xr: string; roles: Record<string, string> };

  before(async () => {
    const r = await xray(home, ["init", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    deployed = r.json;
  });

  it("defines accounts, gov/host/doctor/patient, web3, xr and xry; gov is accounts[0]; top-level await works", async () => {
    const code = [
      "accounts.length",
      "gov === accounts[0]",
      "[gov, host, doctor, patient]",
      "await web3.eth.getChainId()",
      "xry.address",
      "const xr2 = await xr.deployed()",
      "xr2.address === xry.address",
    ];
    const out = await run(g({ json: true }), undefined, { eval: code.join("\n") });
    const { roles } = deployed;
    expect(statements(out).map((s) => s.result)).to.deep.equal([10, true, [roles.gov, roles.host, roles.doctor, roles.patient], "1337", deployed.xr, null, true]);
    expect(out.json).to.include({ network: "embedded", from: roles.gov });
    expect(fs.existsSync(lockOf(home)), "the embedded chain's lock is released").to.equal(false);
  });

  it("runs the paper's session as typed (sent from gov by default), and the CLI sees what it wrote", async () => {
    const out = await run(g({ json: true }), undefined, { eval: [...PAPER_SESSION, "xry.getXrayhashCount()"].join("\n") });
    const [grant, record, read, count] = statements(out);
    expect([grant.line, record.line, read.line, count.line]).to.deep.equal([1, 2, 3, 4]);
    expect(grant.code).to.equal(PAPER_SESSION[0]);
    expect(grant.result.receipt.from).to.equal(deployed.roles.gov.toLowerCase());
    expect(grant.result.logs[0].event).to.equal("PermissionSet");
    expect(record.result.receipt.from).to.equal(deployed.roles.doctor.toLowerCase());
    expect(read.result).to.include({ 0: "Dr.Lee", 1: "chest", 2: PAPER_HASH });
    expect(count.result).to.equal("1");
    const back = await xray(home, ["get-xray", "0", "--json"]);
    expect(back.code, back.stderr).to.equal(0);
    expect(back.json).to.include({ doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH, author: deployed.roles.doctor });
  });

  it("runs a script file, printing each result as the REPL does (multi-line statements, console.log, .exit)", async () => {
    const file = path.join(home, "records.js");
    const script = [
      "// what is recorded",
      "const count = await xry.getXrayhashCount()",
      "count",
      "xry.getXrayhash(0)",
      "console.log('records:', count.toString())",
      "const twice = (n) =>",
      "  n * 2",
      "twice(21)",
      ".exit",
      "this line is never run",
    ];
    fs.writeFileSync(file, script.join("\n") + "\n");
    const { value, stdout } = await captured(() => run(g(), file, {}));
    expect(value.text).to.equal("");
    expect(stdout).to.equal(`BN(1)\nResult {\n  '0': 'Dr.Lee',\n  '1': 'chest',\n  '2': '${PAPER_HASH}'\n}\nrecords: 1\n42\n`);
    expect(statements(value).map((s) => s.line)).to.deep.equal([1, 2, 3, 4, 5, 6, 8]);
  });

  it("stops at the first failing statement with one line: where, and what went wrong in words", async () => {
    const script = ["xry.getXrayhashCount()", `xry.setXrayhash('knee', '${OTHER_HASH}', {from: host})`, `xry.setXrayhash('knee', '${OTHER_HASH}', {from: doctor})`];
    const err = await failure(run(g({ json: true }), undefined, { eval: script.join("\n") }));
    expect(err).to.be.instanceOf(ConsoleError);
    expect(err.code).to.equal("REVERTED");
    expect(err.message).to.equal(`line 2: ${deployed.roles.host} (host) is not a doctor: only the doctor may record X-ray hashes`);
    expect((await xray(home, ["xray-count", "--json"])).json.count, "line 3 was not run").to.equal(1);
    expect(fs.existsSync(lockOf(home)), "the lock is released after a failure too").to.equal(false);
  });

  for (const [code, message, errorCode] of [
    ["xry.getXrayhash(9)", "line 1: there is no X-ray record #9: 1 recorded", "REVERTED"],
    ["await xry.setBirthday('19970230', {from: host})", 'line 1: not a real date: "19970230" (expected YYYYMMDD)', "REVERTED"],
    ["1 + 1\nxry.nope(1)", "line 2: TypeError: xry.nope is not a function", "STATEMENT_FAILED"],
    ["await notDefined", "line 1: ReferenceError: notDefined is not defined", "STATEMENT_FAILED"],
    ["let x = )", "line 1: SyntaxError: Unexpected token ')'", "STATEMENT_FAILED"],
    ["\nconst f = (a) =>\n", "line 2: SyntaxError: Unexpected end of input", "STATEMENT_FAILED"],
    ["throw new Error('stop here')", "line 1: Error: stop here", "STATEMENT_FAILED"],
  ]) {
    it(`a failing statement is one line: ${JSON.stringify(code)}`, async () => {
      const err = await failure(run(g({ json: true }), undefined, { eval: code }));
      expect(err).to.be.instanceOf(ConsoleError);
      expect({ message: err.message, code: err.code }).to.deep.equal({ message, code: errorCode });
    });
  }

  it("refuses a file and --eval together, an unreadable file, and a home without a deployment", async () => {
    const both = await failure(run(g(), "script.js", { eval: "1" }));
    expect(both).to.include({ code: "BAD_INPUT", message: "give a script file or --eval, not both" });
    const missing = await failure(run(g(), path.join(home, "missing.js"), {}));
    expect(missing.code).to.equal("BAD_INPUT");
    expect(missing.message).to.match(/^cannot read the script .*missing\.js: ENOENT$/);
    const empty = tempHome("console-empty");
    const none = await failure(run(resolveGlobals({ home: empty, json: true }, { XRAY_CHAIN_IDLE: "0" }), undefined, { eval: "1" }));
    expect(none.code).to.equal("NOT_DEPLOYED");
    expect(fs.existsSync(lockOf(empty))).to.equal(false);
  });
});

// A node that holds no unlocked keys: the console signs with --private-key, like every command.
describe("xray console over --rpc with a local signer (locked accounts)", function () {
  const home = tempHome("console-rpc");
  let node: Awaited<ReturnType<typeof lockedNode>>;
  let url: string;
  let addresses: string[];
  const keyFile = (i: number) => node.keyFile(i);

  before(async () => {
    node = await lockedNode(home);
    ({ url, addresses } = node);
    const init = await xray(home, ["init", "--rpc", url, "--private-key", keyFile(0), "--host", addresses[1], "--doctor", addresses[2], "--patient", addresses[3]]);
    expect(init.code, init.stderr).to.equal(0);
  });
  after(() => node.close());

  it("sends the paper's session signed by gov's key, then by the doctor's (the default sender is the signer)", async () => {
    const asKey = (i: number) => resolveGlobals({ home, rpc: url, privateKey: keyFile(i), json: true }, {});
    const grant = await run(asKey(0), undefined, { eval: PAPER_SESSION[0] });
    expect(statements(grant)[0].result.receipt.from).to.equal(addresses[0].toLowerCase());
    const record = await run(asKey(2), undefined, { eval: `(await xry.setXrayhash('chest', '${PAPER_HASH}')).receipt.from\nawait web3.eth.getChainId()` });
    expect(statements(record).map((s) => s.result)).to.deep.equal([addresses[2].toLowerCase(), "31337"]);
    expect(record.json).to.include({ network: new URL(url).host, from: addresses[2] });
    const back = await xray(home, ["get-xray", "0", "--rpc", url, "--json"]);
    expect(back.json).to.include({ doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH, author: addresses[2] });
  });
});

/** What a terminal showed, without colours and cursor moves. */
const plain = (screen: string) => screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

// Through the binary: skipped until main.ts registers `xray console [file]` with `-e, --eval <code>`.
describe("xray console (CLI)", function () {
  const home = tempHome("console-cli");
  let roles: Record<string, string>;

  before(async function () {
    const help = await xray(home, ["console", "--help"]);
    if (help.code !== 0 || !/Usage: xray console/.test(help.stdout)) return this.skip();
    const init = await xray(home, ["init", "--json"]);
    expect(init.code, init.stderr).to.equal(0);
    roles = init.json.roles;
  });

  it("runs the paper's session from standard input as typed; `xray get-xray 0` sees the record", async () => {
    const r = await xray(home, ["console"], { input: [...PAPER_SESSION, "accounts.length", "gov"].join("\n") + "\n" });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal("");
    expect(r.stdout).to.include("event: 'PermissionSet'").and.include("event: 'XrayhashSet'");
    expect(r.stdout).to.include(`Result {\n  '0': 'Dr.Lee',\n  '1': 'chest',\n  '2': '${PAPER_HASH}'\n}\n10\n'${roles.gov}'\n`);
    const back = await xray(home, ["get-xray", "0", "--json"]);
    expect(back.json).to.include({ doctor: "Dr.Lee", part: "chest", sha256: PAPER_HASH, author: roles.doctor });
  });

  it("runs a script file, and -e with --json prints one document", async () => {
    const file = path.join(home, "count.js");
    fs.writeFileSync(file, "const n = await xry.getXrayhashCount()\nn.toNumber()\n");
    const r = await xray(home, ["console", file]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).to.deep.equal({ code: 0, stdout: "1\n", stderr: "" });
    const j = await xray(home, ["console", "-e", "accounts.length\nxry.getXrayhash(0)", "--json"]);
    expect(j.code, j.stderr).to.equal(0);
    expect(j.json.statements.map((s: Statement) => s.result)).to.deep.equal([10, { 0: "Dr.Lee", 1: "chest", 2: PAPER_HASH }]);
  });

  it("a failing statement: exit 1, the earlier results printed, one line naming it on stderr", async () => {
    const input = `xry.getXrayhashCount()\nawait xry.setXrayhash('knee', '${OTHER_HASH}', {from: host})\n'never printed'\n`;
    const r = await xray(home, ["console"], { input });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal("BN(1)\n");
    expect(r.stderr).to.equal(`xray: error: line 2: ${roles.host} (host) is not a doctor: only the doctor may record X-ray hashes\n`);
    const j = await xray(home, ["console", "--json"], { input });
    expect(j.code).to.equal(1);
    expect(j.json.error).to.include({ code: "REVERTED" });
  });

  it("on a terminal: the REPL with prompt xray(embedded)>, top-level await, history kept in the home", async () => {
    const steps: [string, string][] = [
      ["xray\\(embedded\\)> ", "await xry.getXrayhashCount()"],
      ["BN\\(1\\)[\\s\\S]*xray\\(embedded\\)> ", "xry.getXrayhash(0)"],
      ["Dr\\.Lee[\\s\\S]*xray\\(embedded\\)> ", "xry.getXrayhash(5)"],
      ["no X-ray record #5[\\s\\S]*xray\\(embedded\\)> ", ".exit"],
    ];
    const r = await new Promise<{ code: number; screen: string }>((resolve, reject) => {
      const script = path.join(ROOT, "test", "helpers", "pty-drive.py");
      const env = { ...process.env, XRAY_HOME: home, XRAY_RPC: "" };
      execFile("python3", [script, JSON.stringify(steps), process.execPath, BIN, "console"], { env, timeout: 60_000, killSignal: "SIGKILL" }, (err, stdout) => {
        if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
        resolve({ code: err ? Number((err as { code: number }).code) : 0, screen: plain(stdout) });
      });
    });
    expect(r.code, r.screen).to.equal(0);
    expect(r.screen).to.include("xray(embedded)> ").and.include("'Dr.Lee'").and.include(PAPER_HASH);
    expect(r.screen).to.include("Uncaught RevertError: there is no X-ray record #5: 1 recorded");
    expect(fs.readFileSync(path.join(home, "console_history"), "utf8")).to.include("xry.getXrayhash(0)");
    expect(fs.existsSync(lockOf(home))).to.equal(false);
  });
});
