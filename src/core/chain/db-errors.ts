import { ChainBusyError, ChainDamagedError, XrayError } from "../../errors";
import type { HomePaths } from "../home";

/** What to do about a damaged chain database, said the same way everywhere. */
export function damagedFix(paths: HomePaths): string {
  return `restore ${paths.chainDb} from a backup, or start a new home with \`xray init --home <new>\` (or \`xray init --force\` after moving the folder aside)`;
}

/**
 * Says what a failure of Ganache's database means, or undefined when it is not one: no space
 * left (DISK_FULL), damaged or missing files (CHAIN_DAMAGED), no permission (CHAIN_UNREADABLE).
 * Ganache and LevelDB speak in stack traces and minified source; a person needs the folder
 * at fault and the way out. Their own words stay in `details`.
 */
export function chainDbFailure(err: unknown, paths: HomePaths): XrayError | undefined {
  if (err instanceof XrayError) return undefined;
  const e = err as { code?: string; name?: string; message?: string; type?: string } | undefined;
  const raw = String(e?.message ?? err);
  const details = raw.split("\n").find((l) => l.trim())?.slice(0, 500);
  const options = { cause: err, details };
  if (e?.code === "ENOSPC" || /ENOSPC|no space left/i.test(raw)) {
    return new ChainDamagedError(
      `no space left on the disk holding ${paths.chainDb}: free some space (df -h ${paths.root}) and run the command again`,
      "DISK_FULL",
      options,
    );
  }
  if (e?.code === "EACCES" || e?.code === "EPERM" || /EACCES|permission denied/i.test(raw)) {
    return new ChainDamagedError(`cannot read the chain database ${paths.chainDb} (permission denied): check its owner and mode`, "CHAIN_UNREADABLE", options);
  }
  if (/LOCK: .*(already held|temporarily unavailable)/i.test(raw)) {
    return new ChainBusyError(`the chain database ${paths.chainDb} is open in another process (not an xray command of this home?): stop it and try again`, options);
  }
  const levelError = /^(OpenError|ReadError|WriteError|NotFoundError|EncodingError)$/.test(e?.name ?? e?.type ?? "");
  if (levelError || /corrupt|IO error|checksum mismatch|bad (block|magic)|truncated|MANIFEST|CURRENT file/i.test(raw)) {
    return new ChainDamagedError(`the chain database ${paths.chainDb} is damaged: ${damagedFix(paths)}; \`xray doctor\` checks the home`, "CHAIN_DAMAGED", options);
  }
  return undefined;
}
