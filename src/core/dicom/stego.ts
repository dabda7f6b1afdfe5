/**
 * Steganography on DICOM: the patient data hidden in the least significant bit of the stored
 * pixel samples (the frame format of src/core/imaging/stego.ts), written as a new, derived
 * instance: a new SOP Instance UID, Image Type DERIVED\SECONDARY, the source referenced in
 * Source Image Sequence, pixels uncompressed (explicit VR little endian, since a lossy codec
 * would destroy the hidden bits). The source instance is never changed under its own UID.
 */
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import { XrayError } from "../../errors";
import { embedBits, extractFile, FRAME_OVERHEAD, measureDistortion, readFrame, type StegoFrame } from "../imaging/stego";
import { uidFrom, writePart10 } from "./build";
import { TS, type Dataset } from "./codecs";
import { isDicomBytes } from "./dicom-file";
import { instanceDigests, type DicomDigests } from "./digests";
import { DicomError, readDicom, textValue, type DicomInstance } from "./parse";
import { decodeSamples, type ImageSamples } from "./pixels";


/** The stored sample values (masked to Bits Stored) as an array embedBits can change in place. */
function storedValues(s: ImageSamples): Uint8Array | Uint16Array {
  if (s.bitsStored > 16) throw new DicomError(`hiding data needs at most 16 bits stored, this image has ${s.bitsStored}`, "DICOM_UNSUPPORTED");
  const mask = 2 ** s.bitsStored - 1;
  const out = s.bitsStored <= 8 ? new Uint8Array(s.samples.length) : new Uint16Array(s.samples.length);
  for (let i = 0; i < out.length; i++) out[i] = s.samples[i] & mask;
  return out;
}

export interface DicomStegoResult {
  /** The derived instance's bytes. */
  bytes: Buffer;
  source: DicomDigests;
  derived: DicomDigests;
  capacityBytes: number;
  payloadBytes: number;
  maxDiff: number;
  psnr: number | null;
}

/** What a derived instance says of its source and of how it was made. */
function derivedElements(e: Dataset, s: ImageSamples, stored: Uint8Array | Uint16Array, sopUid: string): Dataset {
  const pixels = s.bitsAllocated === 8 ? Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength) : Buffer.alloc(stored.length * 2);
  if (s.bitsAllocated !== 8) for (let i = 0; i < stored.length; i++) pixels.writeUInt16LE(stored[i], i * 2);
  const out: Dataset = { ...e };
  delete out.PlanarConfiguration;
  return {
    ...out,
    ImageType: ["DERIVED", "SECONDARY"],
    SOPInstanceUID: sopUid,
    DerivationDescription: "xray stego: data hidden in the least significant bit of the stored pixel samples",
    SourceImageSequence: [{ ReferencedSOPClassUID: textValue(e.SOPClassUID), ReferencedSOPInstanceUID: textValue(e.SOPInstanceUID) }],
    ...(s.samplesPerPixel > 1 ? { PlanarConfiguration: 0 } : {}),
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.length)],
    _vrMap: { ...(e._vrMap ?? {}), PixelData: s.bitsAllocated === 8 ? "OB" : "OW" },
  };
}

/**
 * Hides `payload` in a copy of the instance's pixels and returns the derived instance, read
 * back and checked before it is returned. The new SOP Instance UID is derived from the source's
 * and the hidden frame, so the same payload in the same source gives the same instance.
 * @throws DicomError for what is not a readable grey instance, XrayError STEGO_CAPACITY / STEGO_VERIFY
 */
export async function embedDicom(buf: Buffer, payload: Uint8Array, o: { encrypted?: boolean } = {}): Promise<DicomStegoResult> {
  const inst = readDicom(buf);
  const s = await decodeSamples(inst);
  if (!/^MONOCHROME[12]$/.test(s.photometricInterpretation) || s.samplesPerPixel !== 1) {
    throw new DicomError(`hiding data works on grey images (MONOCHROME1/2); this one is ${s.photometricInterpretation}`, "DICOM_UNSUPPORTED");
  }
  if (s.bitsAllocated === 32) throw new DicomError("hiding data needs 8 or 16 bits allocated, this image has 32", "DICOM_UNSUPPORTED");
  const original = storedValues(s);
  const stored = original.slice();
  embedBits(stored, payload, { encrypted: o.encrypted });
  const sopUid = uidFrom("xray-stego/1", textValue(inst.elements.SOPInstanceUID), createHash("sha256").update(payload).digest("hex"), o.encrypted ? 1 : 0);
  const bytes = await writePart10(derivedElements(inst.elements, s, stored, sopUid), TS.explicit);
  const back = readDicom(bytes);
  const frame = readFrame(storedValues(await decodeSamples(back)));
  if (!Buffer.from(frame.payload).equals(payload) || frame.encrypted !== Boolean(o.encrypted)) {
    throw new XrayError("the derived instance written does not read back the hidden data; nothing was returned", "STEGO_VERIFY");
  }
  const { maxDiff, psnr } = measureDistortion(original, stored, s.bitsStored <= 8 ? 8 : 16);
  const [source, derived] = await Promise.all([instanceDigests(inst), instanceDigests(back)]);
  return { bytes, source, derived, capacityBytes: Math.max(0, Math.floor(stored.length / 8) - FRAME_OVERHEAD), payloadBytes: payload.length, maxDiff, psnr };
}

/** Reads the frame hidden in a DICOM instance's pixels. */
export async function extractDicom(inst: DicomInstance): Promise<StegoFrame> {
  return readFrame(storedValues(await decodeSamples(inst)));
}

/** The hidden frame of an image file or its bytes, DICOM or not (PNG, ...). */
export async function extractAny(input: string | Buffer): Promise<StegoFrame & { format: string }> {
  const buf = typeof input === "string" && fs.existsSync(input) && fs.statSync(input).isFile() ? fs.readFileSync(input) : input;
  if (Buffer.isBuffer(buf) && isDicomBytes(buf)) return { ...(await extractDicom(readDicom(buf))), format: "dicom" };
  return extractFile(buf);
}
