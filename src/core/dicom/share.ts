/**
 * DICOM through `xray upload`: what is shared (the instance as it is, its de-identified copy,
 * or a derived instance with the patient data hidden in its pixels), the digests the upload
 * reports, and the extra digests anchored beside the share (docs/dicom-sharing.md).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { UsageError } from "../../errors";
import { anchorRecords, type AnchorRecordsResult } from "../chain/actions/anchor-records";
import { uploadImage, type UploadResult } from "../share-upload";
import { DeidRegister } from "./deid-register";
import { deidentifyBytes, deidSecret, type DeidInstance } from "./deid";
import { dicomDigests, type DicomDigests } from "./digests";
import { embedDicom, type DicomStegoResult } from "./stego";

export interface DicomUpload {
  /** The bytes to upload instead of the file's (a de-identified or derived instance); undefined: the file. */
  data?: Buffer;
  /** The digests of what is uploaded. */
  digests: DicomDigests;
  /** The file's SHA-256. */
  sourceSha256: string;
  deid?: DeidInstance;
  embedded?: DicomStegoResult;
  /** SHA-256s anchored as X-ray records beside the share (the source's file, content and identity digests, the derived instance's). */
  anchor: string[];
}

/**
 * Prepares a DICOM instance for upload. `deidentify`: only the PS3.15 Basic Profile copy is
 * shared (same secret and UID remap as `xray deid`; burned-in refused unless accepted).
 * `embed`: the payload is hidden in a derived instance, and the source's and the derived
 * instance's digests are anchored too.
 */
export async function prepareDicomUpload(
  file: string,
  o: { home: string; deidentify?: boolean; acceptBurnedIn?: boolean; embed?: Uint8Array },
): Promise<DicomUpload> {
  if (o.deidentify && o.embed) throw new UsageError("--embed hides the patient's data in the pixels, --deidentify removes it: give one of them");
  const buf = fs.readFileSync(file);
  const sourceSha256 = createHash("sha256").update(buf).digest("hex");
  if (o.deidentify) {
    const deid = deidentifyBytes(buf, deidSecret(o.home), { acceptBurnedIn: o.acceptBurnedIn });
    return { data: deid.bytes, digests: await dicomDigests(deid.bytes), sourceSha256, deid, anchor: [] };
  }
  if (o.embed) {
    const embedded = await embedDicom(buf, o.embed);
    const { source, derived } = embedded;
    const anchor = [...new Set([sourceSha256, source.contentSha256, source.identitySha256, derived.contentSha256, derived.identitySha256])];
    return { data: embedded.bytes, digests: derived, sourceSha256, embedded, anchor };
  }
  return { digests: await dicomDigests(buf), sourceSha256, anchor: [] };
}

export interface DicomShareResult extends UploadResult {
  dicom: DicomUpload;
  /** The X-ray records of `dicom.anchor` (embed). */
  anchored?: AnchorRecordsResult;
  /** The local register that keeps the de-identification's mapping. */
  register?: string;
}

/**
 * `xray upload` of a DICOM instance: prepares it (as is, de-identified, or derived with hidden
 * data), keeps a de-identification's mapping in the local register (pending before anything is
 * sent, completed once the share is mined), and uploads; an embed's extra digests are anchored first.
 */
export async function shareDicom(
  p: Omit<Parameters<typeof uploadImage>[0], "data"> & { home: string; part: string; deidentify?: boolean; acceptBurnedIn?: boolean; embed?: Uint8Array; prepared?: DicomUpload },
): Promise<DicomShareResult> {
  const dicom = p.prepared ?? (await prepareDicomUpload(p.image, p));
  const upload = () => uploadImage({ ...p, data: dicom.data });
  if (dicom.deid) {
    const reg = await DeidRegister.open(p.home);
    try {
      const d = dicom.deid;
      reg.pending({
        deid_sop_uid: d.sopInstanceUid, deid_study_uid: d.studyInstanceUid, deid_sha256: createHash("sha256").update(d.bytes).digest("hex"), pseudonym: d.pseudonym, receiver: p.receiver,
        source_sop_uid: d.source.sopInstanceUid, source_study_uid: d.source.studyInstanceUid, source_patient_id: d.source.patientId, source_sha256: dicom.sourceSha256, source_file: p.image,
      });
      const r = await upload();
      reg.shared(d.sopInstanceUid, p.receiver, r.cid, r.outcome.tx.hash);
      return { ...r, dicom, register: reg.file };
    } finally {
      reg.close();
    }
  }
  // Anchored first: a rerun after a kill finds them recorded (skipped) and the share still to do.
  const anchored = dicom.anchor.length ? await anchorRecords(p.ctx, dicom.anchor, { from: p.from, part: p.part }) : undefined;
  return { ...(await upload()), dicom, anchored };
}
