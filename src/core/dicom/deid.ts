import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError, XrayError } from "../../errors";
import { writeFileAtomic } from "../home";
import { dcmjs, type Dataset } from "./codecs";
import { BASIC_PROFILE } from "./deid-profile";
import { readDicom, textValue } from "./parse";

/** The secret UIDs and pseudonyms are derived from: 32 random bytes in the home, made on first use, never printed. */
export function deidSecret(home: string): Buffer {
  const file = path.join(home, "deid-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(home, { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString("hex") + "\n", { flag: "wx", mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err; // another run made it first
    }
  }
  const hex = fs.readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new XrayError(`${file} is damaged (64 hex digits expected); remove it only if no de-identified set must stay linkable`, "DEID_SECRET");
  return Buffer.from(hex, "hex");
}

/** A UID replaced consistently: 2.25.<first 128 bits of HMAC-SHA256(secret, uid)>. Same secret and UID, same result. */
export function remapUid(secret: Buffer, uid: string): string {
  const h = createHmac("sha256", secret).update(`uid:${uid}`).digest("hex").slice(0, 32);
  return `2.25.${BigInt("0x" + h).toString()}`;
}

/** The pseudonym that replaces Patient ID and Patient's Name: "ANON-" and 12 hex digits of HMAC(secret, patient ID). */
export function pseudonym(secret: Buffer, patientId: string): string {
  return `ANON-${createHmac("sha256", secret).update(`patient:${patientId}`).digest("hex").slice(0, 12).toUpperCase()}`;
}

const BASIC_PROFILE_CODE = { CodeValue: "113100", CodingSchemeDesignator: "DCM", CodeMeaning: "Basic Application Confidentiality Profile" };

/** Applies the Basic Profile to one dataset's attributes, in place, sequences included. */
function clean(d: Dataset, secret: Buffer, alias: string): void {
  for (const key of Object.keys(d)) {
    if (key === "_vrMap" || key === "PixelData") continue;
    // Private and unknown tags (dcmjs names them by hex), overlays and curves (60xx, 50xx): removed.
    if (/^[0-9A-F]{8}$/i.test(key)) {
      delete d[key];
      continue;
    }
    const action = BASIC_PROFILE[key.replace(/^RETIRED_/, "")];
    const v = d[key];
    if (action === "X") delete d[key];
    else if (action === "Z") d[key] = "";
    else if (action === "D") d[key] = key === "PatientName" ? [{ Alphabetic: alias }] : alias;
    else if (action === "U" && v) d[key] = Array.isArray(v) ? v.map((u) => remapUid(secret, textValue(u))) : remapUid(secret, textValue(v));
    else if (Array.isArray(v) && v.length && typeof v[0] === "object" && v[0] !== null && !("Alphabetic" in v[0])) {
      for (const item of v) clean(item as Dataset, secret, alias);
    }
  }
}

export interface DeidResult {
  file: string;
  out?: string;
  /** Why it was not written: burned-in annotation, not DICOM ... */
  error?: string;
  code?: string;
  written?: boolean;
}

/** A de-identified instance, in memory: its bytes and what names it (the pseudonym, the new UIDs). */
export interface DeidInstance {
  bytes: Buffer;
  sopInstanceUid: string;
  studyInstanceUid: string;
  pseudonym: string;
  /** The source's UIDs and patient ID: for the local register only, never for the chain or IPFS. */
  source: { sopInstanceUid: string; studyInstanceUid: string; patientId: string };
}

/** The instance's Burned In Annotation refuses it (YES or missing) unless accepted. */
export class BurnedInError extends XrayError {
  override name = "BurnedInError";
  override readonly exitCode = 2;
  constructor(value: string) {
    super(`Burned In Annotation is ${value || "missing"}: the pixels may show identifying text (give --accept-burned-in after checking them)`, "BURNED_IN");
  }
}

/**
 * Applies the Basic Profile to one instance's bytes (same secret, same output bytes). Pixel data
 * is copied as it is, in its transfer syntax. Throws DicomError for what is not a readable
 * instance, BurnedInError when Burned In Annotation is YES or missing, unless `acceptBurnedIn`.
 */
export function deidentifyBytes(buf: Buffer, secret: Buffer, o: { acceptBurnedIn?: boolean } = {}): DeidInstance {
  const inst = readDicom(buf);
  const e = inst.elements;
  const burned = textValue(e.BurnedInAnnotation).toUpperCase();
  if (burned !== "NO" && !o.acceptBurnedIn) throw new BurnedInError(burned);
  const source = { sopInstanceUid: textValue(e.SOPInstanceUID), studyInstanceUid: textValue(e.StudyInstanceUID), patientId: textValue(e.PatientID) };
  const alias = pseudonym(secret, source.patientId);
  clean(e, secret, alias);
  e.PatientIdentityRemoved = "YES";
  e.DeidentificationMethod = "xray deid: DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile";
  e.DeidentificationMethodCodeSequence = [BASIC_PROFILE_CODE];
  e.LongitudinalTemporalInformationModified = "REMOVED";
  const sop = textValue(e.SOPInstanceUID);
  const d = dcmjs().data;
  const meta = { ...inst.meta, MediaStorageSOPInstanceUID: sop, ImplementationVersionName: "XRAY_0_1" };
  const dict = new d.DicomDict(d.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = d.DicomMetaDictionary.denaturalizeDataset(e);
  return { bytes: Buffer.from(dict.write({ fragmentMultiframe: false })), sopInstanceUid: sop, studyInstanceUid: textValue(e.StudyInstanceUID), pseudonym: alias, source };
}

/**
 * De-identifies one instance into `outDir/<new study UID>/<new SOP instance UID>.dcm` (atomic; an
 * existing output, the same by construction, is kept). Refusals and unreadable files come back as errors.
 */
export function deidentifyFile(file: string, outDir: string, secret: Buffer, o: { acceptBurnedIn?: boolean } = {}): DeidResult {
  let r: DeidInstance;
  try {
    r = deidentifyBytes(fs.readFileSync(file), secret, o);
  } catch (err) {
    return { file, error: (err as Error).message, code: (err as XrayError).code ?? "DICOM_INVALID" };
  }
  const out = path.join(outDir, r.studyInstanceUid || "study", `${r.sopInstanceUid}.dcm`);
  if (fs.statSync(out, { throwIfNoEntry: false })?.isFile()) return { file, out, written: false };
  writeFileAtomic(out, r.bytes);
  return { file, out, written: true };
}

/** Checks the output folder before any work: a file there is refused. */
export function checkDeidOut(outDir: string): void {
  const st = fs.statSync(outDir, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new UsageError(`--out ${outDir} is a file: give a folder`);
}
