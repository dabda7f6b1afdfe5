import { NotDeployedError } from "../../errors";
import { homePaths, readJsonFile, writeFileAtomic } from "../home";
import type { Chain } from "./chain";

export type RoleName = "gov" | "host" | "doctor" | "patient";
export const ROLE_NAMES: readonly RoleName[] = ["gov", "host", "doctor", "patient"];
/** On the embedded chain, roles default to accounts 0, 1, 2, 3. */
export const DEFAULT_ROLE_INDEX: Record<RoleName, number> = { gov: 0, host: 1, doctor: 2, patient: 3 };

/** What `xray init` records for one chain. */
export interface Deployment {
  chainId: number;
  xr: string;
  strlib: string;
  /** Block of the xr deployment (event scans start here). */
  block: number;
  deployedAt: string;
  roles: Record<RoleName, string>;
  /** `xray hospital init`: the registry of patients (each an EIP-1167 clone of xrpatient). */
  hospital?: HospitalDeployment;
}

export interface HospitalDeployment {
  registry: string;
  implementation: string;
  /** Block of the registry deployment (patient event scans start here). */
  block: number;
}

type DeploymentFile = Record<string, Deployment>;

export function readDeployment(home: string, key: string): Deployment | undefined {
  return readJsonFile<DeploymentFile>(homePaths(home).deployments)?.[key];
}

/** The deployment for this chain, or NotDeployedError. */
export function requireDeployment(chain: Chain): Deployment {
  const d = readDeployment(chain.home, chain.key);
  if (!d) throw new NotDeployedError(chain.provider.description);
  return d;
}

export function saveDeployment(home: string, key: string, deployment: Deployment): void {
  const file = homePaths(home).deployments;
  const all = readJsonFile<DeploymentFile>(file) ?? {};
  all[key] = deployment;
  writeFileAtomic(file, JSON.stringify(all, null, 2) + "\n");
}
