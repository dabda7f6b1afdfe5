import * as os from "node:os";
import { codecs, TS } from "./codecs";
import { DicomError, intValue, textValue, type DicomInstance } from "./parse";

/** The attributes that describe the pixel matrix. */
export interface ImageGeometry {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  frames: number;
}

/**
 * Decoded pixel samples in the canonical order: frame by frame, row by row, pixel by pixel,
 * sample by sample (interleaved whatever the planar configuration), each masked to Bits Stored
 * and sign-extended when Pixel Representation is 1.
 */
export interface ImageSamples extends ImageGeometry {
  samples: Int32Array | Uint8Array | Uint16Array | Int8Array | Int16Array;
}

export function geometry(e: DicomInstance["elements"]): ImageGeometry {
  if (e.PixelData === undefined) throw new DicomError("no pixel data in this DICOM instance", "DICOM_INVALID");
  const g: ImageGeometry = {
    rows: intValue(e.Rows),
    columns: intValue(e.Columns),
    samplesPerPixel: intValue(e.SamplesPerPixel, 1),
    bitsAllocated: intValue(e.BitsAllocated),
    bitsStored: intValue(e.BitsStored, intValue(e.BitsAllocated)),
    pixelRepresentation: intValue(e.PixelRepresentation, 0),
    photometricInterpretation: textValue(e.PhotometricInterpretation),
    frames: intValue(e.NumberOfFrames, 1),
  };
  if (![8, 16, 32].includes(g.bitsAllocated)) throw new DicomError(`unsupported Bits Allocated ${g.bitsAllocated} (xray reads 8, 16 and 32)`, "DICOM_UNSUPPORTED");
  if (!(g.bitsStored >= 1 && g.bitsStored <= g.bitsAllocated)) throw new DicomError(`bad Bits Stored ${g.bitsStored}`, "DICOM_INVALID");
  if (!(g.rows > 0 && g.columns > 0 && g.frames > 0 && (g.samplesPerPixel === 1 || g.samplesPerPixel === 3))) throw new DicomError("bad image size or samples per pixel", "DICOM_INVALID");
  return g;
}

function concat(parts: ArrayBuffer[] | ArrayBuffer | Uint8Array): Buffer {
  if (!Array.isArray(parts)) return Buffer.from(parts instanceof Uint8Array ? parts : new Uint8Array(parts));
  return Buffer.concat(parts.map((p) => new Uint8Array(p)));
}

/** Decodes the pixel data of any transfer syntax xray reads into canonical samples. */
export async function decodeSamples(inst: DicomInstance): Promise<ImageSamples> {
  const g = geometry(inst.elements);
  let raw: Buffer;
  let planar = intValue(inst.elements.PlanarConfiguration, 0);
  const compressed = inst.transferSyntax !== TS.explicit && inst.transferSyntax !== TS.implicit;
  if (!compressed) {
    raw = concat(inst.elements.PixelData);
  } else if (inst.transferSyntax === TS.jpegLossless) {
    raw = decodeJpegLossless(inst.elements.PixelData, g);
  } else {
    const c = await codecs();
    let decoded: Record<string, unknown>;
    try {
      const t = new c.Transcoder({ ...inst.elements }, inst.transferSyntax);
      t.transcode(TS.explicit);
      decoded = t.getElements();
    } catch (err) {
      throw new DicomError(`cannot decode the ${inst.transferSyntax} pixel data: ${(err as Error).message ?? err}`, "DICOM_INVALID", { cause: err });
    }
    raw = concat(decoded.PixelData as ArrayBuffer[]);
    planar = intValue(decoded.PlanarConfiguration, 0);
  }
  const perFrame = g.rows * g.columns * g.samplesPerPixel;
  const count = perFrame * g.frames;
  const bytes = g.bitsAllocated / 8;
  if (raw.length < count * bytes) throw new DicomError(`pixel data holds ${raw.length} bytes, the image needs ${count * bytes}`, "DICOM_TRUNCATED");
  // dcmjs-codecs pads each decoded frame of odd length to an even one: step over the pad byte.
  const frameBytes = perFrame * bytes;
  const stride = compressed && frameBytes % 2 === 1 && raw.length >= g.frames * (frameBytes + 1) ? frameBytes + 1 : frameBytes;
  const fast = stride === frameBytes && (planar !== 1 || g.samplesPerPixel === 1) && bytes <= 2 && os.endianness() === "LE";
  if (fast) return { ...g, samples: packed(raw, g, count) };
  const at = (i: number) => Math.floor(i / perFrame) * stride + (i % perFrame) * bytes;
  const samples = new Int32Array(count);
  const mask = g.bitsStored === 32 ? 0xffffffff : 2 ** g.bitsStored - 1;
  const signBit = 2 ** (g.bitsStored - 1);
  const read = bytes === 1 ? (i: number) => raw[at(i)] : bytes === 2 ? (i: number) => raw.readUInt16LE(at(i)) : (i: number) => raw.readUInt32LE(at(i));
  const spp = g.samplesPerPixel;
  const pixels = g.rows * g.columns;
  for (let i = 0; i < count; i++) {
    // Canonical index i -> stored index: planar configuration 1 stores each colour plane in turn per frame.
    let src = i;
    if (planar === 1 && spp > 1) {
      const f = Math.floor(i / perFrame);
      const r = i - f * perFrame;
      src = f * perFrame + (r % spp) * pixels + Math.floor(r / spp);
    }
    let v = (read(src) & mask) >>> 0;
    if (g.pixelRepresentation === 1 && v >= signBit) v -= 2 * signBit;
    samples[i] = v;
  }
  return { ...g, samples };
}

/**
 * The common case, without a per-sample function call: 8 or 16 bits allocated, frames back to
 * back, samples interleaved. The bytes are copied into an aligned typed array of the canonical
 * width, then masked to Bits Stored and sign-extended in place.
 */
function packed(raw: Buffer, g: ImageGeometry, count: number): ImageSamples["samples"] {
  const signed = g.pixelRepresentation === 1;
  const bits = g.bitsStored;
  if (g.bitsAllocated === 8) {
    const a = signed ? new Int8Array(count) : new Uint8Array(count);
    new Uint8Array(a.buffer).set(raw.subarray(0, count));
    if (bits < 8) for (let i = 0; i < count; i++) a[i] = signExtend(a[i] & ((1 << bits) - 1), bits, signed);
    return a;
  }
  const copy = new Uint8Array(count * 2);
  copy.set(raw.subarray(0, count * 2));
  // Up to 8 bits stored in 16 allocated: the canonical width is 1 byte.
  if (bits <= 8) {
    const src = new Uint16Array(copy.buffer);
    const a = signed ? new Int8Array(count) : new Uint8Array(count);
    for (let i = 0; i < count; i++) a[i] = signExtend(src[i] & ((1 << bits) - 1), bits, signed);
    return a;
  }
  const a = signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  if (bits < 16) for (let i = 0; i < count; i++) a[i] = signExtend(a[i] & ((1 << bits) - 1), bits, signed);
  return a;
}

const signExtend = (v: number, bits: number, signed: boolean) => (signed && v >= 1 << (bits - 1) ? v - (1 << bits) : v);

/**
 * JPEG lossless, process 14 with any predictor (1.2.840.10008.1.2.4.57), which dcmjs-codecs does not
 * transcode: each frame through jpeg-lossless-decoder-js (loaded on first use).
 */
function decodeJpegLossless(frames: ArrayBuffer[], g: ImageGeometry): Buffer {
  if (!Array.isArray(frames) || frames.length !== g.frames) throw new DicomError(`JPEG lossless pixel data in ${frames?.length} fragments for ${g.frames} frames: not supported`, "DICOM_UNSUPPORTED");
  const { Decoder } = require("jpeg-lossless-decoder-js") as { Decoder: new () => { decode(b: ArrayBuffer, offset: number, length: number, bytes: number): ArrayBufferView } };
  return Buffer.concat(
    frames.map((f) => {
      try {
        const out = new Decoder().decode(f, 0, f.byteLength, g.bitsAllocated / 8);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      } catch (err) {
        throw new DicomError(`cannot decode the JPEG lossless pixel data: ${(err as Error).message ?? err}`, "DICOM_INVALID", { cause: err });
      }
    }),
  );
}
