/**
 * `xray hash -c`: reads checksum lists as `sha256sum -c` does (GNU coreutils 9) and checks each
 * file named in them. Paths are relative to the current folder, as sha256sum reads them.
 */
import * as fs from "node:fs";
import type { Readable } from "node:stream";
import { hashStream, type FileHash } from "./hash-file";
import { hashFiles } from "./hash-files";

export type CheckStatus = "OK" | "FAILED" | "FAILED open or read";

/** One line of a list, in the list's order: a file checked, or a line that is not a checksum. */
export type CheckLine =
  | { kind: "file"; line: number; file: string; expected: string; status: CheckStatus; actual?: string; error?: string }
  | { kind: "improper"; line: number };

export interface CheckListResult {
  /** The list's name as given ("-" = standard input). */
  list: string;
  /** Why the list itself could not be read (then `lines` is empty). */
  error?: string;
  lines: CheckLine[];
  /** Properly formatted lines; none fails the list. */
  proper: number;
  /** Counts, as sha256sum's closing warnings give them. */
  improper: number;
  unreadable: number;
  mismatched: number;
  /** Files compared (match or not); 0 with --ignore-missing and every file missing fails the list. */
  compared: number;
  /** True when this list passes, as sha256sum's exit status says. */
  ok: boolean;
}

export interface CheckOptions {
  /** Missing files are neither failures nor reported (sha256sum --ignore-missing). */
  ignoreMissing?: boolean;
  /** Improperly formatted lines fail the list (sha256sum --strict). */
  strict?: boolean;
  /** What "-" reads: as the list, or as a file named in a list. */
  stdin?: Readable;
  threads?: number;
}

/** strerror's words for the errors sha256sum reports, so the messages match its own. */
const STRERROR: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EISDIR: "Is a directory",
  EIO: "Input/output error",
  ENOTDIR: "Not a directory",
};

/** A parsed checksum line: GNU (`<hex>  name`, `<hex> *name`, `\` for escaped names) or BSD tagged. */
export function parseChecksumLine(raw: string): { sha256: string; file: string } | undefined {
  const line = raw.replace(/^[ \t]+/, "");
  const escaped = line.startsWith("\\");
  const body = escaped ? line.slice(1) : line;
  const gnu = /^([0-9a-fA-F]{64}) [ *](.+)$/s.exec(body);
  const bsd = gnu ? undefined : /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/s.exec(body);
  const [hex, name] = gnu ? [gnu[1], gnu[2]] : bsd ? [bsd[2], bsd[1]] : [];
  if (!hex || !name) return undefined;
  const file = escaped ? unescapeName(name) : name;
  return file === undefined || file === "" ? undefined : { sha256: hex.toLowerCase(), file };
}

function unescapeName(name: string): string | undefined {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    if (name[i] !== "\\") out += name[i];
    else if (name[i + 1] === "\\") out += "\\", i++;
    else if (name[i + 1] === "n") out += "\n", i++;
    else if (name[i + 1] === "r") out += "\r", i++;
    else return undefined;
  }
  return out;
}

/** Checks every file named in each list; the lists in order, each line in order. */
export async function checkSums(lists: string[], options: CheckOptions = {}): Promise<CheckListResult[]> {
  const results: CheckListResult[] = [];
  let stdinUsed = false;
  for (const list of lists) {
    const result: CheckListResult = { list, lines: [], proper: 0, improper: 0, unreadable: 0, mismatched: 0, compared: 0, ok: false };
    results.push(result);
    let text: string;
    try {
      if (list === "-") {
        if (!options.stdin || stdinUsed) throw Object.assign(new Error("standard input was already read"), { code: "EIO" });
        stdinUsed = true;
        text = await readAll(options.stdin);
      } else text = fs.readFileSync(list, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      result.error = STRERROR[code] ?? (err as Error).message;
      continue;
    }
    const wanted: { line: number; sha256: string; file: string }[] = [];
    text.split("\n").forEach((raw, i) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.startsWith("#") || line === "") return;
      const parsed = parseChecksumLine(line);
      if (parsed) wanted.push({ line: i + 1, ...parsed });
      else result.lines.push({ kind: "improper", line: i + 1 });
    });
    result.improper = result.lines.length;
    result.proper = wanted.length;
    const onDisk = wanted.filter((w) => w.file !== "-");
    const hashes = await hashFiles(
      onDisk.map((w) => w.file),
      { anyFile: true, allowEmpty: true, threads: options.threads },
    );
    const fromStdin = async (): Promise<FileHash> => {
      if (!options.stdin || stdinUsed) return { ok: false, error: "standard input was already read", code: "EIO" };
      stdinUsed = true;
      return hashStream(options.stdin, { anyFile: true, allowEmpty: true });
    };
    for (const w of wanted) {
      const h = w.file === "-" ? await fromStdin() : hashes.shift()!;
      if (!h.ok) {
        if (options.ignoreMissing && h.code === "ENOENT") continue;
        result.unreadable += 1;
        result.lines.push({ kind: "file", line: w.line, file: w.file, expected: w.sha256, status: "FAILED open or read", error: (h.code && STRERROR[h.code]) || h.error });
        continue;
      }
      result.compared += 1;
      const status: CheckStatus = h.sha256 === w.sha256 ? "OK" : "FAILED";
      if (status === "FAILED") result.mismatched += 1;
      result.lines.push({ kind: "file", line: w.line, file: w.file, expected: w.sha256, actual: h.sha256, status });
    }
    result.lines.sort((a, b) => a.line - b.line);
    result.ok = wanted.length > 0 && result.compared > 0 && !result.mismatched && !result.unreadable && !(options.strict && result.improper);
  }
  return results;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString("utf8");
}
