import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../errors";
import { mapLimit } from "../concurrent";
import { writeFileAtomic } from "../home";
import { pixelModule, uidFrom, writePart10, type Encoding, type GreyImage } from "./build";
import { TS } from "./codecs";

/** The encodings a generated set cycles through: every syntax, 8 and 16 bits, both photometric interpretations. */
export const ENCODINGS: Encoding[] = [
  { transferSyntax: TS.explicit, bits: 8, photometric: "MONOCHROME2" },
  { transferSyntax: TS.implicit, bits: 16, photometric: "MONOCHROME2" },
  { transferSyntax: TS.jpegLs, bits: 16, photometric: "MONOCHROME2" },
  { transferSyntax: TS.rle, bits: 16, photometric: "MONOCHROME1" },
  { transferSyntax: TS.j2kLossless, bits: 8, photometric: "MONOCHROME1" },
  { transferSyntax: TS.jpegLosslessSV1, bits: 16, photometric: "MONOCHROME1" },
  { transferSyntax: TS.explicit, bits: 16, photometric: "MONOCHROME1" },
  { transferSyntax: TS.jpegBaseline, bits: 8, photometric: "MONOCHROME2" },
];

/** Which of ENCODINGS a set cycles through: all of them, only the uncompressed (explicit and implicit VR), or only the compressed. */
export type EncodingMix = "mix" | "uncompressed" | "compressed";
export const ENCODING_MIXES: readonly EncodingMix[] = ["mix", "uncompressed", "compressed"];
const UNCOMPRESSED = new Set<string>([TS.explicit, TS.implicit]);

export function encodingsOf(mix: EncodingMix = "mix"): Encoding[] {
  return mix === "mix" ? ENCODINGS : ENCODINGS.filter((e) => UNCOMPRESSED.has(e.transferSyntax) === (mix === "uncompressed"));
}

export interface DicomDatasetOptions {
  /** Folder of real chest X-rays (JPEG/PNG, searched recursively): ../shared/data/cxr/originals. */
  source: string;
  studies: number;
  patients: number;
  seed?: number;
  /** Shrink images to fit in this many pixels (aspect kept); 0 keeps their size. */
  maxSize?: number;
  /** Transfer syntaxes: every one (default), only uncompressed, only compressed. */
  encodings?: EncodingMix;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One instance of the set, as index.csv lists it. */
export interface PlannedInstance {
  file: string;
  source: string;
  patientId: string;
  studyInstanceUid: string;
  sopInstanceUid: string;
  transferSyntax: string;
  bits: number;
  photometric: string;
}

export interface DicomDatasetResult {
  out: string;
  patients: number;
  studies: number;
  instances: number;
  written: number;
  bytes: number;
}

const FAMILY = ["SMITH", "GARCIA", "MUELLER", "ROSSI", "DUBOIS", "NOWAK", "TANAKA", "OKAFOR", "SILVA", "JENSEN", "KOWALSKI", "IVANOVA"];
const GIVEN = ["ANNA", "LUCAS", "MARIA", "NOAH", "SOFIA", "LIAM", "ELENA", "JONAS", "LEA", "OMAR", "YUKI", "PAUL"];

/** A number from the seed and `parts`, uniform in [0, n). */
function pick(seed: number, n: number, ...parts: (string | number)[]): number {
  return createHash("sha256").update([seed, ...parts].join("\0")).digest().readUInt32BE(0) % n;
}

function sourcesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new UsageError(`no such folder: ${dir}`);
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(png|jpe?g)$/i.test(e.name)) found.push(p);
    }
  };
  walk(dir);
  if (!found.length) throw new UsageError(`no JPEG or PNG images under ${dir}`);
  return found;
}

/** The grey pixels of a JPEG/PNG exactly as `classify` sees them before resizing (orientation, black background, b-w). */
export async function greyPixels(file: string, maxSize = 0): Promise<GreyImage> {
  const { default: sharp } = await import("sharp");
  let img = sharp(file, { failOn: "warning" }).rotate().flatten({ background: "#000000" }).toColourspace("b-w");
  if (maxSize > 0) img = img.resize(maxSize, maxSize, { fit: "inside", withoutEnlargement: true });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`${file}: decoded to ${info.channels} channels`);
  return { width: info.width, height: info.height, frames: [new Uint8Array(data.buffer, data.byteOffset, data.length)] };
}

/** Every instance of the set: which patient, study and image, in which encoding. Pure function of the options. */
export function planDataset(o: DicomDatasetOptions): { plan: PlannedInstance[]; elements: Map<string, Record<string, unknown>> } {
  const seed = o.seed ?? 1;
  const sources = sourcesIn(o.source);
  const encodings = encodingsOf(o.encodings);
  const plan: PlannedInstance[] = [];
  const elements = new Map<string, Record<string, unknown>>();
  let n = 0;
  for (let s = 0; s < o.studies; s++) {
    const p = s % o.patients;
    const patientId = `XR${String(100000 + pick(seed, 900000, "pid", p)).padStart(6, "0")}-${p}`;
    const modality = pick(seed, 2, "modality", s) ? "DX" : "CR";
    const studyUid = uidFrom(seed, "study", s);
    const seriesUid = uidFrom(seed, "series", s);
    const instances = 1 + pick(seed, 2, "count", s);
    const day = new Date(Date.UTC(2019, 0, 1) + pick(seed, 2000, "date", s) * 86400000).toISOString().slice(0, 10).replace(/-/g, "");
    for (let k = 0; k < instances; k++, n++) {
      const enc = encodings[n % encodings.length];
      const source = sources[pick(seed, sources.length, "image", s, k)];
      const sopUid = uidFrom(seed, "instance", s, k);
      const file = path.join(patientId, `study-${String(s + 1).padStart(4, "0")}`, `${k + 1}.dcm`);
      plan.push({ file, source, patientId, studyInstanceUid: studyUid, sopInstanceUid: sopUid, transferSyntax: enc.transferSyntax, bits: enc.bits, photometric: enc.photometric });
      elements.set(file, {
        SpecificCharacterSet: "ISO_IR 100",
        ImageType: ["ORIGINAL", "PRIMARY"],
        SOPClassUID: modality === "CR" ? "1.2.840.10008.5.1.4.1.1.1" : "1.2.840.10008.5.1.4.1.1.1.1",
        SOPInstanceUID: sopUid,
        StudyDate: day,
        SeriesDate: day,
        StudyTime: String(80000 + pick(seed, 100000, "time", s)).padStart(6, "0").slice(0, 6),
        AccessionNumber: `A${String(pick(seed, 10 ** 8, "acc", s)).padStart(8, "0")}`,
        Modality: modality,
        Manufacturer: "xray dataset",
        PatientName: [{ Alphabetic: `${FAMILY[pick(seed, FAMILY.length, "fn", p)]}^${GIVEN[pick(seed, GIVEN.length, "gn", p)]}` }],
        PatientID: patientId,
        PatientBirthDate: `${1940 + pick(seed, 70, "by", p)}${String(1 + pick(seed, 12, "bm", p)).padStart(2, "0")}${String(1 + pick(seed, 28, "bd", p)).padStart(2, "0")}`,
        PatientSex: pick(seed, 2, "sex", p) ? "F" : "M",
        BodyPartExamined: "CHEST",
        ViewPosition: k === 0 ? "PA" : "AP",
        StudyInstanceUID: studyUid,
        SeriesInstanceUID: seriesUid,
        StudyID: String(s + 1),
        SeriesNumber: 1,
        InstanceNumber: k + 1,
        PatientOrientation: ["L", "F"],
        BurnedInAnnotation: "NO",
        LossyImageCompression: enc.transferSyntax === TS.jpegBaseline ? "01" : "00",
      });
    }
  }
  return { plan, elements };
}

/**
 * Writes a PACS-like set of DICOM instances made from real chest X-rays: <PatientID>/study-NNNN/K.dcm
 * and .index.csv (hidden, so `xray hash` of the folder sees only instances). Deterministic (same options, same bytes) and resumable: files already there are kept,
 * each new one is written atomically.
 */
export async function generateDicomDataset(out: string, o: DicomDatasetOptions): Promise<DicomDatasetResult> {
  if (!(Number.isSafeInteger(o.studies) && o.studies > 0)) throw new UsageError("--studies must be a whole number above 0");
  if (!(Number.isSafeInteger(o.patients) && o.patients > 0 && o.patients <= o.studies)) throw new UsageError("--patients must be a whole number from 1 to the number of studies");
  const { plan, elements } = planDataset(o);
  fs.mkdirSync(out, { recursive: true });
  const cache = new Map<string, Promise<GreyImage>>();
  let done = 0;
  let written = 0;
  let bytes = 0;
  await mapLimit(plan, o.concurrency ?? 2, async (item) => {
    const dest = path.join(out, item.file);
    const have = fs.statSync(dest, { throwIfNoEntry: false });
    if (have?.isFile() && have.size > 0) bytes += have.size;
    else {
      if (!cache.has(item.source)) {
        if (cache.size >= 32) cache.delete(cache.keys().next().value!); // bounded: a big --source folder is not held in memory
        cache.set(item.source, greyPixels(item.source, o.maxSize ?? 0));
      }
      const img = await cache.get(item.source)!;
      const buf = await writePart10({ ...elements.get(item.file), ...pixelModule(img, { bits: item.bits as 8 | 16, photometric: item.photometric as Encoding["photometric"] }) }, item.transferSyntax);
      writeFileAtomic(dest, buf);
      written += 1;
      bytes += buf.length;
    }
    o.onProgress?.(++done, plan.length);
  });
  const csv = ["file,source,patient_id,study_instance_uid,sop_instance_uid,transfer_syntax,bits,photometric"];
  for (const p of plan) csv.push([p.file.split(path.sep).join("/"), path.relative(o.source, p.source).split(path.sep).join("/"), p.patientId, p.studyInstanceUid, p.sopInstanceUid, p.transferSyntax, p.bits, p.photometric].join(","));
  writeFileAtomic(path.join(out, ".index.csv"), csv.join("\n") + "\n");
  return { out, patients: Math.min(o.patients, o.studies), studies: o.studies, instances: plan.length, written, bytes };
}
