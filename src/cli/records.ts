// How X-ray records are shown by list-xrays, get-xray and verify: one vocabulary in JSON
// (`time` as ISO 8601), on-chain text escaped in text output.
import type { Prediction } from "../core/chain/actions/predictions";
import type { XrayRecord } from "../core/chain/actions/records";
import { safeText } from "../core/text";

/** A record for --json: `time` as ISO 8601 (the chain's unix seconds written out). */
export function recordJson(r: XrayRecord) {
  const { date, time: _seconds, ...rest } = r;
  return { ...rest, time: date };
}

/** "   0  2026-11-21T14:00:00.000Z  chest      <sha256>  Dr.Lee": doctor and part escaped. */
export function recordLine(r: XrayRecord): string {
  return `${String(r.index).padStart(4)}  ${r.date}  ${safeText(r.part).padEnd(10)} ${r.sha256}  ${safeText(r.doctor)}`;
}

/** A prediction for --json, in the same vocabulary: `time` as ISO 8601; null when there is none. */
export function predictionJson(p: Prediction | null) {
  if (!p) return null;
  const { date, time: _seconds, ...rest } = p;
  return { ...rest, time: date };
}
