import { UsageError, XrayError } from "../../../errors";
import { sha256File } from "../../hash/sha256";
import { checksumAddress } from "../accounts";
import { getXray } from "./records";
import { xrCall, xrSend, type TxOutcome, type XrContext } from "../xr";

/** The stored label of a verdict recorded although uncertain: "uncertain:<the top class>". */
export const UNCERTAIN_PREFIX = "uncertain:";

/** A classifier's verdict stored with an image record (the Medchain patient page's prediction). */
export interface Prediction {
  index: number;
  /** As stored: the class, or "uncertain:<top class>" for a verdict recorded with --allow-uncertain. */
  label: string;
  /** The stored verdict was below the model's abstention threshold. */
  uncertain: boolean;
  /** The winning class's probability, 0-1 (stored in basis points: 4 decimals). */
  confidence: number;
  /** SHA-256 of the model file, 64 hex digits. */
  model: string;
  author: string;
  authorName: string;
  time: number;
  date: string;
}

export interface SetPredictionParameters {
  index: number;
  label: string;
  confidence: number;
  model: string;
  from: string;
}

/** Stores `label` with `confidence` (0-1) by model `model` (SHA-256 hex) for record `index`; from a doctor. */
export async function setPrediction(ctx: XrContext, p: SetPredictionParameters): Promise<TxOutcome> {
  if (!(p.confidence >= 0 && p.confidence <= 1)) throw new UsageError(`confidence must be between 0 and 1, got ${p.confidence}`);
  if (!/^[0-9a-f]{64}$/.test(p.model)) throw new UsageError(`the model hash must be 64 lowercase hex digits, got "${p.model}"`);
  return xrSend(ctx, "setPrediction", [p.index, p.label, Math.round(p.confidence * 10000), "0x" + p.model], p.from);
}

/**
 * Stores the verdict on `file` with record `index`, after checking that the file is that
 * record's image (same SHA-256): a prediction never lands on another image's record.
 */
export async function recordPrediction(ctx: XrContext, p: SetPredictionParameters & { file: string }): Promise<TxOutcome> {
  const [record, sha256] = await Promise.all([getXray(ctx, p.index), sha256File(p.file)]);
  if (record.sha256 !== sha256) {
    throw new XrayError(`${p.file} is not the image of X-ray #${p.index}: its SHA-256 is ${sha256}, the record's ${record.sha256}; nothing recorded`, "IMAGE_MISMATCH");
  }
  return setPrediction(ctx, p);
}

/** The prediction stored for record `index`, or null when none was recorded. */
export async function getPrediction(ctx: XrContext, index: number): Promise<Prediction | null> {
  const [p, name] = (await xrCall(ctx, "getPrediction", [index])) as [Record<string, unknown>, string];
  return toPrediction(index, p, name);
}

/** The most recently stored prediction of any record, or null. */
export async function latestPrediction(ctx: XrContext): Promise<Prediction | null> {
  const [found, index, p, name] = (await xrCall(ctx, "latestPrediction")) as [boolean, bigint, Record<string, unknown>, string];
  return found ? toPrediction(Number(index), p, name) : null;
}

function toPrediction(index: number, p: Record<string, unknown>, name: string): Prediction | null {
  const time = Number(p.time);
  if (!time) return null;
  return {
    index,
    label: String(p.label),
    uncertain: String(p.label).startsWith(UNCERTAIN_PREFIX),
    confidence: Number(p.confidence) / 10000,
    model: String(p.model).slice(2),
    author: checksumAddress(String(p.author)),
    authorName: name,
    time,
    date: new Date(time * 1000).toISOString(),
  };
}
