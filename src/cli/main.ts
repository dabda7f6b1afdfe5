/**
 * The xray command line: registers every command (each loads its module only when run),
 * resolves the global flags once, prints the result, and is the only place that prints an
 * error and sets the exit status.
 */
import { Command } from "commander";
import { UsageError, XrayError } from "../errors";
import { resolveGlobals, type RawGlobals } from "./context";
import { toJson } from "./output";
import { safeText } from "../core/text";
import { helpConfig } from "./global-help";
import { exitState, print } from "./define";


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
  .option("--patient <patient>", "on a hospital home, the patient: medical record number, #n, or contract address (env XRAY_PATIENT)")
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

/** The command groups (src/cli/register/*), the most used first: the paper's session and the records. */
const GROUPS: (() => void)[] = [
  () => (require("./register/chain") as typeof import("./register/chain")).registerChain(program),
  () => (require("./register/data") as typeof import("./register/data")).registerData(program),
  () => (require("./register/dicom") as typeof import("./register/dicom")).registerDicom(program),
  () => (require("./register/ipfs") as typeof import("./register/ipfs")).registerIpfs(program),
  () => (require("./register/sharing") as typeof import("./register/sharing")).registerSharing(program),
  () => (require("./register/hospital") as typeof import("./register/hospital")).registerHospital(program),
  registerCompletion,
];

/**
 * Registers the command groups up to the one holding the command `argv` names, so a command
 * loads and builds only the groups before its own, not all ~70 commands (start-up is most of
 * a command's time). Help, an unknown name (its suggestions), `help <command>` and completion
 * get every group.
 */
function registerFor(argv: string[]): void {
  const name = commandName(argv.slice(2));
  const found = () => name !== undefined && program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  for (const group of GROUPS) {
    if (found()) return;
    group();
  }
}

/** The first operand of a command line: the command's name, global options and their values skipped. */
function commandName(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return undefined;
    if (!a.startsWith("-") || a === "-") return a;
    const option = program.options.find((o) => o.long === a || o.short === a);
    if (option && (option.required || option.optional)) i++; // its value
  }
  return undefined;
}

/** `xray completion`: last, since it completes every command registered before it. */
function registerCompletion(): void {
  program
    .command("completion")
    .description("print a shell completion script: bash or zsh")
    .argument("<shell>", "bash | zsh")
    .addHelpText("after", "\nExamples:\n  $ source <(xray completion bash)\n  $ xray completion zsh > ~/.zfunc/_xray_completion")
    .action((shell: string, _o: unknown, cmd: Command) => {
      print(resolveGlobals(cmd.optsWithGlobals() as RawGlobals), require("./completion.js").run(program, shell));
    });
}

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
    registerFor(argv);
    await program.parseAsync(argv);
    return exitState.partialFailure;
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
