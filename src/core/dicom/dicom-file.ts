import * as fs from "node:fs";

/** Part 10 files start with a 128-byte preamble and "DICM". */
export const isDicomBytes = (b: Uint8Array) => b.length >= 132 && Buffer.from(b.buffer, b.byteOffset + 128, 4).toString("latin1") === "DICM";

/** Is the file a DICOM Part 10 instance? Reads its first 132 bytes only (no DICOM code loaded). */
export function isDicomFile(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(132);
    return isDicomBytes(head.subarray(0, fs.readSync(fd, head, 0, 132, 0)));
  } finally {
    fs.closeSync(fd);
  }
}
