import type { DicomShareResult } from "../../core/dicom/share";
import { safeText } from "../../core/text";

/** What `xray upload` of a DICOM instance adds to its report: the digests, the de-identification, the hidden data and its anchoring. */
export function dicomUploadExtra(r: DicomShareResult): { json: Record<string, unknown>; details: string } {
  const { digests: d, deid, embedded } = r.dicom;
  const dicom = {
    contentSha256: d.contentSha256,
    identitySha256: d.identitySha256,
    sopInstanceUid: d.sopInstanceUid,
    studyInstanceUid: d.studyInstanceUid,
    seriesInstanceUid: d.seriesInstanceUid,
    sopClassUid: d.sopClassUid,
    transferSyntaxUid: d.transferSyntaxUid,
    sourceSha256: r.dicom.sourceSha256,
  };
  const json: Record<string, unknown> = { dicom };
  let details = `DICOM ${d.sopInstanceUid}: content ${d.contentSha256}, identity ${d.identitySha256}\n`;
  if (deid) {
    json.deidentified = { pseudonym: deid.pseudonym, sourceSopInstanceUid: deid.source.sopInstanceUid, register: r.register };
    details = `de-identified (PS3.15 Basic Profile) as ${deid.pseudonym}: only the copy was shared; the mapping stays in ${safeText(r.register ?? "")}\n` + details;
  }
  if (embedded) {
    json.embedded = { payloadBytes: embedded.payloadBytes, capacityBytes: embedded.capacityBytes, maxDiff: embedded.maxDiff, psnr: embedded.psnr, sourceSopInstanceUid: embedded.source.sopInstanceUid };
    json.anchored = { hashes: r.dicom.anchor, sent: r.anchored?.sent ?? 0, alreadyAnchored: r.anchored?.alreadyAnchored ?? 0, records: r.dicom.anchor.map((h) => r.anchored?.indexes.get(h) ?? null) };
    details =
      `patient data hidden in a derived instance ${embedded.derived.sopInstanceUid} (source ${embedded.source.sopInstanceUid} unchanged): ${embedded.payloadBytes} bytes, max sample change ${embedded.maxDiff}\n` +
      `anchored as X-ray records: the source's file, content and identity digests and the derived instance's (${r.anchored?.sent ?? 0} new)\n` +
      details;
  }
  return { json, details };
}
