import type { Sharp } from "sharp";
import { ModelError } from "../../errors";

/** How a model wants its input: the part of a model card that preprocessing follows. */
export interface InputSpec {
  /** NCHW (PyTorch) or NHWC (Keras). */
  layout: "NCHW" | "NHWC";
  /**
   * 1 = grey (libvips b-w: Y = 0.2126 R + 0.7152 G + 0.0722 B in linear light, sRGB-encoded),
   * 3 = RGB in that order.
   */
  channels: 1 | 3;
  width: number;
  height: number;
  /** Per channel, applied as (pixel / 255 - mean) / std; one value is used for every channel. */
  mean: number[];
  std: number[];
}

/** The uint8 pixels of one image after decoding, colour conversion and resizing: HWC order. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Decodes an image (JPEG, PNG, WebP, TIFF, GIF) and brings it to the model's size and
 * colour: EXIF orientation applied, transparency flattened onto black, converted to grey
 * or RGB, stretched to exactly width x height (aspect not kept, as in training) with
 * sharp's default Lanczos-3 kernel. Truncated or damaged files are errors, not grey pixels.
 * Training prepares its data with this very function, so the pixels match bit for bit.
 */
export async function loadPixels(input: string | Buffer, spec: Pick<InputSpec, "channels" | "width" | "height">): Promise<Pixels> {
  const { default: sharp } = await import("sharp");
  let img: Sharp = (await dicomInput(input)) ?? sharp(input, { failOn: "warning", limitInputPixels: 268_402_689 })
    .rotate()
    .flatten({ background: "#000000" });
  img = spec.channels === 1 ? img.toColourspace("b-w") : img.toColourspace("srgb");
  const { data, info } = await img
    .resize(spec.width, spec.height, { fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== spec.channels || info.width !== spec.width || info.height !== spec.height) {
    throw new ModelError(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${spec.width}x${spec.height}x${spec.channels}`, "MODEL_INPUT");
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: spec.channels };
}

/**
 * A DICOM instance as sharp input: its first frame rendered to 8-bit grey (MONOCHROME1 inverted,
 * VOI LUT or window applied, else a robust min-max; any transfer syntax), or undefined for other images.
 */
async function dicomInput(input: string | Buffer): Promise<Sharp | undefined> {
  const { isDicom, dicomGrey8 } = require("../dicom/render") as typeof import("../dicom/render");
  if (!isDicom(input)) return undefined;
  const { default: sharp } = await import("sharp");
  const g = await dicomGrey8(input).catch((err: Error) => {
    throw new ModelError(err.message, "IMAGE_UNREADABLE", { cause: err });
  });
  return sharp(Buffer.from(g.data.buffer, g.data.byteOffset, g.data.length), { raw: { width: g.width, height: g.height, channels: 1 } });
}

/**
 * Writes one image's normalised floats into `out` at image slot `slot` of a batch, in the
 * spec's layout: (pixel / 255 - mean[c]) / std[c].
 */
export function normalise(pixels: Pixels, spec: InputSpec, out: Float32Array, slot = 0): void {
  const { width: w, height: h, channels: c } = spec;
  const plane = w * h;
  const base = slot * plane * c;
  if (out.length < base + plane * c) throw new RangeError(`batch buffer too small for image ${slot}`);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const mean = spec.mean[k] ?? spec.mean[0];
    const std = spec.std[k] ?? spec.std[0];
    scale[k] = 1 / (255 * std);
    shift[k] = mean / std;
  }
  const src = pixels.data;
  if (spec.layout === "NHWC" || c === 1) {
    for (let i = 0; i < plane * c; i++) out[base + i] = src[i] * scale[i % c] - shift[i % c];
    return;
  }
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < c; k++) out[base + k * plane + i] = src[i * c + k] * scale[k] - shift[k];
  }
}

/** The tensor shape for `batch` images: [n, c, h, w] or [n, h, w, c]. */
export function inputShape(spec: InputSpec, batch: number): number[] {
  return spec.layout === "NCHW" ? [batch, spec.channels, spec.height, spec.width] : [batch, spec.height, spec.width, spec.channels];
}
