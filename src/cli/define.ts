/**
 * How a command is registered: `define` adds it with an action that resolves the global flags
 * once, loads the command's module only when it runs, and prints what it returns.
 */
import type { Command } from "commander";
import { safeBlock } from "../core/text";
import { resolveGlobals, type Globals, type RawGlobals } from "./context";
import { toJson, type CommandOutput } from "./output";

type Runner = (g: Globals, ...args: any[]) => Promise<CommandOutput | void>;

export const PASSPHRASE_HELP = `
The passphrase comes from XRAY_PASSPHRASE, a file (--passphrase-file or XRAY_PASSPHRASE_FILE),
or a hidden prompt on a terminal; never from an argument, and it is never printed.`;

/** The loader of function `fn` of `commands/<module>.js`, required only when that command runs. */
export const from = (module: string, fn = "run") => () => ({ run: require(`./commands/${module}.js`)[fn] as Runner });

/** `load` uses require, not import(): a CommonJS module loads faster outside the ESM loader. */
export function define(parent: Command, name: string, load: () => { run: Runner }): Command {
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
      if (out?.exitCode) exitState.partialFailure = out.exitCode;
    });
}

/** "set-xray-hash", or "keys generate": the command's names below the program. */
function ancestry(cmd: Command): string[] {
  return cmd.parent?.parent ? [...ancestry(cmd.parent), cmd.name()] : [cmd.name()];
}

/** Set by a command that finished but failed in part; main's exit status. */
export const exitState = { partialFailure: 0 };

/** The result on stdout; diagnostics, then the summary, on stderr. -q drops decoration, never data. */
export function print(g: Globals, out: CommandOutput) {
  for (const line of out.stderr ?? []) process.stderr.write(`xray: ${safeBlock(line)}\n`);
  if (g.json) process.stdout.write(toJson(out.json) + "\n");
  else {
    if (out.text) process.stdout.write(safeBlock(out.text) + "\n");
    if (out.details && !g.quiet) process.stdout.write(safeBlock(out.details) + "\n");
  }
  if (out.summary && !g.quiet && !g.json) process.stderr.write(`xray: ${safeBlock(out.summary)}\n`);
}

