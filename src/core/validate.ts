import { UsageError } from "../errors";
import { groupDigits } from "./text";

/** Parses a SHA-256 written as 64 hex digits ("0x" optional) into lowercase hex. */
export function parseSha256(text: string): string {
  const t = text.trim();
  const digits = /^0x/i.test(t) ? t.slice(2) : t;
  if (!/^[0-9a-fA-F]{64}$/.test(digits)) {
    throw new UsageError(`not a SHA-256: "${text}" is not 64 hex digits`);
  }
  if (/^0+$/.test(digits)) throw new UsageError("not a SHA-256: the all-zero hash is reserved");
  return digits.toLowerCase();
}

/** Checks YYYYMMDD is a real calendar date (1900-2199), as the contract's strlib.parseDate does. */
export function parseDate(text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const bad = () => new UsageError(`not a real date: "${text}" (expected YYYYMMDD, e.g. 19970522)`);
  if (!m) throw bad();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1) throw bad();
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > days) throw bad();
  return text;
}

/** A non-negative integer, for record and account indexes. */
export function parseIndex(text: string, what = "index"): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`not a valid ${what}: "${text}" (expected 0, 1, 2, ...)`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} ${text} is too large`);
  return n;
}

/** A value from a small enumeration, given by name (any case) or by number. */
export function parseEnum(text: string, names: readonly string[], what: string): number {
  const t = text.trim().toLowerCase();
  const byName = names.findIndex((n) => n.toLowerCase() === t);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(t) && Number(t) < names.length) return Number(t);
  const choices = names.map((n, i) => `${n} (${i})`).join(", ");
  throw new UsageError(`unknown ${what} "${text}": expected one of ${choices}`);
}

/**
 * The longest strings xray sends to the contract, in UTF-8 bytes. Strings kept in storage
 * (names, contact) cost about 22,000 gas per 32 bytes, so 256 bytes is about 180,000 gas; a
 * 100 kB name would need more gas than a block holds and fail on chain as "out of gas".
 * Strings only logged in events (notes, descriptions, reasons, labels) cost about 8 gas a
 * byte and may be longer. A body part is a bytes32-sized string, as the contract checks.
 */
export const TEXT_LIMITS = {
  name: 256,
  part: 32,
  contact: 256,
  label: 256,
  notes: 4096,
  description: 4096,
  reason: 4096,
} as const;

export type TextKind = keyof typeof TEXT_LIMITS;

/**
 * Checks a string bound for the chain against its limit (and, unless `allowEmpty`, that it is
 * not blank), before anything is sent. `what` names it for the message: "the doctor's name".
 */
export function checkText(value: string, kind: TextKind, what: string = `the ${kind}`, options: { allowEmpty?: boolean } = {}): string {
  if (!options.allowEmpty && !value.trim()) throw new UsageError(`${what} must not be empty`);
  const bytes = Buffer.byteLength(value, "utf8");
  const limit = TEXT_LIMITS[kind];
  if (bytes > limit) {
    throw new UsageError(`${what} is ${groupDigits(bytes)} bytes; at most ${limit} bytes (UTF-8) can be recorded on chain`);
  }
  return value;
}
