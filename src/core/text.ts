/**
 * Text that came from the chain or from a file, made safe for a terminal: every control
 * character (C0, DEL, C1; escape sequences, carriage returns, line breaks inside a value) is
 * written as a visible escape, so on-chain text can never move the cursor, clear the screen
 * or forge a line. JSON output keeps the exact string; only text for people is escaped.
 */

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e" };
  return named[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

/** One value (a name, a note, a contact) for one line of text: every control character escaped. */
export function safeText(value: unknown): string {
  return String(value ?? "").replace(UNSAFE, escapeChar);
}

/** A whole block of text for a terminal: line breaks and tabs kept, every other control escaped. */
export function safeBlock(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES, escapeChar);
}

/**
 * A whole number with thousands separators, "1,234,567", as `toLocaleString("en-US")` writes
 * it, without its first call's cost (loading ICU's number formats: ~40 ms, a fifth of a
 * command's start-up). Anything else falls back to toLocaleString.
 */
export function groupDigits(n: number | bigint): string {
  if (typeof n === "number" && !Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}
