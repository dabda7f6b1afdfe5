/**
 * The README's copy-paste sessions, and the bash scripts that run them as written.
 *
 * Conventions in README.md:
 * - Every fenced block whose info string is `sh` is a session, run by test/readme.test.ts.
 * - ```` ```sh norun ```` (or an HTML comment `<!-- not run: reason -->` on the line before
 *   the fence) marks a block that is not run; the reason is the rest of the info string or
 *   the comment, and is required.
 * - `# => text` after a command, on its line or on lines of its own right below it, is what
 *   the command prints (stdout and stderr together): the text must appear in the output, with
 *   `...` standing for anything. The command runs as written; the expectation is a comment.
 * - A command whose failure is the point says so in shell (`|| echo "exit $?"`), so the
 *   session still runs to the end with `bash -euo pipefail`.
 */

export interface ReadmeSession {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  /** The block's text, without the fences. */
  code: string;
  /** Why the block is not run ("" when no reason is given); undefined when it is run. */
  skip?: string;
}

/** Every ```sh block of a README, in order. */
export function readmeSessions(markdown: string): ReadmeSession[] {
  const lines = markdown.split("\n");
  const sessions: ReadmeSession[] = [];
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const fence = /^(`{3,})(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence[1]) && l.slice(fence[1].length).trim() === "");
    if (end < 0) throw new Error(`README line ${i + 1}: the fence is never closed`);
    const [lang, ...rest] = fence[2].trim().split(/\s+/);
    if (lang === "sh") {
      const info = rest.join(" ");
      const comment = /^<!--\s*not run:\s*(.*?)\s*-->\s*$/.exec(lines[i - 1] ?? "");
      let skip: string | undefined;
      if (comment) skip = comment[1];
      else if (/^norun\b/.test(info)) skip = info.replace(/^norun\b[:\s]*/, "");
      sessions.push({ line: i + 1, heading, code: lines.slice(i + 1, end).join("\n"), skip });
    }
    i = end;
  }
  return sessions;
}

const EXPECT_INLINE = /\s#\s=>\s?(.*)$/;
const EXPECT_LINE = /^\s*#\s=>\s?(.*)$/;

/** Single-quoted for bash. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A bash [[ == ]] pattern: the text anywhere, `...` standing for anything. */
const pattern = (text: string) => "*" + text.split("...").map((p) => (p ? quote(p) : "")).join("*") + "*";

interface Step {
  command: string;
  expect: string[];
}

/** Commands (continuation lines joined) with the expectations that follow them. */
function steps(code: string): Step[] {
  const out: Step[] = [];
  const lines = code.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const own = EXPECT_LINE.exec(lines[i]);
    if (own) {
      const last = out[out.length - 1];
      if (!last || !last.command.trim()) throw new Error(`"# =>" with no command above it: ${lines[i]}`);
      last.expect.push(own[1].trim());
      continue;
    }
    let command = lines[i];
    while (/\\$/.test(command) && i + 1 < lines.length) command += "\n" + lines[++i];
    const inline = EXPECT_INLINE.exec(command);
    const expect = inline ? [inline[1].trim()] : [];
    if (inline) command = command.slice(0, inline.index);
    out.push({ command, expect });
  }
  return out;
}

/**
 * The bash script for one session: the commands as written, in order; a command with
 * expectations runs with its output captured, shown, and searched for each expectation.
 * The first failure stops the script and names the command.
 */
export function sessionScript(session: ReadmeSession): string {
  const body = steps(session.code).map(({ command, expect }) => {
    if (!expect.length) return command;
    const checks = expect.map((e) => `__want=${quote(e)}; [[ $__out == ${pattern(e)} ]] || { echo "README: $__cmd: expected in its output: $__want" >&2; exit 90; }`);
    return [
      `__cmd=${quote(command.trim())}`,
      `__out=$( { ${command}\n} 2>&1 ) || { __rc=$?; printf '%s\\n' "$__out"; echo "README: exit $__rc: $__cmd" >&2; exit $__rc; }`,
      `printf '%s\\n' "$__out"`,
      ...checks,
    ].join("\n");
  });
  return [
    `# README.md line ${session.line}: ${session.heading}`,
    `trap 'echo "README: exit $? at: $BASH_COMMAND" >&2' ERR`,
    ...body,
    "",
  ].join("\n");
}
