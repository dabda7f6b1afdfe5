import type { Prediction } from "../core/chain/actions/predictions";
import type { TxOutcome } from "../core/chain/xr";
import { groupDigits, safeText } from "../core/text";

/**
 * What a command hands back. `text` is the result itself (a hash list, a record, an address):
 * always printed, `-q` included. `details` (transaction facts) and `summary` (counts and
 * timings) are decoration: `-q` drops them, never the result.
 */
export interface CommandOutput {
  json: unknown;
  /** The result for people, on stdout. */
  text: string;
  /** Decoration for stdout after the result (transaction hash, block, gas); dropped by -q. */
  details?: string;
  /** One line of counts and timings for stderr, after the diagnostics; dropped by -q and --json. */
  summary?: string;
  /** Diagnostics for stderr (per-file failures of a batch); printed in text and JSON mode alike. */
  stderr?: string[];
  /** Non-zero when the command ran to the end but part of its work failed (a batch with bad files). */
  exitCode?: number;
}

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** The transaction facts every command that sends one reports. */
export function txJson(out: TxOutcome) {
  return { hash: out.tx.hash, block: out.tx.block, gasUsed: out.tx.gasUsed, from: out.tx.from };
}

export function txText(out: TxOutcome): string {
  return `tx ${out.tx.hash} in block ${out.tx.block}, gas used ${groupDigits(out.tx.gasUsed)}`;
}

/** Aligns "key: value" lines; every value is escaped (it may come from the chain or a file). */
export function table(rows: [string, unknown][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${(k + ":").padEnd(width + 1)} ${v === undefined || v === null ? "-" : safeText(v)}`).join("\n");
}

/** "covid 97.3% by model 3f2a9c01… (Dr.Lee, 2026-11-21T14:00:00.000Z)", or "-" when none. */
export function predictionText(p: Prediction | null): string {
  if (!p) return "-";
  const label = p.uncertain ? `uncertain (${safeText(p.label.replace(/^uncertain:/, ""))})` : safeText(p.label);
  return `${label} ${(p.confidence * 100).toFixed(1)}% by model ${p.model.slice(0, 12)}… (${safeText(p.authorName || p.author)}, ${p.date})`;
}
