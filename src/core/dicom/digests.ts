import { createHash } from "node:crypto";
import * as os from "node:os";
import { readDicom, textValue, type DicomInstance } from "./parse";
import { decodeSamples, type ImageSamples } from "./pixels";

/**
 * The digests of one DICOM instance, as docs/dicom-digests.md defines them: the content digest
 * (pixels and the attributes that define the image) and the identity digest (the attributes that
 * tie the image to a patient and a study), with the UIDs that name it.
 */
export interface DicomDigests {
  contentSha256: string;
  identitySha256: string;
  /** One short digest per identity attribute (16 hex digits), to name what changed without keeping the values. */
  identityParts: Record<string, string>;
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
}

export const CONTENT_FORMAT = "xray-dicom-content/1";
export const IDENTITY_FORMAT = "xray-dicom-identity/1";

/** The identity attributes, in canonical order: [tag, keyword]. */
export const IDENTITY_ATTRIBUTES: [string, string][] = [
  ["0008,0020", "StudyDate"],
  ["0008,0030", "StudyTime"],
  ["0008,0050", "AccessionNumber"],
  ["0008,0060", "Modality"],
  ["0010,0010", "PatientName"],
  ["0010,0020", "PatientID"],
  ["0010,0030", "PatientBirthDate"],
  ["0010,0040", "PatientSex"],
  ["0018,0015", "BodyPartExamined"],
  ["0018,5101", "ViewPosition"],
  ["0020,000D", "StudyInstanceUID"],
  ["0020,000E", "SeriesInstanceUID"],
  ["0020,0060", "Laterality"],
  ["0020,0062", "ImageLaterality"],
];

/** The text that precedes the samples in the content digest. */
export function contentHeader(elements: DicomInstance["elements"], s: ImageSamples): string {
  return [
    CONTENT_FORMAT,
    `0008,0016=${textValue(elements.SOPClassUID)}`,
    `0008,0018=${textValue(elements.SOPInstanceUID)}`,
    `0028,0002=${s.samplesPerPixel}`,
    `0028,0004=${s.photometricInterpretation}`,
    `0028,0008=${s.frames}`,
    `0028,0010=${s.rows}`,
    `0028,0011=${s.columns}`,
    `0028,0101=${s.bitsStored}`,
    `0028,0103=${s.pixelRepresentation}`,
    "",
    "",
  ].join("\n");
}

/** Bytes per sample in the canonical stream: 1 up to 8 bits stored, 2 up to 16, else 4. */
export const sampleWidth = (bitsStored: number) => (bitsStored <= 8 ? 1 : bitsStored <= 16 ? 2 : 4);

/** SHA-256 of the content header and every sample, little endian two's complement. */
export function contentDigest(elements: DicomInstance["elements"], s: ImageSamples): string {
  const h = createHash("sha256").update(contentHeader(elements, s), "utf8");
  const w = sampleWidth(s.bitsStored);
  // Typed arrays of the canonical width are already the canonical little-endian bytes.
  if (s.samples.BYTES_PER_ELEMENT === w && w <= 2 && os.endianness() === "LE") {
    return h.update(new Uint8Array(s.samples.buffer, s.samples.byteOffset, s.samples.byteLength)).digest("hex");
  }
  const chunk = Buffer.allocUnsafe(w * 65536);
  for (let i = 0; i < s.samples.length; i += 65536) {
    const n = Math.min(65536, s.samples.length - i);
    for (let k = 0; k < n; k++) {
      const v = s.samples[i + k];
      if (w === 1) chunk[k] = v & 0xff;
      else if (w === 2) chunk.writeUInt16LE(v & 0xffff, k * 2);
      else chunk.writeInt32LE(v, k * 4);
    }
    h.update(chunk.subarray(0, n * w));
  }
  return h.digest("hex");
}

/** The identity attributes' canonical lines: "gggg,eeee=value". */
export function identityLines(elements: DicomInstance["elements"]): string[] {
  return IDENTITY_ATTRIBUTES.map(([tag, keyword]) => `${tag}=${textValue(elements[keyword])}`);
}

export function identityDigest(elements: DicomInstance["elements"]): { sha256: string; parts: Record<string, string> } {
  const lines = identityLines(elements);
  const sha256 = createHash("sha256").update([IDENTITY_FORMAT, ...lines, ""].join("\n"), "utf8").digest("hex");
  const parts: Record<string, string> = {};
  lines.forEach((line, i) => (parts[IDENTITY_ATTRIBUTES[i][1]] = createHash("sha256").update(line, "utf8").digest("hex").slice(0, 16)));
  return { sha256, parts };
}

/** Both digests and the UIDs of a parsed instance. */
export async function instanceDigests(inst: DicomInstance): Promise<DicomDigests> {
  const samples = await decodeSamples(inst);
  const e = inst.elements;
  const identity = identityDigest(e);
  return {
    contentSha256: contentDigest(e, samples),
    identitySha256: identity.sha256,
    identityParts: identity.parts,
    sopInstanceUid: textValue(e.SOPInstanceUID),
    sopClassUid: textValue(e.SOPClassUID),
    studyInstanceUid: textValue(e.StudyInstanceUID),
    seriesInstanceUid: textValue(e.SeriesInstanceUID),
    transferSyntaxUid: inst.transferSyntax,
  };
}

/** Digests of a DICOM file's bytes. */
export function dicomDigests(buf: Buffer): Promise<DicomDigests> {
  return instanceDigests(readDicom(buf));
}

/** The identity attributes whose part digests differ between two instances. */
export function changedIdentity(a: Record<string, string>, b: Record<string, string>): string[] {
  return IDENTITY_ATTRIBUTES.map(([, k]) => k).filter((k) => a[k] !== b[k]);
}
