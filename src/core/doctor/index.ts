/**
 * `xray doctor`: checks a home (lock, node file, chain database, deployments, contracts,
 * keyring, IPFS store) and says for each what is wrong and how to fix it. With `fix`, stale
 * lock and node files are removed; nothing else is ever touched.
 */
import { checkChain } from "./chain";
import { checkDeployments, checkIpfs, checkKeyring, checkLock, checkNode } from "./home-files";
import type { Check } from "./check";
import { checkDaemon } from "./daemon";

export type { Check } from "./check";

export interface DoctorOptions {
  /** Remove stale lock and node files (only those). */
  fix?: boolean;
  /** How long to wait for a process holding the chain before reporting it as busy. */
  waitMs?: number;
  /** Seconds the background chain process the chain check may start stays (0 = none). */
  idleSeconds?: number;
}

export interface DoctorReturnType {
  checks: Check[];
  /** True when any check found a problem (warnings do not count). */
  problems: boolean;
}

/**
 * @example
 * const { checks, problems } = await runDoctor(".xray", { fix: true });
 */
export async function runDoctor(home: string, options: DoctorOptions = {}): Promise<DoctorReturnType> {
  const { fix = false, waitMs = 5_000, idleSeconds } = options;
  // the node and background process files first: a stale one would send the chain check to a dead address
  const node = await checkNode(home, fix);
  const daemon = await checkDaemon(home, fix);
  const lock = checkLock(home, fix);
  const deployments = checkDeployments(home);
  const chain = await checkChain(home, deployments.embedded, waitMs, idleSeconds);
  const checks = [lock, node.check, daemon, ...chain.slice(0, 1), deployments.check, ...chain.slice(1), checkKeyring(home), checkIpfs(home)];
  return { checks, problems: checks.some((c) => c.status === "problem") };
}
