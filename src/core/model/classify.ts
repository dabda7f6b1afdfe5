import * as fs from "node:fs";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { ModelError, XrayError } from "../../errors";
import { mapLimit } from "../concurrent";
import { sha256File } from "../hash/sha256";
import { checkAgainstModel, type ModelCard } from "./card";
import { inputShape, loadPixels, normalise, type Pixels } from "./preprocess";

/** An open model: its checked card, the SHA-256 of its file, and an ONNX Runtime session. */
export interface Classifier {
  card: ModelCard;
  /** SHA-256 of the .onnx file: what a prediction recorded on chain names. */
  sha256: string;
  /** Images per inference call (fixed by a model whose batch dimension is fixed). */
  batch: number;
  /** The model's batch dimension is fixed: a short last batch is padded to it. */
  fixedBatch: boolean;
  session: InferenceSession;
  close(): Promise<void>;
}

export interface OpenClassifierOptions {
  /** Images per inference call; default 16. */
  batch?: number;
  /** ONNX Runtime intra-op threads; default: one per core. */
  threads?: number;
}

/**
 * Loads a model with ONNX Runtime (CPU) and checks its card against the model's real input
 * and output shapes. Throws ModelError MODEL_SHAPE when they disagree.
 */
export async function openClassifier(card: ModelCard, options: OpenClassifierOptions = {}): Promise<Classifier> {
  const ort = await import("onnxruntime-node");
  const [session, sha256] = await Promise.all([
    ort.InferenceSession.create(card.model, {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    }).catch((err: Error) => {
      throw new ModelError(`cannot load ${card.model} with ONNX Runtime: ${firstLine(err.message)}`, "MODEL_INVALID", { cause: err });
    }),
    sha256File(card.model),
  ]);
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  if (!input?.isTensor || !output?.isTensor) throw new ModelError(`${card.model} does not take and return tensors`, "MODEL_SHAPE");
  if (input.type !== "float32") throw new ModelError(`${card.model} takes ${input.type} input; xray feeds float32`, "MODEL_SHAPE");
  const checked = checkAgainstModel(card, input.shape, output.shape);
  const fixed = input.shape[0];
  const fixedBatch = typeof fixed === "number" && fixed > 0;
  const batch = fixedBatch ? fixed : Math.max(1, options.batch ?? 16);
  return { card: checked, sha256, batch, fixedBatch, session, close: () => session.release() };
}

/** The verdict when the top probability is below the card's abstention threshold. */
export const UNCERTAIN = "uncertain";

/** One image's verdict. */
export interface Verdict {
  file: string;
  /** The most probable class, or "uncertain" when its probability is below the card's threshold. */
  label: string;
  /** The most probable class, whether or not the verdict is uncertain. */
  top: string;
  /** The top class's (calibrated) probability, 0-1. */
  confidence: number;
  /** true when confidence < the card's abstention threshold: label is then "uncertain". */
  uncertain: boolean;
  /** Every class's (calibrated) probability, in the card's label order. */
  probabilities: Record<string, number>;
  /** false when the model's "not a chest X-ray" class is the top class; null when the model has no such class. */
  chestXray: boolean | null;
}

export interface ClassifyFailure {
  file: string;
  code: string;
  error: string;
}

export interface ClassifyOptions {
  onProgress?: (done: number, total: number) => void;
}

/**
 * Classifies files in batches: while ONNX Runtime runs one batch, the next is decoded. A file
 * that cannot be decoded is reported in `failed` and the others go on.
 */
export async function classifyFiles(c: Classifier, files: string[], options: ClassifyOptions = {}): Promise<{ verdicts: Verdict[]; failed: ClassifyFailure[] }> {
  const verdicts: Verdict[] = [];
  const failed: ClassifyFailure[] = [];
  const chunks: string[][] = [];
  for (let i = 0; i < files.length; i += c.batch) chunks.push(files.slice(i, i + c.batch));
  const decode = (chunk: string[]) => mapLimit(chunk, 4, (file) => loadImage(file, c.card));
  let next = chunks.length ? decode(chunks[0]) : undefined;
  let done = 0;
  for (let k = 0; k < chunks.length; k++) {
    const decoded = await next!;
    next = k + 1 < chunks.length ? decode(chunks[k + 1]) : undefined;
    const ok: { file: string; pixels: Pixels }[] = [];
    decoded.forEach((d, i) => (d instanceof XrayError ? failed.push({ file: chunks[k][i], code: d.code, error: d.message }) : ok.push({ file: chunks[k][i], pixels: d })));
    if (ok.length) {
      const probs = await infer(c, ok.map((o) => o.pixels));
      ok.forEach((o, i) => verdicts.push(verdictOf(c.card, o.file, probs[i])));
    }
    done += chunks[k].length;
    options.onProgress?.(done, files.length);
  }
  return { verdicts, failed };
}

/** Probabilities (rows in the card's label order; softmax(logits / temperature)) for already decoded images. */
export async function infer(c: Classifier, images: Pixels[]): Promise<Float32Array[]> {
  const { Tensor } = await import("onnxruntime-node");
  const spec = c.card.input;
  const n = c.fixedBatch ? c.batch : images.length;
  const per = spec.channels * spec.width * spec.height;
  const data = new Float32Array(n * per);
  images.forEach((p, i) => normalise(p, spec, data, i));
  const feeds = { [c.session.inputNames[0]]: new Tensor("float32", data, inputShape(spec, n)) };
  let out: Tensor;
  try {
    out = (await c.session.run(feeds))[c.session.outputNames[0]];
  } catch (err) {
    throw new ModelError(`ONNX Runtime failed on ${c.card.model}: ${firstLine((err as Error).message)}`, "MODEL_SHAPE", { cause: err });
  }
  const k = c.card.labels.length;
  const values = out.data as Float32Array;
  if (values.length !== n * k) throw new ModelError(`${c.card.model} returned ${values.length} values for ${n} images; its card names ${k} labels`, "MODEL_SHAPE");
  const rows: Float32Array[] = [];
  for (let i = 0; i < images.length; i++) {
    const row = values.slice(i * k, (i + 1) * k);
    rows.push(c.card.activation === "softmax" ? softmax(row, c.card.temperature) : row);
  }
  return rows;
}

/** Decodes one file for the model, as a ModelError IMAGE_UNREADABLE value (not thrown) on failure. */
async function loadImage(file: string, card: ModelCard): Promise<Pixels | ModelError> {
  try {
    const bytes = await fs.promises.readFile(file);
    if (bytes.length === 0) return new ModelError("empty file", "IMAGE_UNREADABLE");
    return await loadPixels(bytes, card.input);
  } catch (err) {
    if (err instanceof ModelError) return err;
    const e = err as NodeJS.ErrnoException;
    return new ModelError(e.code ? `cannot read: ${e.code}` : `not a readable image: ${firstLine(e.message)}`, "IMAGE_UNREADABLE", { cause: err });
  }
}

export function softmax(logits: Float32Array, temperature = 1): Float32Array {
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp((v - max) / temperature));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / sum);
}

function verdictOf(card: ModelCard, file: string, probs: Float32Array): Verdict {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  const top = card.labels[best];
  const probabilities: Record<string, number> = {};
  card.labels.forEach((l, i) => (probabilities[l] = round(probs[i])));
  const uncertain = probs[best] < card.threshold;
  return { file, label: uncertain ? UNCERTAIN : top, top, confidence: round(probs[best]), uncertain, probabilities, chestXray: card.notChestXray ? top !== card.notChestXray : null };
}

const round = (p: number) => Math.round(p * 1e6) / 1e6;
const firstLine = (s: string) => s.split("\n")[0];
