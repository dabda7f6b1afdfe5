import * as fs from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import type { Chain } from "../../core/chain/chain";
import { formatValue, openConsole, plainValue, runScript, startConsole, type ConsoleSession, type StatementResult } from "../../core/chain/console";
import { requireDeployment } from "../../core/chain/deployment";
import { xrContext } from "../../core/chain/xr";
import { UsageError } from "../../errors";
import { senderFor, withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";

/** What a script reads: a file, `--eval`, or standard input when it is not a terminal. */
interface Script {
  source: string;
  name: string;
}

/**
 * `truffle console` for the deployed contracts: a REPL on a terminal, else the statements of
 * a file, `--eval` or standard input, each result printed as the REPL would (or, with --json,
 * one document listing them). The chain stays open, and the embedded one locked, until it ends.
 */
export async function run(g: Globals, file: string | undefined, o: { eval?: string }): Promise<CommandOutput> {
  if (file !== undefined && o.eval !== undefined) throw new UsageError("give a script file or --eval, not both");
  const script = await readScript(file, o.eval);
  if (!script && g.json) throw new UsageError("--json needs statements to run: give a script file, --eval, or pipe them on standard input");
  return withChain(g, async (chain) => {
    // on a hospital home, xr / xry are the chosen patient's clone (the paper's ABI)
    const deployment = chain.patient ? xrContext(chain).deployment : requireDeployment(chain);
    const from = await senderFor(g, chain, deployment, "gov");
    const session = await openConsole(chain, { deployment, from });
    if (!script) {
      await interactive(g, chain, session);
      return { json: null, text: "" };
    }
    const results = await runScript(session, script.source, {
      filename: script.name,
      // With --json, stdout is the one document: the script's console.log goes to stderr.
      log: g.json ? process.stderr : process.stdout,
      onResult: g.json ? undefined : printResult,
    });
    return {
      json: { network: networkName(chain), from, statements: results.map((r) => ({ line: r.line, code: r.code, result: plainValue(r.value) ?? null })) },
      text: "",
    };
  });
}

/** As the REPL prints a result (statements that give nothing, such as declarations, print nothing). */
function printResult(r: StatementResult): void {
  if (r.value !== undefined) process.stdout.write(formatValue(r.value) + "\n");
}

async function readScript(file: string | undefined, code: string | undefined): Promise<Script | undefined> {
  if (code !== undefined) return { source: code, name: "--eval" };
  if (file !== undefined && file !== "-") {
    try {
      return { source: fs.readFileSync(file, "utf8"), name: path.resolve(file) };
    } catch (err) {
      throw new UsageError(`cannot read the script ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  if (file === undefined && process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { source: Buffer.concat(chunks).toString("utf8"), name: "stdin" };
}

/** The REPL, until `.exit`, Ctrl-D, two Ctrl-Cs or a termination signal; history kept in the home. */
async function interactive(g: Globals, chain: Chain, session: ConsoleSession): Promise<void> {
  const terminal = Boolean(process.stdout.isTTY);
  const names = Object.keys(session.context).join(", ");
  process.stdout.write(
    `xray console on ${chain.provider.description}: ${names} are defined; top-level await works; .exit to leave\n` +
      (chain.provider.exclusive ? `it holds the chain in ${g.home}: other xray commands on this home wait until it closes (run \`xray node\` to share it)\n` : "") +
      `what you type runs with this chain's unlocked accounts: transactions go from gov unless a statement gives {from}\n`,
  );
  // Registered before the first prompt: a signal is handled from the event loop, and closes
  // the REPL once its history is loaded (closed while loading, the REPL resumes stdin and hangs).
  let signalled = false;
  let stop: () => void = () => {
    signalled = true;
  };
  const onSignal = () => stop();
  const signals = ["SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.once(s, onSignal);
  try {
    const server = startConsole(session, { prompt: `xray(${networkName(chain)})> `, input: process.stdin, output: process.stdout, terminal, useColors: terminal });
    const exited = once(server, "exit");
    const history = path.join(g.home, "console_history");
    await new Promise<void>((resolve) =>
      server.setupHistory(history, (err) => {
        if (err) process.stderr.write(`xray: the console history ${history} cannot be kept: ${err.message}\n`);
        resolve();
      }),
    );
    stop = () => server.close();
    if (signalled) stop();
    await exited;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/** `embedded`, or the RPC node's host: what the prompt shows, as truffle shows `development`. */
function networkName(chain: Chain): string {
  if (chain.key === "embedded") return "embedded";
  try {
    return new URL(chain.key).host;
  } catch {
    return chain.key;
  }
}
