import * as fs from "node:fs";
import * as path from "node:path";
import { ENCODING_MIXES, generateDicomDataset, type EncodingMix } from "../../core/dicom/dataset";
import { generateKaggleDataset } from "../../core/imaging/kaggle-dataset";
import { packageRoot } from "../../core/paths";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes, progressBar, type Progress } from "../progress";

/** The shared chest X-rays beside the project, when no --source is given. */
export function defaultSource(): string | undefined {
  const candidates = [process.env.XRAY_CXR_DATA, path.join(packageRoot(), "..", "shared", "data", "cxr")].filter(Boolean) as string[];
  return candidates.find((c) => fs.existsSync(path.join(c, "images")));
}

interface DatasetOptions {
  source?: string;
  seed: string;
  scale?: string;
  dicom?: boolean;
  studies?: string;
  patients?: string;
  maxSize?: string;
  encodings?: string;
}

export async function run(g: Globals, out: string, o: DatasetOptions): Promise<CommandOutput> {
  const seed = Number(o.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, got "${o.seed}"`);
  if (o.dicom) return runDicom(g, out, o, seed);
  const dicomOnly = (["studies", "patients", "maxSize", "encodings"] as const).find((k) => o[k] !== undefined);
  if (dicomOnly) throw new UsageError(`--${dicomOnly.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())} only goes with --dicom`);
  o.scale ??= "1";
  const scale = Number(o.scale);
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`--scale must be above 0 and at most 1, got "${o.scale}"`);
  const source = o.source ?? defaultSource();
  if (!source) throw new UsageError("where are the chest X-rays? give --source <cxr folder> (or env XRAY_CXR_DATA)");
  let bar: Progress | undefined;
  const started = Date.now();
  const r = await generateKaggleDataset(out, {
    source,
    seed,
    scale,
    onProgress: (done, total) => (bar ??= progressBar("writing", total, !g.json)).update(done),
  }).finally(() => bar?.done());
  const seconds = (Date.now() - started) / 1000;
  return {
    json: { ...r, source, seed, scale, seconds },
    text: `${r.images} images in ${safeText(out)} (${r.written} written now)`,
    summary: `${formatBytes(r.bytes)}: ${formatBytes(r.minBytes)} to ${formatBytes(r.maxBytes)}, median ${formatBytes(r.medianBytes)}; ${seconds.toFixed(1)} s`,
  };
}

const wholeNumber = (flag: string, v: string, min: number) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got "${v}"`);
  return n;
};

/** `xray dataset --dicom`: a PACS-like set of DICOM instances made from the real X-rays. */
async function runDicom(g: Globals, out: string, o: DatasetOptions, seed: number): Promise<CommandOutput> {
  if (o.scale !== undefined) throw new UsageError("--scale does not go with --dicom (give --studies and --patients)");
  const studies = wholeNumber("--studies", o.studies ?? "10", 1);
  const patients = wholeNumber("--patients", o.patients ?? String(Math.max(1, Math.ceil(studies / 2))), 1);
  if (patients > studies) throw new UsageError(`--patients (${patients}) cannot exceed --studies (${studies})`);
  const maxSize = wholeNumber("--max-size", o.maxSize ?? "0", 0);
  const encodings = (o.encodings ?? "mix") as EncodingMix;
  if (!ENCODING_MIXES.includes(encodings)) throw new UsageError(`--encodings must be one of ${ENCODING_MIXES.join(", ")}, got "${o.encodings}"`);
  const source = o.source ?? (defaultSource() ? path.join(defaultSource()!, "originals") : undefined);
  if (!source) throw new UsageError("where are the chest X-rays? give --source <folder of JPEG/PNG X-rays> (or env XRAY_CXR_DATA)");
  let bar: Progress | undefined;
  const started = Date.now();
  const r = await generateDicomDataset(out, {
    source,
    seed,
    studies,
    patients,
    maxSize,
    encodings,
    onProgress: (done, total) => (bar ??= progressBar("writing", total, !g.json)).update(done),
  }).finally(() => bar?.done());
  const seconds = (Date.now() - started) / 1000;
  return {
    json: { ...r, source, seed, maxSize, encodings, seconds },
    text: `${r.instances} DICOM instances (${r.studies} studies, ${r.patients} patients) in ${safeText(out)} (${r.written} written now)`,
    summary: `${formatBytes(r.bytes)}; ${seconds.toFixed(1)} s`,
  };
}
