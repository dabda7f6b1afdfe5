import * as fs from "node:fs";
import { readDicom, type DicomInstance } from "./parse";
import { decodeSamples, type ImageSamples } from "./pixels";

/** One frame as 8-bit grey, ready for the classifier: what a radiologist's viewer would show. */
export interface Grey8 {
  width: number;
  height: number;
  data: Uint8Array;
}

const num = (v: unknown): number | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  const n = typeof x === "number" ? x : x === undefined || x === null || x === "" ? NaN : Number(String(x).trim());
  return Number.isFinite(n) ? n : undefined;
};

/** The value at fraction `q` of the sorted samples (a histogram would do for 16 bits; sorting a copy is simple and exact). */
function quantiles(values: Float64Array, qs: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]);
}

/**
 * Renders frame `frame` to 8-bit grey as PS3.4's grayscale pipeline does: Modality LUT (Rescale
 * Slope/Intercept), then the VOI LUT Sequence when present, else the first Window Center/Width
 * (the linear function of C.11.2.1.2.1), else a robust min-max (0.5th to 99.5th percentile);
 * MONOCHROME1 is inverted last, so that bone is white.
 */
export function renderGrey8(elements: DicomInstance["elements"], s: ImageSamples, frame = 0): Grey8 {
  const n = s.rows * s.columns;
  const spp = s.samplesPerPixel;
  const slope = num(elements.RescaleSlope) ?? 1;
  const intercept = num(elements.RescaleIntercept) ?? 0;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Colour images (rare for X-rays) are brought to grey by their mean.
    let v = 0;
    for (let k = 0; k < spp; k++) v += s.samples[(frame * n + i) * spp + k];
    values[i] = (v / spp) * slope + intercept;
  }
  let map: (x: number) => number;
  const lut = elements.VOILUTSequence?.[0];
  const center = num(elements.WindowCenter);
  const width = num(elements.WindowWidth);
  if (lut?.LUTDescriptor && lut.LUTData) {
    const [count0, first, bits] = (lut.LUTDescriptor as number[]).map(Number);
    const count = count0 === 0 ? 65536 : count0;
    const data = Array.isArray(lut.LUTData) ? (lut.LUTData as number[]) : Array.from(new Uint16Array(lut.LUTData as ArrayBuffer));
    const top = 2 ** (bits > 8 ? Math.min(bits, 16) : 8) - 1;
    map = (x) => (data[Math.min(count - 1, Math.max(0, Math.round(x) - first))] / top) * 255;
  } else if (center !== undefined && width !== undefined && width >= 1) {
    const lo = center - 0.5 - (width - 1) / 2;
    const hi = center - 0.5 + (width - 1) / 2;
    map = (x) => (x <= lo ? 0 : x > hi ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255);
  } else {
    const [lo, hi] = quantiles(values, [0.005, 0.995]);
    map = hi > lo ? (x) => ((Math.min(hi, Math.max(lo, x)) - lo) / (hi - lo)) * 255 : () => 0;
  }
  const invert = s.photometricInterpretation === "MONOCHROME1";
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = Math.round(Math.min(255, Math.max(0, map(values[i]))));
    data[i] = invert ? 255 - y : y;
  }
  return { width: s.columns, height: s.rows, data };
}

/** True when the file or bytes start as DICOM Part 10 ("DICM" at byte 128). */
export function isDicom(input: string | Buffer): boolean {
  if (Buffer.isBuffer(input)) return input.length >= 132 && input.toString("latin1", 128, 132) === "DICM";
  try {
    const fd = fs.openSync(input, "r");
    try {
      const head = Buffer.alloc(132);
      return fs.readSync(fd, head, 0, 132, 0) === 132 && head.toString("latin1", 128, 132) === "DICM";
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** The first frame of a DICOM file or buffer, rendered to 8-bit grey. */
export async function dicomGrey8(input: string | Buffer): Promise<Grey8> {
  const inst = readDicom(Buffer.isBuffer(input) ? input : fs.readFileSync(input));
  return renderGrey8(inst.elements, await decodeSamples(inst), 0);
}

