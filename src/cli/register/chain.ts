/** The chain commands: the paper's session (init, permissions, records, profile), the node, the console, doctor. */
import type { Command } from "commander";
import { define, from } from "../define";

export function registerChain(program: Command): void {
  define(program, "init", from("init"))
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

  define(program, "node", from("node"))
    .description("serve the embedded chain over JSON-RPC (truffle console attaches; xray commands use it)")
    .option("--port <port>", "port to listen on", "8545")
    .option("--host <address>", "address to listen on: loopback only, unless --unsafe-expose", "127.0.0.1")
    .option("--unsafe-expose", "allow a non-loopback --host: every role account is unlocked, anyone reaching the port can sign as gov")
    .addHelpText("after", "\nExamples:\n  $ xray node --port 8545 &\n  $ npx truffle console   # xr.deployed() is the CLI's contract\n  $ xray node --host 0.0.0.0 --unsafe-expose   # a trusted lab network only");

  define(program, "doctor", from("doctor"))
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

  define(program, "accounts", from("accounts"))
    .description("list the chain's accounts with their roles, balances and permissions");

  define(program, "set-permission", from("set-permission"))
    .description("grant an account a role (from gov)")
    .argument("<account>", "address, index, or role name")
    .argument("<name>", "the person's name, e.g. Dr.Lee (at most 256 bytes, UTF-8)")
    .argument("<user-type>", "doctor|host or 1|2")
    .option("--disable", "record the permission but suspend it")
    .addHelpText("after", "\nExamples:\n  $ xray set-permission doctor Dr.Lee doctor\n  $ xray set-permission 0x8bE9...2a1 Dr.Chen 1 --disable");

  define(program, "remove-permission", from("remove-permission"))
    .description("remove an account's permission (from gov, or the account itself)")
    .argument("<account>", "address, index, or role name")
    .option("-y, --yes", "do not ask for confirmation (only a terminal asks)")
    .addHelpText("after", "\nOn a terminal it asks first (default No; No exits 1, nothing sent).\n\nExamples:\n  $ xray remove-permission doctor --yes\n  $ xray remove-permission doctor --from doctor   # the doctor resigns");

  define(program, "set-xray-hash", from("set-xray-hash"))
    .description("record an image's SHA-256 on chain (from a doctor)")
    .argument("<part>", "body part, e.g. chest")
    .argument("[sha256]", "the image's SHA-256, 64 hex digits")
    .option("--file <image>", "hash this image instead of giving the SHA-256 (checked as xray hash checks it)")
    .option("--allow-duplicate", "record a hash that is already on chain (refused by default, naming the record)")
    .addHelpText("after", "\nA file that is empty, not an image, or not a regular file is refused (exit 2).\n\nExamples:\n  $ xray set-xray-hash chest 16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134\n  $ xray set-xray-hash chest --file scan.png --json\n  $ xray set-xray-hash chest --file scan.png --allow-duplicate   # a second record of the same image");

  define(program, "xray-count", from("xray-count")).description("how many X-ray records there are");

  define(program, "get-xray", from("get-xray"))
    .description("show one X-ray record: doctor, part, hash, author, time, prediction")
    .argument("<index>", "record number, from 0")
    .addHelpText("after", "\nExamples:\n  $ xray get-xray 0\n  $ xray get-xray 0 --json");

  define(program, "list-xrays", from("list-xrays")).description("list every X-ray record");

  define(program, "console", from("console"))
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

  define(program, "set-birthday", from("set-birthday"))
    .description("set the patient's birthday (from the host)")
    .argument("<YYYYMMDD>", "a real date, e.g. 19970522");

  define(program, "set-contact", from("set-contact"))
    .description("set the patient's contact (from the host)")
    .argument("<text>", "e.g. 0912-321-456 (at most 256 bytes, UTF-8)");

  define(program, "profile", from("profile")).description("show the patient page: profile, record count and the latest prediction");
}
