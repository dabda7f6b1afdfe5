/**
 * Input files named on the command line, checked before they are opened: a missing path,
 * a folder, or a FIFO, device or socket (which would block or never end) is bad input
 * (exit 2) with one line naming it, never a hang or a library's message.
 */
import * as fs from "node:fs";
import { UsageError } from "../errors";
import { notRegular } from "./hash/files";

/** Throws a UsageError unless `file` is a readable regular file; returns its size. */
export function checkInputFile(file: string, what = "file"): number {
  if (file === "") throw new UsageError(`the ${what} path is empty`);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      const dangling = fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink();
      throw new UsageError(`${what} ${file} ${dangling ? "is a symbolic link to nothing" : "does not exist"}`);
    }
    throw new UsageError(`cannot read ${what} ${file}: ${code === "EACCES" ? "permission denied" : (err as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`${what} ${file} is a folder, not a file`);
  if (!st.isFile()) throw new UsageError(`${what} ${file}: ${notRegular(st)}`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new UsageError(`cannot read ${what} ${file}: permission denied`);
  }
  return st.size;
}

/** The bytes of `file` ('-' = standard input), checked as `checkInputFile` does. */
export function readInput(file: string, what = "file"): Buffer {
  if (file === "-") return fs.readFileSync(0);
  checkInputFile(file, what);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}
