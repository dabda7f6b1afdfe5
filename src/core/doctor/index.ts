/**
 * `xray doctor`: checks a home (lock, node file, chain database, deployments, contracts,
 * keyring, IPFS store) and says for each what is wrong and how to fix it. With `fix`, stale
 * lock and node files are removed; nothing else is ever touched.
 */
import { checkChain } from "./chain";
import { checkDeployments, checkIpfs, checkKeyring, checkLock, checkNode } from "./home-files";
import type { Check } from "./check";

export type { Check } from "./check";

export interface DoctorOptions {
  /** Remove stale lock and node files (only those). */
  fix?: boolean;
  /** How long to wait for a process holding the chain before reporting it as busy. */
  waitMs?: number;
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
  const { fix = false, waitMs = 5_000 } = options;
  // the node file first: a stale one would send the chain check to a dead URL
  const node = await checkNode(home, fix);
  const lock = checkLock(home, fix);
  const deployments = checkDeployments(home);
  const chain = await checkChain(home, deployments.embedded, waitMs);
  const checks = [lock, node.check, ...chain.slice(0, 1), deployments.check, ...chain.slice(1), checkKeyring(home), checkIpfs(home)];
  return { checks, problems: checks.some((c) => c.status === "problem") };
}
