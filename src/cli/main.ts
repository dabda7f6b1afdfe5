/**
 * The xray command line: registers every command (each loads its module only when run),
 * resolves the global flags once, prints the result, and is the only place that prints an
 * error and sets the exit status.
 */
import { Command } from "commander";
import { UsageError, XrayError } from "../errors";
import { resolveGlobals, type Globals, type RawGlobals } from "./context";
import { toJson, type CommandOutput } from "./output";
import { safeBlock, safeText } from "../core/text";
import { helpConfig } from "./global-help";

type Runner = (g: Globals, ...args: any[]) => Promise<CommandOutput | void>;

const EXIT_HELP = `
Exit status: 0 done; 1 failed (or, for checks, a negative answer); 2 bad input, nothing done.
Errors are one line on stderr; with --json, stdout is {"error": {"code", "message"}}.`;

const program = new Command("xray")
  .description("Secure medical images with an Ethereum chain: role permissions, X-ray hash records, patient profile,\ndata set hashing, anchoring and verification.")
  .version(require("../../../package.json").version)
  .option("--home <dir>", "xray state folder: embedded chain, deployments (env XRAY_HOME)", undefined)
  .option("--rpc <url>", "use this Ethereum JSON-RPC node instead of the embedded chain (env XRAY_RPC)")
  .option("--json", "print one JSON document on stdout")
  .option("--from <account>", "send from this account: address, index, or gov|host|doctor|patient")
  .option("--private-key <file>", "sign locally with the hex key in this file ('-' = stdin; or env XRAY_PRIVATE_KEY)")
  .option("--keystore <file>", "sign locally with this JSON keystore (env XRAY_KEYSTORE)")
  .option("--password-file <file>", "the keystore's password (or env XRAY_PASSWORD)")
  .option("--ipfs <url>", "use this Kubo node's RPC API instead of the embedded IPFS store (env XRAY_IPFS)")
  .option("--passphrase-file <file>", "OpenPGP key passphrase (or env XRAY_PASSPHRASE / XRAY_PASSPHRASE_FILE; else a prompt)")
  .option("--wait <seconds>", "wait this long for another xray process holding the embedded chain; 0 = fail at once (env XRAY_WAIT; default 60)")
  .option("-q, --quiet", "text output: the results only, no decoration (transaction details, summaries)")
  .option("-v, --verbose", "print error details and causes")
  .exitOverride()
  // main reports option-parsing errors itself: one line, and the JSON document under --json
  .configureOutput({ outputError: () => {} })
  .configureHelp(helpConfig)
  .addHelpText("afterAll", EXIT_HELP)
  .addHelpText(
    "after",
    `
Accounts: an address, an index into the chain's accounts, or a role name:
gov, host, doctor, patient (accounts 0-3 on the embedded chain; set by xray init).

Examples:
  $ xray init
  $ xray set-permission doctor Dr.Lee doctor
  $ xray set-xray-hash chest 16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134
  $ xray get-xray 0 --json
  $ xray node --port 8545 &   # serve the chain to truffle console; commands attach to it
  $ xray hash chest_xray/ --manifest chest.json && xray anchor chest.json --batch && xray verify --manifest chest.json`,
  );

/** The loader of function `fn` of `commands/<module>.js`, required only when that command runs. */
const from = (module: string, fn = "run") => () => ({ run: require(`./commands/${module}.js`)[fn] as Runner });

/** `load` uses require, not import(): a CommonJS module loads faster outside the ESM loader. */
function define(name: string, load: () => { run: Runner }, parent: Command = program): Command {
  return parent
    .command(name)
    .action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      const command = ["xray", ...ancestry(cmd)].join(" ");
      const g = resolveGlobals({ ...cmd.optsWithGlobals(), command } as RawGlobals);
      const args = params.slice(0, -1);
      const { run } = load();
      const out = await run(g, ...args);
      if (out) print(g, out);
      if (out?.exitCode) partialFailure = out.exitCode;
    });
}

/** "set-xray-hash", or "keys generate": the command's names below the program. */
function ancestry(cmd: Command): string[] {
  return cmd.parent && cmd.parent !== program ? [...ancestry(cmd.parent), cmd.name()] : [cmd.name()];
}

/** Set by a command that finished but failed in part; main's exit status. */
let partialFailure = 0;

/** The result on stdout; diagnostics, then the summary, on stderr. -q drops decoration, never data. */
function print(g: Globals, out: CommandOutput) {
  for (const line of out.stderr ?? []) process.stderr.write(`xray: ${safeBlock(line)}\n`);
  if (g.json) process.stdout.write(toJson(out.json) + "\n");
  else {
    if (out.text) process.stdout.write(safeBlock(out.text) + "\n");
    if (out.details && !g.quiet) process.stdout.write(safeBlock(out.details) + "\n");
  }
  if (out.summary && !g.quiet && !g.json) process.stderr.write(`xray: ${safeBlock(out.summary)}\n`);
}

define("init", from("init"))
  .description("deploy strlib and xr (patient profile), grant the host, and record the addresses")
  .option("--name <name>", "patient's name (default: Ken)")
  .option("--patient <account>", "patient's account (default: 3)")
  .option("--age <years>", "patient's age (default: 25)")
  .option("--gender <gender>", "male|female|other or 0-2 (default: male)")
  .option("--blood-type <type>", "A|B|AB|O or 0-3 (default: B)")
  .option("--host <account>", "hospital account, granted the host role (default: 1)")
  .option("--host-name <name>", "the host's name (default: Host)")
  .option("--doctor <account>", "account the role name 'doctor' stands for (default: 2)")
  .option("--force", "deploy again even if this chain already has a deployment")
  .addHelpText(
    "after",
    "\nWithout any of these flags, on a terminal (and without --json), init asks for each value, the default shown;\nwith a flag, or without a terminal, it never asks.\n\nExamples:\n  $ xray init\n  $ xray init --name Ken --patient 3 --age 25 --gender male --blood-type B --json",
  );

define("node", from("node"))
  .description("serve the embedded chain over JSON-RPC (truffle console attaches; xray commands use it)")
  .option("--port <port>", "port to listen on", "8545")
  .option("--host <address>", "address to listen on: loopback only, unless --unsafe-expose", "127.0.0.1")
  .option("--unsafe-expose", "allow a non-loopback --host: every role account is unlocked, anyone reaching the port can sign as gov")
  .addHelpText("after", "\nExamples:\n  $ xray node --port 8545 &\n  $ npx truffle console   # xr.deployed() is the CLI's contract\n  $ xray node --host 0.0.0.0 --unsafe-expose   # a trusted lab network only");

define("doctor", from("doctor"))
  .description("check a home: lock, node file, chain database, deployments and contracts, keyring, IPFS store")
  .option("--fix", "remove stale lock and node files (never any data)")
  .addHelpText(
    "after",
    `
One line per check: ok, warning (works, but something is off) or problem, with how to fix it.
Exit status 1 when any check finds a problem.

Examples:
  $ xray doctor
  $ xray doctor --fix
  $ xray doctor --home /srv/xray --json`,
  );

define("accounts", from("accounts"))
  .description("list the chain's accounts with their roles, balances and permissions");

define("set-permission", from("set-permission"))
  .description("grant an account a role (from gov)")
  .argument("<account>", "address, index, or role name")
  .argument("<name>", "the person's name, e.g. Dr.Lee (at most 256 bytes, UTF-8)")
  .argument("<user-type>", "doctor|host or 1|2")
  .option("--disable", "record the permission but suspend it")
  .addHelpText("after", "\nExamples:\n  $ xray set-permission doctor Dr.Lee doctor\n  $ xray set-permission 0x8bE9...2a1 Dr.Chen 1 --disable");

define("remove-permission", from("remove-permission"))
  .description("remove an account's permission (from gov, or the account itself)")
  .argument("<account>", "address, index, or role name")
  .option("-y, --yes", "do not ask for confirmation (only a terminal asks)")
  .addHelpText("after", "\nOn a terminal it asks first (default No; No exits 1, nothing sent).\n\nExamples:\n  $ xray remove-permission doctor --yes\n  $ xray remove-permission doctor --from doctor   # the doctor resigns");

define("set-xray-hash", from("set-xray-hash"))
  .description("record an image's SHA-256 on chain (from a doctor)")
  .argument("<part>", "body part, e.g. chest")
  .argument("[sha256]", "the image's SHA-256, 64 hex digits")
  .option("--file <image>", "hash this image instead of giving the SHA-256 (checked as xray hash checks it)")
  .option("--allow-duplicate", "record a hash that is already on chain (refused by default, naming the record)")
  .addHelpText("after", "\nA file that is empty, not an image, or not a regular file is refused (exit 2).\n\nExamples:\n  $ xray set-xray-hash chest 16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134\n  $ xray set-xray-hash chest --file scan.png --json\n  $ xray set-xray-hash chest --file scan.png --allow-duplicate   # a second record of the same image");

define("xray-count", from("xray-count")).description("how many X-ray records there are");

define("get-xray", from("get-xray"))
  .description("show one X-ray record: doctor, part, hash, author, time, prediction")
  .argument("<index>", "record number, from 0")
  .addHelpText("after", "\nExamples:\n  $ xray get-xray 0\n  $ xray get-xray 0 --json");

define("list-xrays", from("list-xrays")).description("list every X-ray record");

define("console", from("console"))
  .description("truffle console for the deployed contracts: accounts, gov, host, doctor, patient, web3, xr, xry (a REPL, a script, or statements on stdin)")
  .argument("[file]", "a script to run statement by statement ('-' = standard input)")
  .option("-e, --eval <code>", "run these statements instead of a script")
  .addHelpText(
    "after",
    `
On a terminal: a REPL with top-level await, history in $XRAY_HOME/console_history. Otherwise
statements run in order, each result printed as the REPL prints it; the first failure stops
the script (exit 1) with one line naming it. Transactions are sent from gov unless a
statement gives {from} (or --from).

Examples:
  $ xray console
  $ echo "xry.setPermission(doctor, 'Dr.Lee', 1, true)" | xray console
  $ xray console session.js --json
  $ xray console -e 'accounts.length'`,
  );

define("set-birthday", from("set-birthday"))
  .description("set the patient's birthday (from the host)")
  .argument("<YYYYMMDD>", "a real date, e.g. 19970522");

define("set-contact", from("set-contact"))
  .description("set the patient's contact (from the host)")
  .argument("<text>", "e.g. 0912-321-456 (at most 256 bytes, UTF-8)");

define("profile", from("profile")).description("show the patient page: profile, record count and the latest prediction");

define("hash", from("hash"))
  .description("SHA-256 of image files and folders (recursive), on every core; sha256sum's format by default; -c checks a list")
  .argument("[paths...]", "files and folders ('-' = standard input); with --check: checksum lists (default: standard input)")
  .option("--format <format>", "text (like sha256sum) | jsonl | csv | icon (Lin et al.'s JS module)", "text")
  .option("--manifest <file>", "also write a manifest (path, size, sha256, label, mime) for verify and anchor ('-' = stdout)")
  .option("--out <file>", "write the output to this file (atomically) instead of stdout ('-' = stdout)")
  .option("--force", "replace an existing --out or --manifest file (a manifest of the same paths is replaced anyway)")
  .option("--hidden", "include files and folders whose names start with '.'")
  .option("--any-file", "hash files that are not images too (default: reported as failures)")
  .option("--threads <n>", "worker threads (default: one per core; 0 = none)")
  .option("-c, --check", "read SHA-256 lists and check them, as sha256sum -c (-q: only failures)")
  .option("--status", "with --check: print nothing, the exit status says it")
  .option("--strict", "with --check: improperly formatted lines fail the check")
  .option("--ignore-missing", "with --check: missing files are neither failures nor reported")
  .option("--warn", "with --check: warn about each improperly formatted line")
  .addHelpText(
    "after",
    `
Files that are not hashed (unreadable, empty, not an image; FIFOs, sockets, devices and
dangling links, which are never opened) are reported on stderr and counted; the others are
hashed, and the exit status is 1 if any failed. The summary goes to stderr (not with -q).
--out and --manifest never replace an existing file without --force, and write through a
FIFO or device.

Examples:
  $ xray hash chest_xray/ -q > SHA256SUMS && sha256sum -c SHA256SUMS
  $ xray hash -c SHA256SUMS --quiet
  $ cat scan.png | xray hash -
  $ xray hash chest_xray/ --manifest chest_xray.manifest.json --format jsonl
  $ xray hash chest_xray/train/NORMAL --format icon --out icon.js --force`,
  );

define("anchor", from("anchor"))
  .description("record every hash of a manifest on chain: one record per image, or --batch as one Merkle root")
  .argument("<manifest>", "written by xray hash --manifest")
  .option("--batch", "one transaction holding a Merkle root; each image's proof goes to <manifest>.proofs.json and the home's proof index")
  .option("--label <name>", "the data set's name in the batch event (default: the manifest's path)")
  .option("--part <part>", "body part stored with each record", "chest")
  .option("--window <n>", "transactions sent before waiting for a receipt", "64")
  .addHelpText(
    "after",
    `
Safe to interrupt and run again: hashes already on chain are skipped (per record), and a
root already anchored is not sent twice (batch); each image ends up anchored exactly once.
Record indexes go to <manifest>.anchor.json.

Examples:
  $ xray hash chest_xray/ --manifest chest.json > /dev/null
  $ xray anchor chest.json
  $ xray anchor chest.json --batch --label kaggle-chest-xray --json`,
  );

define("verify", from("verify"))
  .description("check files against the chain (records or batch proofs), or audit a folder against a manifest")
  .argument("[paths...]", "files to check on chain; with --manifest alone: the folder to audit (default: the manifest's own)")
  .option("--manifest <file>", "audit: every file read again and sorted into matched, changed, missing, moved, new")
  .option("--proofs <file>", "Merkle proofs written by xray anchor --batch (default: <manifest>.proofs.json, else the home's proof index)")
  .addHelpText(
    "after",
    `
A file is looked up as a per-image record first, then in the proof index that anchor --batch
keeps in the home ($XRAY_HOME/proofs), as ots verify finds its .ots file: no --proofs needed.
Exit status 1 when a file is not anchored or the audit finds any difference.

Examples:
  $ xray verify scan.png                         # recorded on chain, or in an anchored batch?
  $ xray verify scan.png --proofs chest.json.proofs.json
  $ xray verify --manifest chest.json            # audit, like hashdeep -a
  $ xray verify --manifest chest.json /mnt/copy/chest_xray --json`,
  );

define("dataset", from("dataset"))
  .description("write a Kaggle-shaped benchmark data set (train|test|val/NORMAL|PNEUMONIA, 5,856 JPEGs) from real chest X-rays")
  .argument("<out-dir>", "where to write it")
  .option("--source <dir>", "the chest X-ray folder with images/<label>/ (default: ../shared/data/cxr or env XRAY_CXR_DATA)")
  .option("--seed <n>", "same seed, same bytes", "1")
  .option("--scale <f>", "fraction of each folder's count, e.g. 0.01 for a quick set", "1")
  .addHelpText(
    "after",
    `
Deterministic and resumable: images already written are kept, each new one is written
atomically. Sizes spread over about 0.3 to 3 MB.

Examples:
  $ xray dataset bench/data/kaggle
  $ xray dataset /tmp/small --scale 0.01 --json`,
  );

define("bench", from("bench"))
  .description("benchmark hashing and anchoring (Lin et al. Fig. 12) beside sha256sum and truffle exec")
  .option("--data <dir>", "the Kaggle-shaped data set (default: bench/data/kaggle, written by xray dataset if missing)")
  .option("--source <dir>", "chest X-rays to make the data set from (default: ../shared/data/cxr)")
  .option("--sizes <list>", "image counts to run", "10,20,30,40,50,60,70,80,90,100")
  .option("--no-full", "skip the run over the whole data set")
  .option("--runs <n>", "runs of each hashing command (medians)", "5")
  .option("--out <dir>", "where to write anchor-bench.{md,json,svg} (default: bench/results)")
  .addHelpText("after", "\nTimings are printed, never asserted. Examples:\n  $ xray bench\n  $ xray bench --sizes 10,100 --no-full --json");

const ipfs = program
  .command("ipfs")
  .description("the embedded IPFS block store (under --home): add, get, cat, export and import content (CIDs as Kubo gives them), gc and verify");
define("add", from("ipfs", "add"), ipfs)
  .description("add files (folders: every file in them, each its own CID); prints CIDs identical to `ipfs add` with Kubo's defaults")
  .argument("<paths...>", "files and folders")
  .option("--cid-version <n>", "0 (Kubo's default) or 1 (as `ipfs add --cid-version 1`: raw leaves)", "0")
  .option("-n, --only-hash", "compute the CIDs without storing anything (as `ipfs add --only-hash`)")
  .option("--kubo-format", "print Kubo's lines: added <cid> <name>")
  .addHelpText("after", `
One file prints its CID; several print "<cid>  <path>" lines; --json always lists them under
"files". A FIFO, device or dangling link is reported on stderr as not a regular file (never
read), counted, and makes the exit status 1. Each added root is pinned (kept by ipfs gc).

Examples:
  $ xray ipfs add scan.png
  $ xray ipfs add scan.png --cid-version 1 --json
  $ xray ipfs add chest_xray/ --kubo-format
  $ xray ipfs add chest_xray/ --only-hash > cids.txt`);
define("get", from("ipfs", "get"), ipfs)
  .description("write files from their CIDs; every block is checked against its CID, each file appears only when complete")
  .argument("<cids...>", "Qm... or bafy...")
  .requiredOption("--out <file>", "where to write it ('-' = stdout; with several CIDs: an existing folder, files named by CID)")
  .option("--force", "replace existing files")
  .addHelpText("after", "\nExamples:\n  $ xray ipfs get QmTY3pWhyHjoYP8GHQw7Wa8cRLjzANyuyTvPpn1SZcNF6k --out scan.jpeg\n  $ xray ipfs get Qm... Qm... --out fetched/ --json");
define("cat", from("ipfs", "cat"), ipfs)
  .description("write a CID's file to stdout, every block checked against its CID before its bytes are written")
  .argument("<cid>", "Qm... or bafy...")
  .addHelpText("after", "\nA damaged or missing block stops it there (exit 1), as `ipfs cat` does.\n\nExamples:\n  $ xray ipfs cat QmTY3pWhyHjoYP8GHQw7Wa8cRLjzANyuyTvPpn1SZcNF6k > scan.jpeg\n  $ xray ipfs cat QmTY3p... | sha256sum");
define("export", from("ipfs", "exportCmd"), ipfs)
  .description("write a CID's blocks as a CAR file that `ipfs dag import` accepts")
  .argument("<cid>", "the root")
  .requiredOption("--car <file>", "the CAR file to write ('-' = stdout)")
  .option("--force", "replace an existing file")
  .addHelpText("after", "\nExamples:\n  $ xray ipfs export QmTY3p... --car scan.car   # then on any Kubo node: ipfs dag import scan.car");
define("import", from("ipfs", "importCmd"), ipfs)
  .description("read a CAR file (from `ipfs dag export` or xray) into the store; prints its roots")
  .argument("<car>", "the CAR file")
  .addHelpText("after", "\nExamples:\n  $ xray ipfs import scan.car");
define("gc", from("ipfs-repo", "gc"), ipfs)
  .description("remove the blocks no pinned root and no CID recorded on chain reaches (what a killed upload leaves), as `ipfs repo gc`")
  .option("--dry-run", "only list what would be removed")
  .addHelpText("after", `
Roots: the pins under $XRAY_HOME/ipfs/pins (ipfs add, upload, approve write one each) and
every CID the chain records (shared images and approved copies). Embedded store only: a
Kubo node (--ipfs) has its own \`ipfs repo gc\` (exit 2 here).

Examples:
  $ xray ipfs gc --dry-run
  $ xray ipfs gc --json`);
define("verify", from("ipfs-repo", "verify"), ipfs)
  .description("re-hash every block of the embedded store against its CID, as `ipfs repo verify`; exit 1 naming the bad ones")
  .addHelpText("after", "\nEmbedded store only (with --ipfs: run `ipfs repo verify` on the node; exit 2 here).\n\nExamples:\n  $ xray ipfs verify\n  $ xray ipfs verify --json");

const keys = program.command("keys").description("OpenPGP keys in the xray home: generate, list, export, import (private keys always passphrase-locked)");
const PASSPHRASE_HELP = `
The passphrase comes from XRAY_PASSPHRASE, a file (--passphrase-file or XRAY_PASSPHRASE_FILE),
or a hidden prompt on a terminal; never from an argument, and it is never printed.`;
define("generate", from("keys", "generate"), keys)
  .description("make a key pair (Ed25519 + Curve25519), the private key locked with a passphrase")
  .requiredOption("--name <name>", "the owner's name (the key's user ID)")
  .option("--email <email>", "the owner's e-mail, in the user ID")
  .option("--account <account>", "bind the key to this account (address, index, role name): upload --to <account> finds it")
  .addHelpText("after", `${PASSPHRASE_HELP}

Examples:
  $ xray keys generate --name Ken --account patient
  $ XRAY_PASSPHRASE_FILE=~/.ken-pass xray keys generate --name Ken --account 3 --json`);
define("list", from("keys", "list"), keys).description("list the keyring: fingerprint, public/private, account, created, user ID");
define("export", from("keys", "exportKey"), keys)
  .description("print a public key (armored) to give to others; --private exports the locked private key")
  .argument("<key>", "fingerprint, key ID, name, or bound account address")
  .option("--private", "the private key (still locked with its passphrase)")
  .option("--out <file>", "write it to this file (atomically; '-' = stdout) instead of stdout")
  .option("--force", "replace --out if it exists")
  .addHelpText("after", "\nExamples:\n  $ xray keys export Ken > ken.asc\n  $ xray keys export 0x8bE9...2a1 --out ken.asc");
define("import", from("keys", "importKey"), keys)
  .description("add a public or private key (armored or binary) to the keyring; an unlocked private key is locked first")
  .argument("<file>", "the key file ('-' = stdin)")
  .option("--account <account>", "bind the key to this account")
  .addHelpText("after", "\nExamples:\n  $ xray keys import ken.asc --account patient   # the radiologist learns the patient's key");

define("upload", from("share", "upload"))
  .description("encrypt an image for a patient's key (signed by the sender's), add it to IPFS, record CID + SHA-256 on chain")
  .argument("<image>", "the image file")
  .requiredOption("--to <patient>", "the receiver: an account with a key in the keyring, or a key (file, fingerprint, name)")
  .option("--part <part>", "body part, in the description", "chest")
  .option("--modality <name>", "imaging modality, in the description", "X-ray")
  .option("--description <text>", "free text appended to the description")
  .option("--sign-key <key>", "sign with this private key (default: the key bound to the sending account)")
  .option("--cid-version <n>", "0 (Kubo's default) or 1", "0")
  .option("--embed", "first hide the ledger's patient data and the description in the pixels (LSB, uploaded as PNG), for xray authenticate")
  .option("--again", "share even if the same image (SHA-256) is already shared with this receiver")
  .addHelpText("after", `
Sent from --from (default: the doctor). The description, CID, SHA-256, sender and receiver
are recorded in an ImageShared event (PCIM's "create"); the image itself only on IPFS, encrypted.
Streams: memory stays bounded whatever the image's size. An image already shared with the
same receiver is refused (exit 1, naming the share) unless --again. The result line is the
CID (-q prints it alone); the details follow it.
${PASSPHRASE_HELP}

Examples:
  $ xray upload scan.png --to patient --part chest
  $ xray upload scan.png --to ken.asc --description "PA view" --json
  $ cid=$(xray upload scan.png --to patient -q)
  $ xray upload scan.png --to patient --embed && xray authenticate '#0' --from patient`);
define("download", from("share", "download"))
  .description("fetch an encrypted image, check every block, decrypt it, check its SHA-256 against the chain, write it")
  .argument("<cid-or-record>", "the CID, or a shared image's number (#0, #1, ... as xray events lists them)")
  .requiredOption("--out <file>", "where to write the image (only once it is verified); '-' = stdout")
  .option("--force", "replace an existing file")
  .addHelpText("after", `
Fails, writing nothing, when a block is missing or damaged, the key or passphrase is wrong,
the ciphertext is truncated, the signature or the image does not match, or (for a copy
approved for a requester) the patient revoked the access. Streams: the image is decrypted
into a temporary file (for stdout, a device or a FIFO: a private file in the home), which
reaches --out only once verified. An existing file is replaced only with --force.
${PASSPHRASE_HELP}

Examples:
  $ xray download QmXg9Pp2ytZ14xgmQjYEiHjVjMFXzCVVEcRTWJBmLgR39V --out scan.png --from patient
  $ xray download '#0' --out scan.png --json
  $ xray download '#0' --out - --from patient | sha256sum`);

define("request-access", from("access", "request"))
  .description("ask the patient for access to their images, with your public key and notes")
  .argument("<patient>", "the contract's patient: address, index or 'patient'")
  .option("--key <key>", "your public key: a file or keyring key (default: the key bound to --from)")
  .option("--notes <text>", "why you ask", "")
  .addHelpText("after", "\nExamples:\n  $ xray request-access patient --from 4 --notes 'second opinion, Dr. Kim'\n  $ xray request-access 0x5AEDA56215b167893e80B4fE645BA6d5Bab767DE --from 4 --key kim.asc --json");
define("approve", from("access", "approve"))
  .description("as the patient: re-encrypt your images for a requester's key, add them to IPFS, record the new CIDs")
  .argument("<requester>", "address or index")
  .option("--image <cid-or-number...>", "only these images (default: every image shared with you)")
  .option("--cid-version <n>", "0 or 1, for the copies", "0")
  .addHelpText("after", `${PASSPHRASE_HELP}

Examples:
  $ xray approve 4 --from patient
  $ xray approve 0xAbc... --image '#0' --json`);
define("deny", from("access", "deny"))
  .description("as the patient: deny a pending request, with a reason")
  .argument("<requester>", "address or index")
  .requiredOption("--reason <text>", "why (recorded on chain)")
  .addHelpText("after", "\nExamples:\n  $ xray deny 4 --reason 'no treatment relationship'");
define("trace", from("access", "trace"))
  .description("is a requester authorised? recorded on chain as authorization success or failure; exit 1 when not")
  .argument("<requester>", "address or index")
  .option("--no-record", "only read the state (no transaction, no event)")
  .addHelpText("after", "\nExamples:\n  $ xray trace 4 && xray download '#0' --out scan.png --from 4\n  $ xray trace 4 --no-record --json");
define("revoke", from("access", "revoke"))
  .description("as the patient: revoke an approved requester's access")
  .argument("<requester>", "address or index")
  .addHelpText("after", "\nExamples:\n  $ xray revoke 4");
define("events", from("access", "events"))
  .description("the audit trail: shared images, requests, approvals, denials, traces, revocations (oldest first)")
  .option("--kind <list>", `comma-separated: shared,requested,approved,denied,traced,revoked,permission,permission-removed,record,batch,profile,birthday,contact,prediction`)
  .option("--all", "every kind of event the contract emits")
  .option("--account <account>", "only events naming this account")
  .addHelpText("after", "\nExamples:\n  $ xray events\n  $ xray events --account 4 --kind requested,approved,revoked --json");

define("classify", from("classify"))
  .description("classify chest X-rays with a VGG network on ONNX Runtime: covid, normal, pneumonia, or not a chest X-ray")
  .argument("<paths...>", "images (JPEG, PNG, WebP, TIFF) and folders (recursive)")
  .option("--model <file.onnx>", "your own model; its card <file>.json beside it, or the flags below (default: the shipped xray-vgg-cxr4)")
  .option("--labels <list>", "class names in the model's output order, comma-separated")
  .option("--size <N|WxH>", "input size, e.g. 224 (default: the card, else the model's input shape)")
  .option("--channels <1|3>", "1 = grey, 3 = RGB (default: the card, else the model's input shape)")
  .option("--mean <m|r,g,b>", "normalisation (pixel / 255 - mean) / std (default: the card, else 0)")
  .option("--std <s|r,g,b>", "normalisation (default: the card, else 1)")
  .option("--layout <NCHW|NHWC>", "tensor layout: NCHW (PyTorch) or NHWC (Keras) (default: the card, else the model's shape)")
  .option("--batch <n>", "images per inference call", "16")
  .option("--threads <n>", "ONNX Runtime threads (default: one per core)")
  .option("--record <index>", "store the prediction with X-ray record <index> (one image, whose SHA-256 must be that record's; from a doctor)")
  .option("--hidden", "include files and folders whose names start with '.'")
  .addHelpText(
    "after",
    `
Research use only, not for clinical decisions. Files that cannot be decoded, missing paths
and empty folders are reported on stderr; the others are classified, and the exit status is
1 if any failed. The shipped model's card (models/xray-vgg-cxr4.json) gives its test metrics.

Examples:
  $ xray classify ../shared/data/cxr/originals
  $ xray classify scan.png --record 0 && xray profile
  $ xray classify scans/ --model vgg16.onnx --labels covid,normal,pneumonia --size 224 \\
      --channels 3 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --layout NCHW --json`,
  );

const stego = program
  .command("stego")
  .description("hide text in an image's least significant bits (lossless PNG), and read it back");
define("embed", from("stego", "embed"), stego)
  .description("hide a text (patient data) in the image, one bit per sample: each pixel changes by at most one level")
  .argument("<image>", "PNG, JPEG (converted, with a warning), TIFF, WebP; grey, RGB, 8 or 16 bits")
  .option("--text <info>", "the text to hide")
  .option("--text-file <file>", "hide this file's text instead")
  .requiredOption("--out <file.png>", "the image with the hidden text: always a lossless PNG ('-' = stdout)")
  .option("--force", "replace --out if it exists")
  .option("--encrypt-to <key>", "encrypt the text first (OpenPGP) for an account's key or a key (file, fingerprint, name)")
  .addHelpText(
    "after",
    `
The text is framed (magic, version, length) and checksummed: extract tells a missing or
damaged payload from a good one. The capacity is one bit per sample, minus 18 bytes of frame.
Saving the PNG as JPEG destroys the hidden text.

Examples:
  $ xray stego embed scan.jpeg --text "Ken, 25, male, A" --out scan.png
  $ xray stego embed scan.png --text-file patient.json --encrypt-to patient --out scan-hidden.png --json`,
  );
define("extract", from("stego", "extract"), stego)
  .description("read the text hidden by stego embed (decrypted with the keyring if it was encrypted)")
  .argument("<image>", "the PNG stego embed wrote")
  .option("--out <file>", "write the hidden bytes to this file instead of stdout")
  .option("--force", "replace --out if it exists")
  .addHelpText("after", `${PASSPHRASE_HELP}\n\nExamples:\n  $ xray stego extract scan.png\n  $ xray stego extract scan.png --json`);

define("authenticate", from("stego", "authenticate"))
  .description("is this image authentic? (1) its SHA-256 against the chain (a CID: every block against IPFS), (2) its hidden patient data against the ledger")
  .argument("<image-or-cid>", "an image file, a CID, or a shared image number (#0, #1, ...)")
  .addHelpText(
    "after",
    `
Both checks are reported, each with its reason; the exit status is 1 unless both pass
(Jabarulla et al.: otherwise "any further processing of the transaction is not allowed").
A CID is fetched, checked block by block and decrypted with the keyring, as download does.
${PASSPHRASE_HELP}

Examples:
  $ xray authenticate scan.png
  $ xray authenticate '#0' --from patient --json`,
  );

program
  .command("completion")
  .description("print a shell completion script: bash or zsh")
  .argument("<shell>", "bash | zsh")
  .addHelpText("after", "\nExamples:\n  $ source <(xray completion bash)\n  $ xray completion zsh > ~/.zfunc/_xray_completion")
  .action((shell: string, _o: unknown, cmd: Command) => {
    print(resolveGlobals(cmd.optsWithGlobals() as RawGlobals), require("./completion.js").run(program, shell));
  });

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  // A library running work in parallel (the IPFS exporter's block fetches) can reject a
  // second promise after the first failure was reported: that is the same failure, not news.
  let reported = false;
  process.on("unhandledRejection", (err) => {
    if (reported) return;
    reported = true;
    process.exitCode = report(err, argv);
  });
  try {
    await program.parseAsync(argv);
    return partialFailure;
  } catch (err) {
    if (reported) return Number(process.exitCode ?? 1);
    reported = true;
    return report(err, argv);
  }
}

function report(err: unknown, argv: string[]): number {
  const e = err as { code?: string; exitCode?: number; message?: string };
  const json = argv.includes("--json");
  if (typeof e.code === "string" && e.code.startsWith("commander.")) {
    // help and the version were printed by commander; a parsing error is reported here
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
    err = new UsageError(`${(e.message ?? "").replace(/^error: /, "").split("\n")[0]} (see --help)`);
  }
  const verbose = argv.includes("-v") || argv.includes("--verbose");
  const xe = err instanceof XrayError ? err : undefined;
  const message = xe ? xe.message : `unexpected failure: ${firstLine((err as Error)?.message ?? String(err))}`;
  process.stderr.write(`xray: error: ${safeText(message)}\n`);
  if (verbose) {
    if (xe?.details) process.stderr.write(`  details: ${xe.details}\n`);
    for (let c = (err as Error)?.cause; c; c = (c as Error).cause) process.stderr.write(`  cause: ${(c as Error).message ?? c}\n`);
    if (!xe) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  }
  if (json) process.stdout.write(toJson({ error: { code: xe?.code ?? "UNEXPECTED", message } }) + "\n");
  return xe ? xe.exitCode : 1;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * A reader that closed the pipe (`xray hash data | head -1`) ends the process quietly, as
 * sha256sum does: exit status 141 (128 + SIGPIPE), no message, locks released by exit handlers.
 */
function quietOnClosedPipe() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(141);
      throw err;
    });
  }
  // Ctrl-C and kill end through process.exit, so that exit handlers release locks; a command
  // that handles the signal itself (xray node, xray console) has its own listener and wins.
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) === 1) process.exit(code);
    });
  }
}
