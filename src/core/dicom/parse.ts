import { XrayError } from "../../errors";
import { dcmjs, TS, TS_NAMES, type Dataset } from "./codecs";

/** A DICOM Part 10 file, parsed: its transfer syntax, its meta header and its dataset (naturalized). */
export interface DicomInstance {
  transferSyntax: string;
  meta: Dataset;
  elements: Dataset;
}

/** Why a file is not a DICOM instance xray can read: NOT_DICOM, DICOM_TRUNCATED, DICOM_UNSUPPORTED, DICOM_INVALID. */
export class DicomError extends XrayError {
  override name = "DicomError";
}

const UNDEFINED = 0xffffffff;
const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

/**
 * Walks the element structure of a Part 10 file (meta header explicit little endian, the dataset
 * in `explicit` or implicit VR) and throws DICOM_TRUNCATED when an element, item or fragment runs
 * past the end of the file: dcmjs alone would quietly read a short pixel buffer.
 */
export function checkStructure(b: Buffer, datasetExplicit: boolean, bigEndian = false): void {
  const fail = (at: number): never => {
    throw new DicomError(`truncated DICOM file: element at byte ${at} runs past the end (${b.length} bytes)`, "DICOM_TRUNCATED");
  };
  // The meta header (group 0002) is little endian whatever the dataset is.
  let be = false;
  const u16 = (at: number) => (be ? b.readUInt16BE(at) : b.readUInt16LE(at));
  const u32 = (at: number) => (be ? b.readUInt32BE(at) : b.readUInt32LE(at));
  // Returns the offset after the elements; stops at `end` or at an item/sequence delimiter.
  const walk = (pos: number, end: number, explicitDefault: boolean, depth: number): number => {
    if (depth > 32) throw new DicomError("DICOM sequences nested too deep", "DICOM_INVALID");
    while (pos < end) {
      if (pos + 8 > b.length) fail(pos);
      be = bigEndian && b.readUInt16LE(pos) !== 0x0002;
      const group = u16(pos);
      const elem = u16(pos + 2);
      if (group === 0xfffe && (elem === 0xe00d || elem === 0xe0dd)) return pos + 8; // delimiter
      const explicit = group === 0x0002 || explicitDefault;
      let vr = "";
      let len: number;
      let head: number;
      if (explicit && group !== 0xfffe) {
        vr = b.toString("latin1", pos + 4, pos + 6);
        if (LONG_VRS.has(vr)) {
          if (pos + 12 > b.length) fail(pos);
          len = u32(pos + 8);
          head = 12;
        } else {
          len = u16(pos + 6);
          head = 8;
        }
      } else {
        len = u32(pos + 4);
        head = 8;
      }
      const start = pos + head;
      if (len === UNDEFINED) {
        // An UN element of undefined length holds a sequence in implicit VR (PS3.5 6.2.2).
        pos = walkItems(start, vr === "UN" ? false : explicitDefault, depth + 1);
        continue;
      }
      if (start + len > b.length) fail(pos);
      pos = start + len;
    }
    return pos;
  };
  // Items of a sequence or fragments of encapsulated pixel data, up to the sequence delimiter.
  const walkItems = (pos: number, explicitDefault: boolean, depth: number): number => {
    for (;;) {
      if (pos + 8 > b.length) fail(pos);
      be = bigEndian;
      const group = u16(pos);
      const elem = u16(pos + 2);
      const len = u32(pos + 4);
      if (group === 0xfffe && elem === 0xe0dd) return pos + 8;
      if (group !== 0xfffe || elem !== 0xe000) throw new DicomError(`damaged DICOM sequence at byte ${pos}`, "DICOM_INVALID");
      if (len === UNDEFINED) pos = walk(pos + 8, b.length, explicitDefault, depth + 1);
      else if (pos + 8 + len > b.length) fail(pos);
      else pos += 8 + len;
    }
  };
  walk(132, b.length, datasetExplicit, 0);
}

/** Syntaxes xray decodes. */
const READABLE = new Set<string>(Object.values(TS));

/**
 * Parses a DICOM Part 10 file (128-byte preamble, "DICM"). Throws DicomError: NOT_DICOM,
 * DICOM_TRUNCATED, DICOM_UNSUPPORTED (a transfer syntax xray does not decode) or DICOM_INVALID.
 */
export function readDicom(buf: Buffer): DicomInstance {
  if (buf.length < 132 || buf.toString("latin1", 128, 132) !== "DICM") throw new DicomError("not a DICOM file (no DICM signature at byte 128)", "NOT_DICOM");
  const d = dcmjs();
  let parsed: { meta: Record<string, unknown>; dict: Record<string, unknown> };
  try {
    parsed = d.data.DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer, { ignoreErrors: false });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (/more than currently allocated|offset is out of bounds|outside the bounds|past end of input/i.test(msg)) throw new DicomError("truncated DICOM file", "DICOM_TRUNCATED", { cause: err });
    throw new DicomError(`damaged DICOM file: ${msg}`, "DICOM_INVALID", { cause: err });
  }
  const meta = d.data.DicomMetaDictionary.naturalizeDataset(parsed.meta);
  const ts = String(meta.TransferSyntaxUID ?? "").replace(/\0/g, "").trim();
  if (!READABLE.has(ts)) throw new DicomError(`unsupported transfer syntax ${ts || "(none)"}: xray reads ${[...new Set(Object.values(TS_NAMES))].join(", ")}`, "DICOM_UNSUPPORTED");
  checkStructure(buf, ts !== TS.implicit, ts === TS.bigEndian);
  return { transferSyntax: ts, meta, elements: d.data.DicomMetaDictionary.naturalizeDataset(parsed.dict) };
}

/** A string attribute as text: multiple values joined by "\", padding (spaces, NUL) trimmed; a person name in its DICOM form. */
export function textValue(v: unknown): string {
  if (v === undefined || v === null) return "";
  const one = (x: unknown): string => {
    if (x === null || x === undefined) return "";
    if (typeof x === "object") {
      const pn = x as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
      return [pn.Alphabetic ?? "", pn.Ideographic ?? "", pn.Phonetic ?? ""].join("=").replace(/=+$/, "");
    }
    return String(x);
  };
  const text = Array.isArray(v) ? v.map(one).join("\\") : one(v);
  return text.replace(/^[ \0]+|[ \0]+$/g, "");
}

/** An integer attribute, or `fallback` when absent. */
export function intValue(v: unknown, fallback?: number): number {
  const x = Array.isArray(v) ? v[0] : v;
  const n = typeof x === "number" ? x : x === undefined || x === null || x === "" ? NaN : Number(String(x).trim());
  if (Number.isInteger(n)) return n;
  if (fallback !== undefined) return fallback;
  throw new DicomError(`missing or bad integer attribute (${JSON.stringify(v)})`, "DICOM_INVALID");
}
