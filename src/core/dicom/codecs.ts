import * as path from "node:path";

/** The part of dcmjs xray uses (dcmjs ships no types). Datasets are dcmjs's "naturalized" objects. */
export interface Dcmjs {
  data: {
    DicomMessage: { readFile(buf: ArrayBuffer, options?: object): { meta: Record<string, unknown>; dict: Record<string, unknown> } };
    DicomMetaDictionary: {
      naturalizeDataset(d: object): Dataset;
      denaturalizeDataset(d: object): Record<string, unknown>;
    };
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(options?: object): ArrayBuffer };
  };
}
/** A naturalized DICOM dataset: keywords to values. */
export type Dataset = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Codecs = typeof import("dcmjs-codecs");

let dcmjsLoaded: Dcmjs | undefined;
let codecsLoaded: Promise<Codecs> | undefined;

/** dcmjs (parsing and writing), loaded on first use with its logging silenced. */
export function dcmjs(): Dcmjs {
  if (!dcmjsLoaded) {
    dcmjsLoaded = require("dcmjs") as Dcmjs;
    // dcmjs logs through loglevel: its named loggers ("validation.dcmjs" warns of every implicit-VR OX) are silenced too.
    const log = (dcmjsLoaded as unknown as { log: { setLevel(l: string): void; getLogger(n: string): { setLevel(l: string): void } } }).log;
    log.setLevel("silent");
    for (const name of ["validation.dcmjs", "AsyncDicomReader"]) log.getLogger(name).setLevel("silent");
  }
  return dcmjsLoaded;
}

/**
 * dcmjs-codecs with its WebAssembly codecs (RLE, JPEG baseline and lossless, JPEG-LS, JPEG 2000)
 * compiled once per process, on first use: only DICOM work pays for it.
 */
export function codecs(): Promise<Codecs> {
  codecsLoaded ??= (async () => {
    dcmjs();
    const c = require("dcmjs-codecs") as Codecs;
    const wasm = path.join(path.dirname(require.resolve("dcmjs-codecs")), "dcmjs-native-codecs.wasm");
    if (!c.NativeCodecs.isInitialized()) await c.NativeCodecs.initializeAsync({ webAssemblyModulePathOrUrl: wasm });
    return c;
  })();
  return codecsLoaded;
}

/** The transfer syntaxes xray reads and writes. */
export const TS = {
  implicit: "1.2.840.10008.1.2",
  explicit: "1.2.840.10008.1.2.1",
  bigEndian: "1.2.840.10008.1.2.2",
  rle: "1.2.840.10008.1.2.5",
  jpegBaseline: "1.2.840.10008.1.2.4.50",
  jpegLossless: "1.2.840.10008.1.2.4.57",
  jpegLosslessSV1: "1.2.840.10008.1.2.4.70",
  jpegLs: "1.2.840.10008.1.2.4.80",
  jpegLsNearLossless: "1.2.840.10008.1.2.4.81",
  j2kLossless: "1.2.840.10008.1.2.4.90",
  j2k: "1.2.840.10008.1.2.4.91",
} as const;

export const TS_NAMES: Record<string, string> = {
  [TS.implicit]: "implicit VR little endian",
  [TS.explicit]: "explicit VR little endian",
  [TS.bigEndian]: "explicit VR big endian",
  [TS.rle]: "RLE lossless",
  [TS.jpegBaseline]: "JPEG baseline",
  [TS.jpegLossless]: "JPEG lossless",
  [TS.jpegLosslessSV1]: "JPEG lossless SV1",
  [TS.jpegLs]: "JPEG-LS lossless",
  [TS.jpegLsNearLossless]: "JPEG-LS near-lossless",
  [TS.j2kLossless]: "JPEG 2000 lossless",
  [TS.j2k]: "JPEG 2000",
};

/** Syntaxes whose pixels survive a round trip bit for bit. */
export const LOSSLESS = new Set<string>([TS.implicit, TS.explicit, TS.bigEndian, TS.rle, TS.jpegLossless, TS.jpegLosslessSV1, TS.jpegLs, TS.j2kLossless]);
