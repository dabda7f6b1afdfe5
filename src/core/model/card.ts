import * as fs from "node:fs";
import * as path from "node:path";
import { ModelError } from "../../errors";
import type { InputSpec } from "./preprocess";

/** The shipped model: a VGG-style network trained by models/train/train.py. */
export const DEFAULT_MODEL = path.join(__dirname, "../../../../models/xray-vgg-cxr4.onnx");

/** What xray needs to run a model: how to prepare its input and how to read its output. */
export interface ModelCard {
  /** The .onnx file. */
  model: string;
  name: string;
  /** Class names in the order of the model's outputs. */
  labels: string[];
  /** The label meaning "not a chest X-ray", if the model has one. */
  notChestXray?: string;
  input: InputSpec;
  /** "softmax" when the model outputs logits; "none" when it already outputs probabilities. */
  activation: "softmax" | "none";
  /** Calibration: logits are divided by this before the softmax (card `output.temperature`; 1 = none). */
  temperature: number;
  /** Below this top probability the verdict is "uncertain" (card `abstention.threshold`); 0 = never. */
  threshold: number;
  /** Where the card came from: its file, or "flags". */
  source: string;
  /** The full card JSON, for display (metrics, intended use). */
  raw?: Record<string, unknown>;
}

/** Settings given on the command line; each overrides the card's. */
export interface CardOverrides {
  labels?: string[];
  width?: number;
  height?: number;
  channels?: 1 | 3;
  mean?: number[];
  std?: number[];
  layout?: "NCHW" | "NHWC";
  /** Abstention threshold, 0-1 (0: never "uncertain"). */
  threshold?: number;
}

/** The card beside a model: `name.onnx` -> `name.json`. */
export function cardPathFor(model: string): string {
  return model.replace(/\.onnx$/i, "") + ".json";
}

/**
 * Reads the model's card (`<model>.json`) and applies the overrides. Without a card, the
 * overrides must name the labels; size, layout and channels can come from the model's
 * input shape later (`completeFromShape`), mean 0 and std 1 (pixel / 255) are the defaults.
 */
export function loadCard(model: string, overrides: CardOverrides = {}): ModelCard {
  if (!fs.existsSync(model)) throw new ModelError(`no model at ${model}`, "MODEL_MISSING");
  if (!looksLikeOnnx(model)) throw new ModelError(`${model} is not an ONNX model (an ONNX file starts with its IR version; this one does not)`, "MODEL_INVALID");
  const cardFile = cardPathFor(model);
  let raw: Record<string, unknown> | undefined;
  if (fs.existsSync(cardFile)) {
    try {
      raw = JSON.parse(fs.readFileSync(cardFile, "utf8"));
    } catch (err) {
      throw new ModelError(`the model card ${cardFile} is not valid JSON: ${(err as Error).message}`, "MODEL_CARD");
    }
  } else if (!overrides.labels) {
    throw new ModelError(`no model card ${cardFile} beside ${model}: write one, or give --labels (and --size, --mean, --std, --layout if the model needs them)`, "MODEL_CARD");
  }
  const input = (raw?.input ?? {}) as Record<string, unknown>;
  const where = raw ? `the model card ${cardFile}` : "the flags";
  const labels = overrides.labels ?? stringList(raw?.labels, "labels", cardFile);
  if (labels.length < 2 || new Set(labels).size !== labels.length) throw new ModelError(`${where} must name at least 2 distinct labels, got ${JSON.stringify(labels)}`, "MODEL_CARD");
  const channels = overrides.channels ?? (input.channels === undefined ? undefined : Number(input.channels));
  const card: ModelCard = {
    model,
    name: typeof raw?.name === "string" ? raw.name : path.basename(model, path.extname(model)),
    labels,
    notChestXray: typeof raw?.notChestXray === "string" ? raw.notChestXray : labels.find((l) => /^(non[_-]?cxr|ignore|other)$/i.test(l)),
    input: {
      layout: (overrides.layout ?? input.layout ?? "") as InputSpec["layout"],
      channels: channels as 1 | 3,
      width: overrides.width ?? Number(input.width ?? 0),
      height: overrides.height ?? Number(input.height ?? 0),
      mean: overrides.mean ?? numberList(input.mean, [0]),
      std: overrides.std ?? numberList(input.std, [1]),
    },
    activation: ((raw?.output as Record<string, unknown> | undefined)?.activation as ModelCard["activation"]) ?? "softmax",
    temperature: cardNumber((raw?.output as Record<string, unknown> | undefined)?.temperature, 1, "output.temperature", cardFile),
    threshold: overrides.threshold ?? cardNumber((raw?.abstention as Record<string, unknown> | undefined)?.threshold, 0, "abstention.threshold", cardFile),
    source: raw ? cardFile : "flags",
    raw,
  };
  if (card.notChestXray && !labels.includes(card.notChestXray)) throw new ModelError(`${where}: notChestXray "${card.notChestXray}" is not one of the labels`, "MODEL_CARD");
  if (!(card.temperature > 0)) throw new ModelError(`${where}: output.temperature must be positive, got ${card.temperature}`, "MODEL_CARD");
  if (!(card.threshold >= 0 && card.threshold <= 1)) throw new ModelError(`${where}: abstention.threshold must be between 0 and 1, got ${card.threshold}`, "MODEL_CARD");
  if (card.input.std.some((s) => !(s > 0))) throw new ModelError(`${where}: std must be positive, got ${card.input.std.join(",")}`, "MODEL_CARD");
  return card;
}

/**
 * Fills what the card left open from the model's input shape ([N,C,H,W] or [N,H,W,C]), and
 * checks that what the card says matches the model: a card for another model is an error,
 * not a silent misreading.
 */
export function checkAgainstModel(card: ModelCard, inputShape: ReadonlyArray<number | string>, outputShape: ReadonlyArray<number | string>): ModelCard {
  const dims = inputShape.map((d) => (typeof d === "number" && d > 0 ? d : undefined));
  if (inputShape.length !== 4) throw new ModelError(`${card.model} takes a ${inputShape.length}-dimensional input; xray runs image models with a 4-dimensional one (N,C,H,W or N,H,W,C)`, "MODEL_SHAPE");
  const input = { ...card.input };
  if (!input.layout) input.layout = dims[1] === 1 || dims[1] === 3 ? "NCHW" : dims[3] === 1 || dims[3] === 3 ? "NHWC" : ("" as InputSpec["layout"]);
  if (input.layout !== "NCHW" && input.layout !== "NHWC") throw new ModelError(`cannot tell the layout of ${card.model} (input ${shapeText(inputShape)}): give --layout NCHW or NHWC`, "MODEL_CARD");
  const [c, h, w] = input.layout === "NCHW" ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
  input.channels ??= c as 1 | 3;
  input.height ||= h ?? 0;
  input.width ||= w ?? 0;
  if (input.channels !== 1 && input.channels !== 3) throw new ModelError(`${card.model} wants ${input.channels ?? "?"} channels: xray prepares grey (1) or RGB (3)`, "MODEL_SHAPE");
  if (!input.width || !input.height) throw new ModelError(`the input size of ${card.model} is not fixed (${shapeText(inputShape)}): give --size`, "MODEL_CARD");
  const mismatch = (what: string, model: number | undefined, said: number) => {
    if (model !== undefined && model !== said) throw new ModelError(`${card.source} says ${what} ${said}, but ${card.model} takes ${model} (input ${shapeText(inputShape)})`, "MODEL_SHAPE");
  };
  mismatch("channels", c, input.channels);
  mismatch("height", h, input.height);
  mismatch("width", w, input.width);
  const classes = outputShape.length ? outputShape[outputShape.length - 1] : undefined;
  if (typeof classes === "number" && classes > 0 && classes !== card.labels.length) {
    throw new ModelError(`${card.source} names ${card.labels.length} labels, but ${card.model} outputs ${classes} classes`, "MODEL_SHAPE");
  }
  return { ...card, input };
}

function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.map((d) => (typeof d === "number" && d > 0 ? d : typeof d === "string" && d ? d : "?")).join(",")}]`;
}

function stringList(v: unknown, field: string, file: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && x)) throw new ModelError(`the model card ${file} has no "${field}" list of names`, "MODEL_CARD");
  return v as string[];
}

function cardNumber(v: unknown, fallback: number, field: string, file: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ModelError(`the model card ${file}: ${field} must be a number, got ${JSON.stringify(v)}`, "MODEL_CARD");
  return v;
}

function numberList(v: unknown, fallback: number[]): number[] {
  if (v === undefined) return fallback;
  const list = Array.isArray(v) ? v : [v];
  if (!list.length || !list.every((x) => typeof x === "number" && Number.isFinite(x))) throw new ModelError(`the model card's mean and std must be numbers, got ${JSON.stringify(v)}`, "MODEL_CARD");
  return list as number[];
}

/** An ONNX file is a protobuf ModelProto whose first field is ir_version (field 1, varint): byte 0x08. */
function looksLikeOnnx(model: string): boolean {
  let fd: number | undefined;
  try {
    if (!fs.statSync(model).isFile()) return false;
    fd = fs.openSync(model, "r");
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x08 && head[1] > 0 && head[1] < 0x80;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
