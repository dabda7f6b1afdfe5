/**
 * The bad-input table: every case runs plain and with --json, and must give the exact exit
 * status, exactly one line on stderr (`xray: error: ...`), under --json one document
 * {"error": {"code", "message"}} with the expected code, and leave the work folder exactly
 * as it was (nothing written, nothing damaged).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { cxrData, PAPER_HASH, tempHome, xray, type CliResult } from "./helpers/cli";
import { dcmtk } from "./helpers/dicom";

interface Case {
  args: string[];
  /** Expected exit status (2 = bad input, nothing done). */
  exit?: number;
  /** Expected error code under --json. */
  code?: string;
  /** The one stderr line must match. */
  says?: RegExp;
}

/** Replaced when the case runs by the URL of a server that answers 401 to everything. */
const PACS401 = "@pacs-401@";

const QM = "QmTY3pWhyHjoYP8GHQw7Wa8cRLjzANyuyTvPpn1SZcNF6k";

/** Every file under `dir` with its size and modification time: what "nothing changed" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out[path.relative(dir, p)] = `${st.mode}:${st.size}:${st.mtimeMs}`;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe("bad input, table-driven: one line, the right exit status, the JSON error, nothing written", function () {
  this.timeout(600_000);
  const home = tempHome("badinput");
  const work = tempHome("badinput-work");
  const png = path.join(cxrData(), "originals", "normal", "00001280_004.png");
  const f = (name: string) => path.join(work, name);

  before(async () => {
    fs.writeFileSync(f("text.txt"), "not an image, not a key, not a model\n");
    fs.writeFileSync(f("existing.png"), "keep me");
    fs.writeFileSync(f("empty.png"), "");
    fs.writeFileSync(f("bad.json"), "{ not json");
    fs.mkdirSync(f("folder"));
    fs.copyFileSync(png, f("scan.png"));
    // DICOM instances: one as generated, one whose Burned In Annotation is YES, one cut short.
    const set = path.join(home, "dicom-set");
    expect((await xray(home, ["dataset", set, "--dicom", "--studies", "1", "--patients", "1", "--max-size", "16", "-q"])).code).to.equal(0);
    const dcm = path.join(set, fs.readdirSync(set, { recursive: true }).map(String).find((n) => n.endsWith(".dcm"))!);
    fs.copyFileSync(dcm, f("ok.dcm"));
    fs.copyFileSync(dcm, f("burned.dcm"));
    dcmtk("dcmodify", ["-nb", "-m", "(0028,0301)=YES", f("burned.dcm")]);
    fs.writeFileSync(f("truncated.dcm"), fs.readFileSync(dcm).subarray(0, 400));
    const init = await xray(home, ["init", "--json"]);
    expect(init.code, init.stderr).to.equal(0);
    expect((await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor"])).code).to.equal(0);
  });
  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  const cases: Case[] = [
    // option parsing, for any command
    { args: ["nosuch"], says: /unknown command 'nosuch'/ },
    { args: ["get-xray", "0", "--bogus"], says: /unknown option '--bogus'/ },
    { args: ["get-xray"], says: /missing required argument 'index'/ },
    { args: ["get-xray", "1", "2"], says: /too many arguments/ },
    { args: ["accounts", "extra"], says: /too many arguments/ },
    { args: ["ipfs", "get", QM], says: /required option '--out <file>' not specified/ },
    { args: ["set-permission", "doctor"], says: /missing required argument/ },
    { args: ["console", "-e"], says: /argument missing/ },
    { args: ["profile", "--bogus"], says: /unknown option/ },
    // global options
    { args: ["--home", "", "xray-count"], says: /--home is empty/ },
    { args: ["--rpc", "ftp://x", "xray-count"], says: /--rpc must be an http\(s\) URL/ },
    { args: ["--ipfs", "nonsense", "ipfs", "add", "text.txt"], says: /--ipfs must be a Kubo RPC URL/ },
    { args: ["--private-key", "0x" + "ab".repeat(32), "xray-count"], says: /refusing a private key on the command line/ },
    // records and permissions
    { args: ["get-xray", "-1"] },
    { args: ["get-xray", "abc"] },
    { args: ["set-permission", "doctor", "Dr.Lee", "7"], says: /user type/ },
    { args: ["set-permission", "doctor", "", "doctor"], says: /name must not be empty/ },
    { args: ["set-permission", "0x1234", "Dr.X", "doctor"], says: /malformed address/ },
    { args: ["set-permission", "nurse", "N", "doctor"], says: /unknown account "nurse"/ },
    { args: ["remove-permission", "nobody", "--yes"], says: /unknown account/ },
    { args: ["set-xray-hash", "chest", "zz"], says: /not a SHA-256/ },
    { args: ["set-xray-hash", "chest"] },
    { args: ["set-xray-hash", "chest", "--file", "missing.png"] },
    { args: ["set-birthday", "19971332"] },
    { args: ["set-birthday", "2020"] },
    { args: ["trace", "zz"] },
    { args: ["request-access", "notanaccount", "--from", "4"] },
    { args: ["deny", "4", "--reason", ""], says: /--reason must not be empty/ },
    { args: ["events", "--kind", "bogus"], says: /unknown event kind "bogus"/ },
    { args: ["init", "--age", "abc"] },
    { args: ["init", "--gender", "x"] },
    { args: ["init", "--blood-type", "Z"] },
    // hashing, anchoring, verifying
    { args: ["hash", "--format", "xml", "scan.png"], says: /unknown format "xml"/ },
    { args: ["hash", "--threads", "-1", "scan.png"] },
    { args: ["hash", "scan.png", "--out", "existing.png"], says: /exists: use --force/ },
    { args: ["hash", "scan.png", "--out", "folder"], says: /is a folder/ },
    { args: ["anchor", "missing.json"] },
    { args: ["anchor", "bad.json"] },
    { args: ["anchor", "missing.json", "--window", "0"] },
    { args: ["anchor", "missing.json", "--per-tx", "768"], says: /--per-tx must be a whole number from 1 to 767/ },
    { args: ["verify"] },
    { args: ["dataset", "out", "--scale", "0"] },
    { args: ["dataset", "out", "--scale", "abc"] },
    { args: ["dataset", "out", "--dicom", "--studies", "0"], says: /--studies must be a whole number/ },
    { args: ["dataset", "out", "--dicom", "--studies", "2", "--patients", "3"], says: /--patients \(3\) cannot exceed --studies \(2\)/ },
    { args: ["dataset", "out", "--dicom", "--max-size", "-5"], says: /--max-size must be/ },
    { args: ["dataset", "out", "--dicom", "--scale", "0.5"], says: /--scale does not go with --dicom/ },
    { args: ["dataset", "out", "--studies", "5"], says: /--studies only goes with --dicom/ },
    { args: ["dataset", "out", "--dicom", "--encodings", "lossy"], says: /--encodings must be one of mix, uncompressed, compressed, got "lossy"/ },
    { args: ["dataset", "out", "--encodings", "compressed"], says: /--encodings only goes with --dicom/ },
    { args: ["deid", "scan.png"], says: /give --out <folder>/ },
    { args: ["pacs", "push", "scan.png"], says: /which PACS\? give --pacs <url>/ },
    { args: ["pacs", "push", "scan.png", "--pacs", "http://user:pw@127.0.0.1:9"], says: /do not put credentials in the PACS URL/ },
    { args: ["pacs", "push", "scan.png", "--pacs", "ftp://127.0.0.1"], says: /must be an http or https URL/ },
    { args: ["deid", "scan.png", "--out", "existing.png"], says: /--out existing\.png is a file/ },
    // IPFS
    { args: ["ipfs", "add", "--cid-version", "2", "scan.png"], says: /--cid-version must be 0 or 1/ },
    { args: ["ipfs", "get", "notacid", "--out", "x.png"] },
    { args: ["ipfs", "get", QM, "--out", "existing.png"], says: /exists: use --force/ },
    { args: ["ipfs", "import", "missing.car"] },
    { args: ["ipfs", "export", "notacid", "--car", "x.car"] },
    // keys and sharing
    { args: ["keys", "generate", "--name", ""], says: /--name must not be empty/ },
    { args: ["keys", "import", "missing.asc"], says: /does not exist/ },
    { args: ["keys", "import", "text.txt"], says: /not an OpenPGP key/ },
    { args: ["keys", "import", "folder"], says: /is a folder/ },
    { args: ["upload", "missing.png", "--to", "patient"] },
    { args: ["upload", "text.txt", "--to", "patient"] },
    { args: ["upload", "scan.png", "--to", "patient", "--cid-version", "9"] },
    { args: ["upload", "scan.png", "--to", "patient", "--deidentify"], says: /--deidentify takes a DICOM instance/ },
    { args: ["upload", "ok.dcm", "--to", "patient", "--accept-burned-in"], says: /--accept-burned-in goes with --deidentify/ },
    { args: ["upload", "ok.dcm", "--to", "patient", "--deidentify", "--embed"], says: /give one of them/ },
    { args: ["upload", "burned.dcm", "--to", "patient", "--deidentify"], code: "BURNED_IN", says: /Burned In Annotation is YES/ },
    { args: ["upload", "truncated.dcm", "--to", "patient"], exit: 1, code: "DICOM_TRUNCATED", says: /truncated DICOM file/ },
    { args: ["stego", "embed", "ok.dcm", "--out", "y.png", "--text", "hi"], says: /must be a \.dcm file for a DICOM instance/ },
    { args: ["download", "notacid", "--out", "x.png"] },
    { args: ["download", QM, "--out", "existing.png"], says: /exists: use --force/ },
    // classify
    { args: ["classify", "--model", "missing.onnx", "scan.png"], says: /no model at/, code: "MODEL_MISSING" },
    { args: ["classify", "--model", "text.txt", "scan.png"], says: /not an ONNX model/, code: "MODEL_INVALID" },
    { args: ["classify", "--size", "0", "scan.png"] },
    { args: ["classify", "--layout", "XYZ", "scan.png"], says: /--layout must be NCHW or NHWC/ },
    { args: ["classify", "--channels", "2", "scan.png"] },
    { args: ["classify", "--batch", "0", "scan.png"] },
    { args: ["classify", "--record", "0", "scan.png", "text.txt"], says: /give exactly one image/ },
    { args: ["classify", "--allow-uncertain", "scan.png"], says: /--allow-uncertain goes with --record/ },
    { args: ["classify", "--threshold", "1.5", "scan.png"], says: /--threshold must be a probability from 0 to 1/ },
    // steganography and authentication
    { args: ["stego", "embed", "scan.png", "--out", "y.jpg", "--text", "hi"], says: /must be a \.png file/ },
    { args: ["stego", "embed", "scan.png", "--out", "y.png"], says: /give the text to hide/ },
    { args: ["stego", "embed", "scan.png", "--out", "existing.png", "--text", "hi"], says: /exists: use --force/ },
    { args: ["stego", "embed", "scan.png", "--out", "folder", "--text", "hi"] },
    { args: ["stego", "extract", "missing.png"], says: /does not exist/ },
    { args: ["stego", "extract", "folder"], says: /is a folder/ },
    { args: ["authenticate", "missing.png"], says: /neither a file nor a CID/ },
    // hospital: on this home (no hospital), and what is refused before the chain
    { args: ["--patient", "MRN-1", "profile"], says: /no hospital/, code: "NO_HOSPITAL" },
    { args: ["patients", "list"], says: /no hospital/, code: "NO_HOSPITAL" },
    { args: ["patients", "add", "--mrn", "M-1"], says: /required option '--name <name>'/ },
    { args: ["patients", "add", "--mrn", "M-1", "--name", "X", "--gender", "x"], says: /unknown gender/ },
    { args: ["patients", "import", "missing.csv"] },
    { args: ["patients", "import", "text.txt"], says: /unknown column|header/ },
    { args: ["patients", "check-disclosure", "0x12", "name", "x", "0x00"], says: /malformed address/ },
    // pacs anchor / verify: refused before the chain (a PACS that refuses the credentials is served below)
    { args: ["pacs", "anchor"], says: /which PACS\? give --pacs <url>/ },
    { args: ["pacs", "verify", "--pacs", "http://127.0.0.1:9"], says: /which studies\? give Study Instance UIDs/ },
    { args: ["pacs", "anchor", "--pacs", "http://127.0.0.1:9"], exit: 1, code: "PACS_UNREACHABLE", says: /cannot reach the PACS at http:\/\/127\.0\.0\.1:9/ },
    { args: ["pacs", "anchor", "--pacs", PACS401], exit: 1, code: "PACS_UNAUTHORIZED", says: /refused the credentials \(HTTP 401\)/ },
    { args: ["pacs", "verify", "--all", "--pacs", PACS401], exit: 1, code: "PACS_UNAUTHORIZED", says: /refused the credentials \(HTTP 401\)/ },
    // the rest
    { args: ["completion", "fish"], says: /no completion for "fish"/ },
    { args: ["node", "--port", "99999"] },
  ];

  it(`has at least 60 cases (${cases.length})`, () => expect(cases.length).to.be.at.least(60));

  // Every run, plain and --json, three at a time (commands on the chain take turns by its lock);
  // the work folder is compared before and after all of them.
  const runs = cases.flatMap((c) => [false, true].map((json) => ({ c, json, args: json ? [...c.args, "--json"] : c.args })));
  const results = new Map<string, Promise<CliResult>>();
  let snapshotBefore: Record<string, string>;
  let all: Promise<unknown>;
  let refusing: import("node:http").Server;
  let refusingUrl = "";
  before(async () => {
    const http = await import("node:http");
    refusing = http.createServer((_req, res) => res.writeHead(401, { "www-authenticate": 'Basic realm="test"' }).end());
    await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
    refusingUrl = `http://127.0.0.1:${(refusing.address() as import("node:net").AddressInfo).port}`;
  });
  after(() => refusing?.close());
  before(() => {
    snapshotBefore = snapshot(work);
    const queue = [...runs];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const run = xray(home, r.args.map((a) => (a === PACS401 ? refusingUrl : a)), { cwd: work });
        results.set(r.args.join("\0"), run);
        await run;
      }
    };
    all = Promise.all([worker(), worker(), worker()]);
  });

  for (const { c, json, args } of runs) {
    it(`xray ${args.map((a) => (a === "" ? "''" : a)).join(" ")}`, async () => {
      while (!results.has(args.join("\0"))) await new Promise((resolve) => setTimeout(resolve, 20));
      const r = await results.get(args.join("\0"))!;
      const lines = r.stderr.trimEnd().split("\n");
      expect(r.code, r.stderr).to.equal(c.exit ?? 2);
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^xray: error: \S/);
      if (c.says) expect(lines[0]).to.match(c.says);
      if (json) {
        expect(r.json, r.stdout).to.have.property("error");
        expect(r.json.error.code).to.equal(c.code ?? "BAD_INPUT");
        expect(`xray: error: ${r.json.error.message}`).to.equal(lines[0]);
      } else {
        expect(r.stdout).to.equal("");
      }
    });
  }

  it("none of them wrote, replaced or removed anything in the work folder", async () => {
    await all;
    expect(snapshot(work)).to.deep.equal(snapshotBefore);
  });

  it("PAPER_HASH is still recordable after all of that (the chain was not harmed)", async () => {
    const r = await xray(home, ["set-xray-hash", "chest", PAPER_HASH, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
  });
});
