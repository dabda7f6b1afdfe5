import { expect } from "chai";
import { PAPER_HASH, tempHome, xray, type CliResult } from "./helpers/cli";
import { blockNumber } from "./helpers/chain";

function expectOneLineError(r: CliResult, pattern: RegExp, code = 2) {
  expect(r.code, r.stderr).to.equal(code);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^xray: error: /);
  expect(lines[0]).to.match(pattern);
  expect(r.stdout).to.equal("");
}

// Each bad input: one clear line on stderr, a non-zero exit, and no transaction sent.
describe("xray CLI: bad input", function () {
  const home = tempHome("errors");
  let before: number;

  it("no deployment yet", async () => {
    const r = await xray(home, ["profile"]);
    expectOneLineError(r, /no xray deployment on the embedded chain in .* yet: run `xray init` first/, 1);
    const j = await xray(home, ["xray-count", "--json"]);
    expect(j.code).to.equal(1);
    expect(JSON.parse(j.stdout).error.code).to.equal("NOT_DEPLOYED");
  });

  it("(set up: init and a doctor)", async () => {
    expect((await xray(home, ["init"])).code).to.equal(0);
    expect((await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor"])).code).to.equal(0);
    before = await blockNumber(home);
  });

  it("malformed address", async () => {
    expectOneLineError(await xray(home, ["set-permission", "0x1234", "Dr.X", "doctor"]), /malformed address "0x1234"/);
    expectOneLineError(
      await xray(home, ["set-permission", "0x22D491Bde2303f2f43325b2108D26f1eAbA1e32b", "Dr.X", "doctor"]),
      /wrong checksum \(did you mean 0x22d491Bde2303f2f43325b2108D26f1eAbA1e32b\?\)/,
    );
  });

  it("unknown role, user type, account index", async () => {
    expectOneLineError(await xray(home, ["set-permission", "nurse", "N", "doctor"]), /unknown account "nurse"/);
    expectOneLineError(await xray(home, ["set-permission", "doctor", "Dr.Lee", "surgeon"]), /unknown user type "surgeon"/);
    expectOneLineError(await xray(home, ["set-permission", "doctor", "Dr.Lee", "gov"]), /user type gov cannot be granted/);
    expectOneLineError(await xray(home, ["set-permission", "42", "Dr.Lee", "1"]), /account index 42 does not exist/);
    expectOneLineError(await xray(home, ["set-xray-hash", "chest", PAPER_HASH, "--from", "janitor"]), /unknown account "janitor"/);
  });

  it("a hash that is not 64 hex digits", async () => {
    expectOneLineError(await xray(home, ["set-xray-hash", "chest", "16c8a6"]), /not a SHA-256: "16c8a6" is not 64 hex digits/);
    expectOneLineError(await xray(home, ["set-xray-hash", "chest", "z".repeat(64)]), /not a SHA-256/);
    expectOneLineError(await xray(home, ["set-xray-hash", "chest"]), /missing the SHA-256/);
    expectOneLineError(await xray(home, ["set-xray-hash", "chest", "--file", "/nonexistent/scan.png"]), /cannot read \/nonexistent\/scan.png: no such file/);
  });

  it("an impossible date", async () => {
    for (const d of ["19970230", "2023-01-01", "19971301", "20230229"]) {
      expectOneLineError(await xray(home, ["set-birthday", d]), /not a real date/);
    }
  });

  it("an index out of range", async () => {
    expectOneLineError(await xray(home, ["get-xray", "5"]), /there is no X-ray record #5: 0 recorded/);
    expectOneLineError(await xray(home, ["get-xray", "-1"]), /not a valid record index|unknown option/);
    expectOneLineError(await xray(home, ["get-xray", "abc"]), /not a valid record index: "abc"/);
  });

  it("a revert is explained in words", async () => {
    expectOneLineError(await xray(home, ["set-contact", "x", "--from", "doctor"]), /\(doctor\) is not a host: only the host may set the contact/, 1);
    expectOneLineError(await xray(home, ["set-permission", "4", "Dr.Who", "doctor", "--from", "host"]), /\(host\) is not a gov: only the gov may grant permissions/, 1);
  });

  it("an unreachable node", async () => {
    const r = await xray(home, ["profile", "--rpc", "http://127.0.0.1:9"]);
    expectOneLineError(r, /cannot reach the Ethereum node at http:\/\/127.0.0.1:9/, 1);
    expectOneLineError(await xray(home, ["profile", "--rpc", "localhost:8545"]), /--rpc must be an http\(s\) URL/);
  });

  it("a private key on the command line is refused", async () => {
    expectOneLineError(await xray(home, ["accounts", "--private-key", "0x" + "11".repeat(32)]), /refusing a private key on the command line/);
  });

  it("unknown commands and missing arguments exit 2", async () => {
    const r = await xray(home, ["set-xray"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/unknown command 'set-xray'/);
    const m = await xray(home, ["set-birthday"]);
    expect(m.code).to.equal(2);
    expect(m.stderr).to.match(/missing required argument/);
  });

  it("bad options of the data set commands: exit 2, one line, nothing done", async () => {
    const cases: [string[], RegExp][] = [
      [["hash", "README.md", "--format", "xml"], /unknown format "xml": use text, jsonl, csv, icon/],
      [["hash", "README.md", "--threads", "-1"], /--threads must be a whole number/],
      [["anchor", "no-such.json"], /cannot read the manifest no-such.json: ENOENT/],
      [["anchor", "package.json"], /is not an xray manifest/],
      [["anchor", "package.json", "--window", "0"], /--window must be a whole number from 1 to 4096/],
      [["verify"], /give the files to check on chain, or --manifest/],
      [["verify", "--manifest", "no-such.json"], /cannot read the manifest/],
      [["dataset", "/tmp/x", "--scale", "2"], /--scale must be above 0 and at most 1/],
      [["bench", "--sizes", "10,abc"], /--sizes must be whole numbers/],
    ];
    for (const [args, message] of cases) {
      const r = await xray(home, args);
      expect(r.code, args.join(" ")).to.equal(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(r.stderr, args.join(" ")).to.match(message);
    }
  });

  it("bad input to the sharing commands: exit 2, one line, nothing sent", async () => {
    const env = { env: { XRAY_PASSPHRASE: "" } };
    const cases: [string[], RegExp][] = [
      [["upload", "package.json", "--to", "patient"], /package.json is not an image|has no key/],
      [["upload", "no-such.png", "--to", "patient"], /no such file: no-such.png/],
      [["upload", "package.json", "--to", "patient", "--cid-version", "3"], /--cid-version must be 0 or 1/],
      [["download", "not-a-cid", "--out", "x.png"], /not a CID: "not-a-cid"/],
      [["download", "#0", "--out", "."], /--out \. is a folder/],
      [["request-access", "doctor", "--from", "4"], /is not this contract's patient/],
      [["request-access", "patient"], /who is asking\? --from <account>/],
      [["deny", "4", "--reason", "x"], /cannot deny .*: their access is none, not requested/],
      [["revoke", "0x12"], /malformed address "0x12"/],
      [["approve", "4"], /has no pending request \(access: none\)/],
      [["events", "--kind", "bogus"], /unknown event kind "bogus"/],
      [["keys", "export", "nobody"], /no key for "nobody"/],
      [["keys", "import", "package.json"], /package.json is not an OpenPGP key/],
      [["keys", "generate", "--name", "Ken"], /needs a passphrase: XRAY_PASSPHRASE or --passphrase-file/],
      [["ipfs", "get", "QmdMXJCTec89xBdRYPxCro9TpavKU3dPaG14DDeuh652CP", "--out", "x", "--ipfs", "ftp://x"], /--ipfs must be a Kubo RPC URL/],
    ];
    for (const [args, pattern] of cases) {
      const r = await xray(home, args, env);
      expect(r.code, args.join(" ") + r.stderr).to.be.oneOf([1, 2]);
      expectOneLineError(r, pattern, r.code);
    }
    for (const args of [["upload", "x.png"], ["download", "#0"], ["deny", "4"], ["keys", "generate"]]) {
      const r = await xray(home, args);
      expect(r.code, args.join(" ")).to.equal(2);
      expect(r.stderr).to.match(/required option/);
    }
  });

  it("nothing was sent by any of the above", async () => {
    expect(await blockNumber(home)).to.equal(before);
  });

  it("every command answers --help", async () => {
    const commands = ["init", "node", "accounts", "set-permission", "remove-permission", "set-xray-hash", "xray-count", "get-xray", "list-xrays", "set-birthday", "set-contact", "profile", "hash", "verify", "anchor", "dataset", "bench", "ipfs", "keys", "upload", "download", "request-access", "approve", "deny", "trace", "revoke", "events", "classify", "stego", "authenticate", "console", "doctor", "completion", "deid", "pacs", "hospital", "patients"];
    const main = await xray(home, ["--help"]);
    expect(main.code).to.equal(0);
    for (const c of commands) {
      expect(main.stdout).to.include(c);
      const r = await xray(home, [c, "--help"]);
      expect(r.code, c).to.equal(0);
      expect(r.stdout, c).to.match(new RegExp(`^Usage: xray ${c}`));
    }
    for (const [group, subs] of [["ipfs", ["add", "get", "export", "import"]], ["keys", ["generate", "list", "export", "import"]], ["stego", ["embed", "extract"]], ["pacs", ["push", "anchor", "verify"]], ["hospital", ["init"]], ["patients", ["add", "import", "list", "show", "use", "disclose", "check-disclosure"]]] as const) {
      for (const c of subs) {
        const r = await xray(home, [group, c, "--help"]);
        expect(r.code, `${group} ${c}`).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^Usage: xray ${group} ${c}`));
      }
    }
  });
});
