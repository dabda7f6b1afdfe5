/** Image formats xray accepts, told apart by their first bytes (not by the file name). */
const SIGNATURES: { mime: string; test: (b: Buffer) => boolean }[] = [
  { mime: "image/jpeg", test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: "image/png", test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: "application/dicom", test: (b) => b.length >= 132 && b.toString("latin1", 128, 132) === "DICM" },
  { mime: "image/gif", test: (b) => /^GIF8[79]a/.test(b.toString("latin1", 0, 6)) },
  { mime: "image/bmp", test: (b) => b.toString("latin1", 0, 2) === "BM" && b.length >= 14 },
  { mime: "image/tiff", test: (b) => ["II*\0", "MM\0*"].includes(b.toString("latin1", 0, 4)) },
  { mime: "image/webp", test: (b) => b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP" },
  { mime: "image/jp2", test: (b) => b.subarray(0, 12).equals(Buffer.from("0000000c6a5020200d0a870a", "hex")) },
];

/** How many leading bytes `sniffImage` needs to tell every format apart. */
export const SNIFF_BYTES = 132;

/** The MIME type of an image from its first bytes, or undefined when it is not an image xray knows. */
export function sniffImage(head: Buffer): string | undefined {
  return SIGNATURES.find((s) => s.test(head))?.mime;
}
