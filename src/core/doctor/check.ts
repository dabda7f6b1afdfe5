/** One finding of `xray doctor`. */
export interface Check {
  /** What was checked: "lock", "node", "daemon", "chain", "deployments", "contracts", "keyring", "ipfs". */
  check: string;
  /** ok; warning (works, but something is off); problem (something fails until fixed). */
  status: "ok" | "warning" | "problem";
  /** What was found, in one line. */
  message: string;
  /** How to fix it, for warnings and problems. */
  fix?: string;
}

export const ok = (check: string, message: string): Check => ({ check, status: "ok", message });
export const warning = (check: string, message: string, fix?: string): Check => ({ check, status: "warning", message, ...(fix ? { fix } : {}) });
export const problem = (check: string, message: string, fix: string): Check => ({ check, status: "problem", message, fix });

/** The first line of an error's message, for a check's message. */
export function reason(err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  const line = text.split("\n").find((l) => l.trim()) ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
