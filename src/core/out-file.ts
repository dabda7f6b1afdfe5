/**
 * Where a command writes its output file: the one place that decides what `--out` may do to
 * whatever is already at the target. It never destroys: a device, FIFO or socket is written
 * through (never renamed over), a symlink is followed, an existing regular file is replaced
 * only with `force`, a folder is refused. A new or replaced regular file is written to a
 * temporary file beside it and renamed into place, so a reader never sees half of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Writable } from "node:stream";
import { UsageError, XrayError } from "../errors";

export interface OutputOptions {
  /** Replace an existing regular file (default: refuse it). */
  force?: boolean;
  /** What `-` means: the caller's standard output (the core never touches process.stdout). */
  stdout?: Writable;
}

/** What `checkOutput` found at a target. */
export type OutputTarget =
  | { kind: "stdout" }
  /** A regular file (new, or replaced with force) at `path`, written through a temporary file. */
  | { kind: "file"; path: string; exists: boolean }
  /** A device, FIFO or socket at `path`: opened and written in place. */
  | { kind: "special"; path: string };

/**
 * Decides, before any work, how `target` will be written; throws a UsageError (exit 2) for a
 * folder, a missing parent folder, or an existing regular file without `force`.
 */
export function checkOutput(target: string, options: OutputOptions = {}): OutputTarget {
  if (target === "-") return { kind: "stdout" };
  if (target === "") throw new UsageError("the output path is empty");
  const real = followLinks(target);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(real);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw outputError(err, target);
  }
  if (st?.isDirectory()) throw new UsageError(`${target} is a folder: give a file name for the output`);
  if (st && !st.isFile()) return { kind: "special", path: real };
  if (st && !options.force) throw new UsageError(`${target} exists: use --force to replace it`);
  const parent = path.dirname(path.resolve(real));
  let ps: fs.Stats;
  try {
    ps = fs.statSync(parent);
  } catch {
    throw new UsageError(`cannot write ${target}: the folder ${parent} does not exist`);
  }
  if (!ps.isDirectory()) throw new UsageError(`cannot write ${target}: ${parent} is not a folder`);
  return { kind: "file", path: real, exists: Boolean(st) };
}

/** A symlink's final target (dangling ones too), so that a link is followed and never replaced. */
function followLinks(target: string): string {
  let p = path.resolve(target);
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = fs.readlinkSync(p);
    } catch {
      return p; // not a link (or nothing there)
    }
    p = path.resolve(path.dirname(p), link);
  }
  throw new UsageError(`${target}: too many levels of symbolic links`);
}

/** Where `file` is written before it is renamed into place: hidden, beside it (same file system). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
}

/** A file being written: `commit` makes it appear whole, `abort` removes every trace. */
export interface OutputSink {
  target: OutputTarget;
  /** Writes a chunk (synchronous for files; awaits drain for a stream). */
  write(chunk: Uint8Array | string): Promise<void>;
  commit(): Promise<void>;
  abort(): void;
}

/**
 * Opens `target` for writing as `checkOutput` decided. Streams (large downloads) write chunk by
 * chunk; `commit` fsyncs and renames a regular file into place.
 */
export function openOutput(target: string | OutputTarget, options: OutputOptions = {}): OutputSink {
  const t = typeof target === "string" ? checkOutput(target, options) : target;
  if (t.kind === "stdout") {
    const out = options.stdout;
    if (!out) throw new XrayError("no standard output was given for '-'", "FAILED");
    return {
      target: t,
      write: (chunk) => new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve()))),
      commit: async () => {},
      abort() {},
    };
  }
  const file = t.kind === "file" ? tempPathFor(t.path) : t.path;
  let fd: number;
  try {
    fd = fs.openSync(file, t.kind === "file" ? "wx" : "w", 0o644);
  } catch (err) {
    throw outputError(err, t.path);
  }
  let open = true;
  const close = () => {
    if (open) fs.closeSync(fd);
    open = false;
  };
  return {
    target: t,
    async write(chunk) {
      try {
        fs.writeSync(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      } catch (err) {
        throw outputError(err, t.path);
      }
    },
    async commit() {
      try {
        if (t.kind === "file") fs.fsyncSync(fd);
        close();
        if (t.kind === "file") fs.renameSync(file, t.path);
      } catch (err) {
        this.abort();
        throw outputError(err, t.path);
      }
    },
    abort() {
      try {
        close();
      } catch {
        /* already closed */
      }
      if (t.kind === "file") fs.rmSync(file, { force: true });
    },
  };
}

/** Writes all of `data` to `target` (see `openOutput`); nothing half-written on failure. */
export async function writeOutput(target: string | OutputTarget, data: string | Uint8Array, options: OutputOptions = {}): Promise<OutputTarget> {
  const sink = openOutput(target, options);
  try {
    await sink.write(data);
    await sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return sink.target;
}

/** One line for a failed write: a full disk, a read-only file system, no permission. */
export function outputError(err: unknown, file: string): XrayError {
  if (err instanceof XrayError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "the disk quota is exhausted",
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    EPERM: "permission denied",
    ENOENT: "the folder does not exist",
    ENOTDIR: "a part of the path is not a folder",
    EISDIR: "it is a folder",
  };
  const reason = (code && why[code]) || (err as Error).message;
  return new XrayError(`cannot write ${file}: ${reason}${code === "ENOSPC" ? " (free some space and run it again; nothing was half-written)" : ""}`, code === "ENOSPC" ? "DISK_FULL" : "WRITE_FAILED", { cause: err });
}
