import { createHash } from "node:crypto";
import { codecs, dcmjs, TS, type Dataset } from "./codecs";

/** How an image is stored: transfer syntax, 8 or 16 bits allocated, photometric interpretation. */
export interface Encoding {
  transferSyntax: string;
  bits: 8 | 16;
  photometric: "MONOCHROME1" | "MONOCHROME2";
}

/** The 8-bit grey pixels of one or more frames, row by row. */
export interface GreyImage {
  width: number;
  height: number;
  frames: Uint8Array[];
}

/** A DICOM UID under 2.25 (a UUID-derived root, PS3.5 B.2) made from `parts`: same parts, same UID. */
export function uidFrom(...parts: (string | number)[]): string {
  const hex = createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
  return `2.25.${BigInt("0x" + hex).toString()}`;
}

/** The 12-bit value an 8-bit grey value becomes in a 16-bit image: 0 -> 0, 255 -> 4095. */
export const to12 = (v: number) => v * 16 + (v >> 4);

/**
 * The pixel attributes and Pixel Data of a grey image in `enc`: 8 bits stored, or 12 bits
 * stored in 16 allocated; MONOCHROME1 stores the inverse. Window Center/Width map the stored
 * values back onto the 8-bit grey values exactly (DICOM's linear window function).
 */
export function pixelModule(img: GreyImage, enc: Pick<Encoding, "bits" | "photometric">): Dataset {
  const n = img.width * img.height;
  const max = enc.bits === 8 ? 255 : 4095;
  const invert = enc.photometric === "MONOCHROME1";
  const frameBytes = n * (enc.bits / 8);
  const pixels = Buffer.alloc(frameBytes * img.frames.length);
  img.frames.forEach((frame, f) => {
    for (let i = 0; i < n; i++) {
      const v = enc.bits === 8 ? frame[i] : to12(frame[i]);
      const stored = invert ? max - v : v;
      if (enc.bits === 8) pixels[f * frameBytes + i] = stored;
      else pixels.writeUInt16LE(stored, f * frameBytes + i * 2);
    }
  });
  return {
    SamplesPerPixel: 1,
    PhotometricInterpretation: enc.photometric,
    ...(img.frames.length > 1 ? { NumberOfFrames: img.frames.length } : {}),
    Rows: img.height,
    Columns: img.width,
    BitsAllocated: enc.bits,
    BitsStored: enc.bits === 8 ? 8 : 12,
    HighBit: enc.bits === 8 ? 7 : 11,
    PixelRepresentation: 0,
    WindowCenter: enc.bits === 8 ? 128 : 2048,
    WindowWidth: enc.bits === 8 ? 256 : 4096,
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.length)],
    _vrMap: { PixelData: enc.bits === 8 ? "OB" : "OW" },
  };
}

/** Encoding parameters for dcmjs-codecs: lossless everywhere but JPEG baseline. */
const PARAMETERS: Record<string, Record<string, unknown>> = {
  [TS.jpegBaseline]: { quality: 90 },
  [TS.jpegLs]: { allowedLossyError: 0 },
  [TS.j2kLossless]: { lossy: false },
};

/**
 * A DICOM Part 10 file of `elements` (naturalized, pixels uncompressed) in `transferSyntax`:
 * compressed syntaxes are encoded by dcmjs-codecs (RLE, JPEG, JPEG-LS, JPEG 2000).
 */
export async function writePart10(elements: Dataset, transferSyntax: string): Promise<Buffer> {
  const c = await codecs();
  const t = new c.Transcoder({ ...elements }, TS.explicit);
  if (transferSyntax !== TS.explicit) t.transcode(transferSyntax, PARAMETERS[transferSyntax] ?? {});
  // A lossy encoder gives the image a new random SOP Instance UID (PS3.3 C.12.1.1.1); the caller
  // makes the instance, born lossy, so it keeps the UID it was given (and the set stays deterministic).
  const out: Dataset = { ...t.getElements(), SOPInstanceUID: elements.SOPInstanceUID };
  if (transferSyntax !== TS.explicit && transferSyntax !== TS.implicit) {
    // Encapsulated pixel data is OB, each fragment of even length (PS3.5 A.4): a codec's odd-length
    // frame gets one 0 byte after it, which RLE, JPEG, JPEG-LS and JPEG 2000 decoders all ignore.
    out.PixelData = (out.PixelData as ArrayBuffer[]).map((f) => (f.byteLength % 2 ? concatPad(f) : f));
    out._vrMap = { ...(out._vrMap ?? {}), PixelData: "OB" };
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: elements.SOPClassUID,
    MediaStorageSOPInstanceUID: elements.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: uidFrom("xray", "implementation"),
    ImplementationVersionName: "XRAY_0_1",
  };
  const d = dcmjs().data;
  const dict = new d.DicomDict(d.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = d.DicomMetaDictionary.denaturalizeDataset(out);
  return Buffer.from(dict.write({ fragmentMultiframe: false }));
}

function concatPad(frame: ArrayBuffer): ArrayBuffer {
  const padded = new Uint8Array(frame.byteLength + 1);
  padded.set(new Uint8Array(frame));
  return padded.buffer;
}
