import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Runs one of dcmtk's tools, the independent peer of xray's DICOM code. A machine without
 * dcmtk fails here, loudly: .ci/run installs it (Debian package dcmtk).
 */
export function dcmtk(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: "utf8", env: { ...process.env, TCP_NODELAY: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new Error(`${tool} is missing: install Debian's dcmtk (apt-get install dcmtk); .ci/run does`);
    throw new Error(`${tool} ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
  }
}

/** One attribute's value as dcmdump prints it (the text between [ ] or the number), or undefined. */
export function dumpValue(file: string, tag: string): string | undefined {
  const line = dcmtk("dcmdump", ["-q", "-Un", "+P", tag, file]).split("\n")[0];
  if (!line) return undefined;
  const m = /^\([0-9a-f,]+\) \w\w (?:\[([^\]]*)\]|(\S+))/i.exec(line.trim());
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Every top-level attribute's value as dcmdump prints it, by lower-case tag "gggg,eeee". */
export function dumpAll(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of dcmtk("dcmdump", ["-q", "-Un", file]).split("\n")) {
    const m = /^\(([0-9a-f]{4},[0-9a-f]{4})\) \w\w (?:\[([^\]]*)\]|(\S+))/i.exec(line);
    if (m && !/^\(no/.test(m[3] ?? "")) out.set(m[1].toLowerCase(), m[2] ?? m[3]);
  }
  return out;
}

/**
 * Changes one pixel of an uncompressed 8- or 16-bit file by hand: the sample `back` bytes before
 * the end of the Pixel Data (which is the last element of the files the tests make). Returns the new path.
 */
export function flipPixel(file: string, out: string, back = 64): string {
  const b = Buffer.from(fs.readFileSync(file));
  b[b.length - back] ^= 0x01;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, b);
  return out;
}
