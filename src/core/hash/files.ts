import * as fs from "node:fs";
import * as path from "node:path";

/** A file found by `listFiles`: the path as the user would write it, and its parent folder's name. */
export interface FoundFile {
  /** "-" stands for standard input. */
  path: string;
  /** The name of the folder the file is in (NORMAL, PNEUMONIA, ...): the data set's label. */
  label: string;
}

export interface ListFilesOptions {
  /** Include files and folders whose names start with "." (skipped by default: .DS_Store, .git). */
  hidden?: boolean;
  /** Absolute paths to leave out (the manifest being written, its state files). */
  exclude?: Set<string>;
  /** "-" stands for standard input: kept as a file named "-" for the caller to read. */
  stdin?: boolean;
}

/** A path that could not be listed, kept so the run can report it and go on. */
export interface ListProblem {
  path: string;
  error: string;
}

/**
 * Expands files and folders (recursively) into a list of files in a stable order: each
 * argument in turn, and inside a folder, byte order of the relative paths. Symbolic links
 * to files are followed; links to folders are not (no cycles). Anything that is not a regular
 * file (a FIFO, socket or device; a dangling link) is a problem, never opened: reading a FIFO
 * would wait forever for a writer. With `stdin`, "-" is kept as a file.
 */
export function listFiles(inputs: string[], options: ListFilesOptions = {}): { files: FoundFile[]; problems: ListProblem[] } {
  const { hidden = false, exclude = new Set<string>(), stdin = false } = options;
  const files: FoundFile[] = [];
  const problems: ListProblem[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    const abs = path.resolve(p);
    if (seen.has(abs) || exclude.has(abs)) return;
    seen.add(abs);
    files.push({ path: p, label: labelOf(p) });
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, error: errorText(err) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (!hidden && e.name.startsWith(".")) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) add(p);
      else if (exclude.has(path.resolve(p))) continue; // e.g. the manifest written through a FIFO
      else if (e.isSymbolicLink()) {
        const st = statOrUndefined(p);
        if (st?.isDirectory()) continue; // links to folders are not followed
        const why = st ? notRegular(st) : "dangling symbolic link";
        if (why) problems.push({ path: p, error: why });
        else add(p);
      } else {
        const st = statOrUndefined(p, true);
        problems.push({ path: p, error: st ? (notRegular(st) ?? "not a regular file") : "no such file" });
      }
    }
  };
  for (const input of inputs) {
    if (input === "-" && stdin) {
      if (!seen.has("-")) files.push({ path: "-", label: "" });
      seen.add("-");
      continue;
    }
    const st = statOrUndefined(input);
    const why = st ? notRegular(st) : statOrUndefined(input, true) ? "dangling symbolic link" : "no such file or folder";
    if (st?.isDirectory()) walk(input);
    else if (why) problems.push({ path: input, error: why });
    else add(input);
  }
  return { files, problems };
}

/** The parent folder's name, the label data sets such as Kaggle's use (train/NORMAL/x.jpeg → NORMAL). */
export function labelOf(file: string): string {
  return path.basename(path.dirname(path.resolve(file)));
}

function statOrUndefined(p: string, link = false): fs.Stats | undefined {
  try {
    return link ? fs.lstatSync(p) : fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** Why a path that is not a regular file or a folder cannot be hashed; undefined when it can. */
export function notRegular(st: fs.Stats): string | undefined {
  if (st.isFile() || st.isDirectory()) return undefined;
  if (st.isFIFO()) return "is a FIFO (named pipe), not a file";
  if (st.isSocket()) return "is a socket, not a file";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "is a device, not a file";
  return "not a regular file";
}

/** A file system error as a short phrase: "permission denied", "no such file". */
export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "permission denied",
    ENOENT: "no such file",
    EISDIR: "is a folder",
    EIO: "input/output error",
    ENOTDIR: "not a folder",
  };
  return (e.code && known[e.code]) ?? e.message ?? String(err);
}
