/**
 * Questions on a terminal, with inquirer (an ES module, loaded only when a question is asked).
 * Questions go to stderr, so stdout keeps the command's result; they are asked only when a
 * person is there to answer, and a Ctrl-C or closed input at any of them cancels the command.
 */
import { CancelledError } from "../errors";

export { CancelledError };
import type { Globals } from "./context";

/** stdin and stderr are both terminals: someone can read a question and type the answer. */
export const isTerminal = (): boolean => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/** May a command ask? Only on a terminal, and never with --json (a script reads stdout). */
export const canPrompt = (g: Pick<Globals, "json">): boolean => !g.json && isTerminal();

/** A validator's verdict as inquirer wants it: true, or the message to show under the question. */
export type Verdict = true | string;

/** Runs one of xray's own parsers as a prompt validator: its UsageError message becomes the hint. */
export function validateWith<T>(parse: (value: T) => unknown): (value: T) => Verdict {
  return (value) => {
    try {
      parse(value);
      return true;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
}

export interface Choice<T> {
  /** The line shown in the list. */
  name: string;
  value: T;
  /** Shown after the question once answered (default: name). */
  short?: string;
}

/** One question of each kind xray asks; every answer is checked before it is accepted. */
export interface Prompter {
  input(q: { message: string; default?: string; validate?: (value: string) => Verdict }): Promise<string>;
  number(q: { message: string; default?: number; validate?: (value: number | undefined) => Verdict }): Promise<number | undefined>;
  select<T>(q: { message: string; choices: Choice<T>[]; default?: T; pageSize?: number }): Promise<T>;
  confirm(q: { message: string; default?: boolean }): Promise<boolean>;
  /** Hidden input, echoed as stars. */
  password(q: { message: string }): Promise<string>;
}

type Question = { type: "input" | "number" | "select" | "confirm" | "password"; message: string } & Record<string, unknown>;

/**
 * Asks questions on stderr. Ctrl-C, or input closed (Ctrl-D, a hang-up) while a question is
 * open, rejects with CancelledError(`cancelled: ${nothingDone}`).
 * @example
 * const ask = prompter("nothing was removed");
 * if (!(await ask.confirm({ message: "Remove it?", default: false }))) throw new CancelledError("nothing was removed");
 */
export function prompter(nothingDone: string): Prompter {
  const one = async (question: Question): Promise<any> => {
    const inquirer = (await import("inquirer")).default;
    // A closed terminal leaves inquirer's promise pending with nothing left to run: the event
    // loop drains and Node would exit 0 in silence. Cancel the question instead.
    const closed = new AbortController();
    const onDrained = () => closed.abort();
    process.once("beforeExit", onDrained);
    try {
      const prompt = inquirer.createPromptModule({ output: process.stderr, signal: closed.signal });
      const answers: Record<string, unknown> = await prompt([{ ...question, name: "answer" }]);
      return answers.answer;
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === "ExitPromptError" || name === "AbortPromptError") {
        // Keys typed with the Ctrl-C are still handled after it, and can resume reading the
        // terminal: it must not keep a cancelled command alive.
        process.stdin.unref();
        throw new CancelledError(nothingDone, { cause: err });
      }
      throw err;
    } finally {
      process.off("beforeExit", onDrained);
    }
  };
  return {
    input: (q) => one({ type: "input", ...q }),
    number: (q) => one({ type: "number", ...q }),
    select: (q) => one({ type: "select", ...q }),
    confirm: (q) => one({ type: "confirm", ...q }),
    password: (q) => one({ type: "password", mask: "*", ...q }),
  };
}
