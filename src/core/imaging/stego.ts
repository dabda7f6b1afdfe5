import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type { Sharp } from "sharp";
import { UsageError, XrayError } from "../../errors";

/**
 * Least-significant-bit steganography: a payload hidden in the lowest bit of every sample of
 * an image, so no sample moves by more than one level. The bits form a frame:
 *
 *   offset  size  field
 *   0       4     magic "XRSG"
 *   4       1     version (1)
 *   5       1     flags: bit 0 = the payload is encrypted; the other bits are 0
 *   6       4     payload length in bytes, uint32 big-endian
 *   10      n     payload
 *   10+n    8     the first 8 bytes of SHA-256(header + payload)
 *
 * Bits are written most significant first, one bit per sample, from the first sample in
 * row-major order (pixel by pixel, channel by channel), and only as many samples as the frame
 * needs; the rest of the image is left untouched. Sequential order keeps reading simple and
 * cheap; spreading the bits would hide them no better from anyone who knows the format.
 */

/** Decoded samples: 8-bit, or 16-bit when the input has 16-bit samples (16-bit PNG or TIFF). */
export type Samples = Uint8Array | Uint16Array;

/** "XRSG": xray stego. */
const MAGIC = Uint8Array.of(0x58, 0x52, 0x53, 0x47);
/** The frame version this code writes and reads. */
export const FRAME_VERSION = 1;
/** magic, version, flags, length. */
export const HEADER_BYTES = 10;
/**
 * A truncated SHA-256. It detects damage, not forgery: anyone can recompute a checksum, so
 * 32 bytes would protect no better than 8, and 2^-64 is a negligible chance for damaged
 * bits to pass. Authenticity comes from the encryption or the hash recorded on chain.
 */
export const CHECKSUM_BYTES = 8;
/** Bytes of each image's capacity the frame takes besides the payload. */
export const FRAME_OVERHEAD = HEADER_BYTES + CHECKSUM_BYTES;
const FLAG_ENCRYPTED = 0x01;

export interface EmbedBitsOptions {
  /** Marks the payload as already encrypted by the caller (this code only carries the flag). */
  encrypted?: boolean;
}

/** A payload read from an image. */
export interface StegoFrame {
  payload: Uint8Array;
  encrypted: boolean;
}

/**
 * Bytes of payload an image of this size can carry: one bit per sample, less the frame's
 * header and checksum; 0 when it cannot hold even an empty frame.
 * @example capacityOf(1024, 1024, 1) // 131054
 */
export function capacityOf(width: number, height: number, channels: number): number {
  return Math.max(0, Math.floor((width * height * channels) / 8) - FRAME_OVERHEAD);
}

function capacityError(asked: number, fits: number, where: string): XrayError {
  return new XrayError(
    `the payload is ${asked} bytes but ${where} holds at most ${fits} bytes (1 bit per sample, less ${FRAME_OVERHEAD} bytes of header and checksum)`,
    "STEGO_CAPACITY",
  );
}

function checksum(headerAndPayload: Uint8Array): Uint8Array {
  return createHash("sha256").update(headerAndPayload).digest().subarray(0, CHECKSUM_BYTES);
}

/**
 * Writes the frame carrying `payload` into the lowest bits of `samples`, in place.
 * @param samples decoded pixels, row-major, no alpha; changed in place, by at most 1 each
 * @returns the number of samples the frame occupies (from the first)
 * @throws XrayError STEGO_CAPACITY when the frame does not fit
 * @example embedBits(pixels, new TextEncoder().encode("hello"), { encrypted: false })
 */
export function embedBits(samples: Samples, payload: Uint8Array, options: EmbedBitsOptions = {}): number {
  const { encrypted = false } = options;
  const fits = Math.max(0, Math.floor(samples.length / 8) - FRAME_OVERHEAD);
  if (payload.length > fits) throw capacityError(payload.length, fits, `an image of ${samples.length} samples`);
  const frame = new Uint8Array(HEADER_BYTES + payload.length + CHECKSUM_BYTES);
  frame.set(MAGIC, 0);
  frame[4] = FRAME_VERSION;
  frame[5] = encrypted ? FLAG_ENCRYPTED : 0;
  new DataView(frame.buffer).setUint32(6, payload.length, false);
  frame.set(payload, HEADER_BYTES);
  frame.set(checksum(frame.subarray(0, HEADER_BYTES + payload.length)), HEADER_BYTES + payload.length);
  for (let i = 0; i < frame.length; i++) {
    for (let b = 0; b < 8; b++) {
      const k = i * 8 + b;
      samples[k] = (samples[k] & ~1) | ((frame[i] >> (7 - b)) & 1);
    }
  }
  return frame.length * 8;
}

/** `count` bytes from the lowest bits of `samples`, starting at byte `offset` of the frame. */
function readBytes(samples: Samples, offset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let byte = 0;
    const k = (offset + i) * 8;
    for (let b = 0; b < 8; b++) byte = (byte << 1) | (samples[k + b] & 1);
    out[i] = byte;
  }
  return out;
}

/**
 * Reads the frame hidden by {@link embedBits}.
 * @throws XrayError STEGO_NO_PAYLOAD when there is no frame (no magic), STEGO_DAMAGED when a
 *   frame is there but its length is impossible or its checksum does not match, STEGO_VERSION
 *   when it is a format this code does not read
 * @example new TextDecoder().decode(readFrame(pixels).payload)
 */
export function readFrame(samples: Samples): StegoFrame {
  const fits = Math.floor(samples.length / 8) - FRAME_OVERHEAD;
  if (fits < 0) throw new XrayError("no hidden data in this image (it is too small to hold any)", "STEGO_NO_PAYLOAD");
  const header = readBytes(samples, 0, HEADER_BYTES);
  if (MAGIC.some((m, i) => header[i] !== m)) throw new XrayError("no hidden data in this image", "STEGO_NO_PAYLOAD");
  if (header[4] !== FRAME_VERSION) {
    throw new XrayError(`the hidden data has format version ${header[4]}, which this xray does not read (damaged, or written by a newer xray)`, "STEGO_VERSION");
  }
  const length = new DataView(header.buffer).getUint32(6, false);
  if (length > fits) throw new XrayError(`the hidden data is damaged: its header claims ${length} bytes, but this image holds at most ${fits}`, "STEGO_DAMAGED");
  const payload = readBytes(samples, HEADER_BYTES, length);
  const stored = readBytes(samples, HEADER_BYTES + length, CHECKSUM_BYTES);
  const body = new Uint8Array(HEADER_BYTES + length);
  body.set(header, 0);
  body.set(payload, HEADER_BYTES);
  if (!Buffer.from(checksum(body)).equals(stored)) {
    throw new XrayError(`the hidden data is damaged: the checksum of its ${length} bytes does not match`, "STEGO_DAMAGED");
  }
  if (header[5] & ~FLAG_ENCRYPTED) {
    throw new XrayError(`the hidden data uses flags 0x${header[5].toString(16)}, which this xray does not know (written by a newer xray?)`, "STEGO_VERSION");
  }
  return { payload, encrypted: (header[5] & FLAG_ENCRYPTED) !== 0 };
}

/**
 * How far `stego` is from `original`: the largest absolute sample difference and the PSNR in
 * dB over every sample, with a peak of 255 (8-bit) or 65535 (16-bit). `psnr` is null when the
 * two are identical (PSNR is infinite then, which JSON cannot carry).
 */
export function measureDistortion(original: Samples, stego: Samples, bits: 8 | 16): { maxDiff: number; psnr: number | null } {
  if (original.length !== stego.length) throw new RangeError(`${original.length} samples against ${stego.length}`);
  let maxDiff = 0;
  let squares = 0;
  for (let i = 0; i < original.length; i++) {
    const d = Math.abs(original[i] - stego[i]);
    if (d > maxDiff) maxDiff = d;
    squares += d * d;
  }
  const peak = bits === 16 ? 65535 : 255;
  const psnr = squares === 0 ? null : 10 * Math.log10((peak * peak * original.length) / squares);
  return { maxDiff, psnr };
}

interface Decoded {
  samples: Samples;
  width: number;
  height: number;
  channels: 1 | 3;
  bits: 8 | 16;
  /** sharp's name of the input format: png, jpeg, webp, tiff... */
  format: string;
  warnings: string[];
}

type SharpFn = typeof import("sharp");

/**
 * Decodes to grey (1 channel) or RGB (3), keeping the input's colour and 8- or 16-bit depth.
 * To embed, EXIF orientation is applied (the PNG written carries no metadata, so it must be
 * upright already) and transparency flattened onto black. To extract, the stored pixels are
 * read as they are and an alpha channel is dropped, not blended, so the bits stay intact.
 */
async function decode(sharp: SharpFn, input: string | Buffer, purpose: "embed" | "extract"): Promise<Decoded> {
  const label = typeof input === "string" ? input : "the image";
  const bytes = typeof input === "string" ? await readInput(input) : input;
  try {
    const meta = await sharp(bytes).metadata();
    const warnings: string[] = [];
    const wide = meta.depth === "ushort";
    if (meta.depth && meta.depth !== "uchar" && !wide) warnings.push(`${meta.depth} samples were converted to 8 bits`);
    if (meta.space === "cmyk") warnings.push("CMYK was converted to sRGB");
    const colour = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0) >= 3;
    let img: Sharp = sharp(bytes, { failOn: "warning" });
    if (purpose === "embed") img = img.autoOrient();
    if (meta.hasAlpha && purpose === "embed") {
      img = img.flatten({ background: "#000000" });
      warnings.push("transparency was flattened onto black");
    } else if (meta.hasAlpha) img = img.removeAlpha();
    img = img.toColourspace(colour ? (wide ? "rgb16" : "srgb") : wide ? "grey16" : "b-w");
    const { data, info } = await img.raw({ depth: wide ? "ushort" : "uchar" }).toBuffer({ resolveWithObject: true });
    const channels = colour ? 3 : 1;
    if (info.channels !== channels) throw new XrayError(`${label} decoded to ${info.channels} channels, expected ${channels}`, "IMAGE_UNREADABLE");
    // A copy into a fresh ArrayBuffer when needed, so a 16-bit view is aligned.
    const raw = wide && data.byteOffset % 2 ? new Uint8Array(data) : data;
    const samples = wide ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    return { samples, width: info.width, height: info.height, channels, bits: wide ? 16 : 8, format: meta.format, warnings };
  } catch (e) {
    if (e instanceof XrayError) throw e;
    throw new XrayError(`cannot decode ${label}: ${(e as Error).message}`, "IMAGE_UNREADABLE", { cause: e });
  }
}

async function readInput(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`no such file: ${file}`);
    if (code === "EISDIR") throw new UsageError(`${file} is a folder, not an image`);
    throw new XrayError(`cannot read ${file}: ${(e as Error).message}`, "IMAGE_UNREADABLE", { cause: e });
  }
}

/**
 * A lossless PNG of the samples, 8- or 16-bit as they are. The colour space is always named:
 * left to itself, sharp writes one-channel raw input as a three-channel sRGB PNG.
 */
function encodePng(sharp: SharpFn, image: Decoded, samples: Samples): Promise<Buffer> {
  const { width, height, channels, bits } = image;
  const space = channels === 1 ? (bits === 16 ? "grey16" : "b-w") : bits === 16 ? "rgb16" : "srgb";
  return sharp(samples, { raw: { width, height, channels } }).toColourspace(space).png({ compressionLevel: 6 }).toBuffer();
}

function sameBytes(a: Samples, b: Samples): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export type EmbedFileOptions = EmbedBitsOptions;

export interface EmbedFileResult {
  /** The stego image: a lossless PNG, 8- or 16-bit like the input. */
  png: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
  bits: 8 | 16;
  /** Payload bytes this image can carry. */
  capacityBytes: number;
  payloadBytes: number;
  /** Largest change of any sample (0 or 1). */
  maxDiff: number;
  /** PSNR in dB against the decoded input, over every sample; null when nothing changed (infinite). */
  psnr: number | null;
  /** The input's format when it was not PNG: jpeg, webp, tiff... */
  convertedFrom?: string;
  /** Lossy conversions made on the way, for the user to read. */
  warnings: string[];
}

/**
 * Hides `payload` in an image and returns it as a lossless PNG. The PNG is decoded again and
 * its payload read back before it is returned: an output that does not round-trip is never given.
 * @param input a file path or the file's bytes (PNG, JPEG, WebP, TIFF...)
 * @param payload the bytes to hide; encrypt them first and set `encrypted` to flag it
 * @throws XrayError STEGO_CAPACITY (too large), IMAGE_UNREADABLE (not a decodable image),
 *   UsageError (no such file)
 * @example
 * const { png, psnr } = await embedFile("xray.png", new TextEncoder().encode("Patient: Ken"));
 * fs.writeFileSync("xray.stego.png", png);
 */
export async function embedFile(input: string | Buffer, payload: Uint8Array, options: EmbedFileOptions = {}): Promise<EmbedFileResult> {
  const { encrypted = false } = options;
  const { default: sharp } = await import("sharp");
  const image = await decode(sharp, input, "embed");
  const { width, height, channels, bits } = image;
  const capacityBytes = capacityOf(width, height, channels);
  if (payload.length > capacityBytes) throw capacityError(payload.length, capacityBytes, `this ${width}x${height} image with ${channels} channel(s)`);
  const warnings = [...image.warnings];
  const convertedFrom = image.format === "png" ? undefined : image.format;
  if (convertedFrom === "jpeg") warnings.unshift("the input is a JPEG: the output is a lossless PNG, because saving as JPEG again would destroy the hidden data");
  else if (convertedFrom) warnings.unshift(`the input is ${convertedFrom}: the output is a lossless PNG, which keeps the hidden data`);

  const stego = image.samples.slice();
  embedBits(stego, payload, { encrypted });
  const png = await encodePng(sharp, image, stego);

  const back = await decode(sharp, png, "extract");
  const frame = sameBytes(back.samples, stego) ? readFrame(back.samples) : undefined;
  if (!frame || frame.encrypted !== encrypted || !Buffer.from(frame.payload).equals(payload)) {
    throw new XrayError("the PNG written does not read back the hidden data; nothing was returned", "STEGO_VERIFY");
  }
  const { maxDiff, psnr } = measureDistortion(image.samples, stego, bits);
  return { png, width, height, channels, bits, capacityBytes, payloadBytes: payload.length, maxDiff, psnr, convertedFrom, warnings };
}

export interface ExtractFileResult extends StegoFrame {
  /** sharp's name of the input's format: png, jpeg... */
  format: string;
}

/**
 * Reads the payload hidden by {@link embedFile}.
 * @param input a file path or the file's bytes
 * @throws XrayError STEGO_NO_PAYLOAD, STEGO_DAMAGED (both say when a lossy format is the
 *   likely cause), STEGO_VERSION, IMAGE_UNREADABLE; UsageError (no such file)
 * @example new TextDecoder().decode((await extractFile("xray.stego.png")).payload)
 */
export async function extractFile(input: string | Buffer): Promise<ExtractFileResult> {
  const { default: sharp } = await import("sharp");
  const image = await decode(sharp, input, "extract");
  try {
    return { ...readFrame(image.samples), format: image.format };
  } catch (e) {
    if (!(e instanceof XrayError) || image.format === "png") throw e;
    const hint =
      image.format === "jpeg"
        ? "this is a JPEG, and lossy JPEG compression destroys hidden data (read the PNG that embedding wrote)"
        : `this is ${image.format}, not the PNG that embedding wrote; lossy compression destroys hidden data`;
    throw new XrayError(`${e.message}: ${hint}`, e.code, { cause: e });
  }
}
