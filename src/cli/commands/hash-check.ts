// `xray hash -c`: sha256sum -c's output, warnings and exit status, from core/hash/check.
import { checkSums, type CheckLine } from "../../core/hash/check";
import { safeText } from "../../core/text";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";

/** sha256sum -c's options; -q (global) is its --quiet. */
export interface CheckFlags {
  /** Nothing on stdout and no warnings: the exit status says it all. */
  status?: boolean;
  /** Improperly formatted lines fail the check. */
  strict?: boolean;
  /** A missing file is neither a failure nor reported. */
  ignoreMissing?: boolean;
  /** One warning per improperly formatted line. */
  warn?: boolean;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A name as sha256sum -c prints it: escaped ("\" first; "\\", "\n", "\r" written out) only
 * when it would span lines, to keep the output easy to parse; other controls escaped by safeText.
 */
function printedName(file: string): string {
  if (!/[\n\r]/.test(file)) return safeText(file);
  return "\\" + safeText(file.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r"));
}

/** A name in a diagnostic, quoted as coreutils' quotef does when it holds anything unusual. */
function quoted(name: string): string {
  if (/^[\w./+,:@%=-]+$/.test(name)) return name;
  return safeText(`'${name.replace(/'/g, "'\\''")}'`);
}

export async function runCheck(g: Globals, lists: string[], o: CheckFlags & { threads?: number }): Promise<CommandOutput> {
  const results = await checkSums(lists.length ? lists : ["-"], { ignoreMissing: o.ignoreMissing, strict: o.strict, stdin: process.stdin, threads: o.threads });
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const r of results) {
    const listName = r.list === "-" ? "'standard input'" : quoted(r.list);
    if (r.error) {
      stderr.push(`${listName}: ${r.error}`);
      continue;
    }
    for (const line of r.lines) {
      if (line.kind === "improper") {
        if (o.warn) stderr.push(`${listName}: ${line.line}: improperly formatted SHA256 checksum line`);
        continue;
      }
      if (line.error) stderr.push(`${quoted(line.file)}: ${line.error}`);
      if (!o.status && !(line.status === "OK" && g.quiet)) stdout.push(`${printedName(line.file)}: ${line.status}`);
    }
    if (!r.proper) {
      stderr.push(`${listName}: no properly formatted checksum lines found`);
      continue;
    }
    if (!o.status) {
      if (r.improper) stderr.push(`WARNING: ${plural(r.improper, "line is", "lines are")} improperly formatted`);
      if (r.unreadable) stderr.push(`WARNING: ${plural(r.unreadable, "listed file", "listed files")} could not be read`);
      if (r.mismatched) stderr.push(`WARNING: ${plural(r.mismatched, "computed checksum", "computed checksums")} did NOT match`);
    }
    if (o.ignoreMissing && !r.compared) stderr.push(`${listName}: no file was verified`);
  }
  const files = results.flatMap((r) => r.lines.filter((l): l is Extract<CheckLine, { kind: "file" }> => l.kind === "file").map(({ kind: _k, ...l }) => ({ list: r.list, ...l })));
  const ok = results.every((r) => r.ok);
  return {
    json: {
      ok,
      passed: files.filter((f) => f.status === "OK").length,
      mismatched: results.reduce((n, r) => n + r.mismatched, 0),
      unreadable: results.reduce((n, r) => n + r.unreadable, 0),
      improperlyFormatted: results.reduce((n, r) => n + r.improper, 0),
      lists: results.map((r) => ({ file: r.list, ok: r.ok, ...(r.error ? { error: r.error } : {}) })),
      files,
    },
    text: stdout.join("\n"),
    stderr,
    exitCode: ok ? 0 : 1,
  };
}
