import { XrayError } from "../../../errors";
import { checksumAddress } from "../accounts";
import { encodeCall, encodeConstructor } from "../abi";
import { artifact, linkBytecode } from "../artifacts";
import type { Chain } from "../chain";
import { readDeployment, saveDeployment, type Deployment, type RoleName } from "../deployment";
import { sendTx, type TxResult } from "../tx";
import { checkText } from "../../validate";

export interface DeployParameters {
  /** Patient profile, as in xr('Ken', patient, 25, 0, 1). */
  name: string;
  patient: string;
  age: number;
  gender: number;
  bloodType: number;
  /** Deployer: becomes gov. */
  gov: string;
  /** Granted the Host role right after deployment. */
  host: string;
  hostName: string;
  /** Recorded as the account `doctor` resolves to (no permission is granted). */
  doctor: string;
  /** Deploy again even if this chain already has a deployment. */
  force?: boolean;
}

export interface DeployReturnType {
  deployment: Deployment;
  txs: { strlib: TxResult; xr: TxResult; host: TxResult };
}

/** Throws ALREADY_DEPLOYED when the home records an xr contract that exists on this chain. */
export async function refuseIfDeployed(chain: Chain): Promise<void> {
  const existing = readDeployment(chain.home, chain.key);
  if (!existing) return;
  const code = await chain.provider.request<string>("eth_getCode", [existing.xr, "latest"]);
  if (code && code !== "0x") {
    throw new XrayError(`already initialised: xr is at ${existing.xr} on ${chain.provider.description} (use --force to deploy a new one)`, "ALREADY_DEPLOYED");
  }
}

/**
 * Deploys strlib, links it into xr, deploys xr, grants the host, and records the addresses
 * in the home (what `truffle migrate` does with migrations/1_initial_migration.js).
 */
export async function deployXr(chain: Chain, p: DeployParameters): Promise<DeployReturnType> {
  checkText(p.name, "name", "the patient's name");
  checkText(p.hostName, "name", "the host's name");
  if (!p.force) await refuseIfDeployed(chain);
  const strlibTx = await sendTx(chain, { from: p.gov, data: artifact("strlib").bytecode });
  const xrArt = artifact("xr");
  const code = linkBytecode(xrArt, { strlib: strlibTx.contractAddress! });
  const args = encodeConstructor(xrArt.abi, [p.name, p.patient, p.age, p.gender, p.bloodType]);
  const xrTx = await sendTx(chain, { from: p.gov, data: code + args });
  const xr = checksumAddress(xrTx.contractAddress!);
  const hostTx = await sendTx(chain, { from: p.gov, to: xr, data: encodeCall(xrArt.abi, "setPermission", [p.host, p.hostName, 2, true]) });
  const roles: Record<RoleName, string> = { gov: p.gov, host: p.host, doctor: p.doctor, patient: p.patient };
  const deployment: Deployment = {
    chainId: await chain.chainId(),
    xr,
    strlib: checksumAddress(strlibTx.contractAddress!),
    block: xrTx.block,
    deployedAt: new Date().toISOString(),
    roles,
  };
  saveDeployment(chain.home, chain.key, deployment);
  return { deployment, txs: { strlib: strlibTx, xr: xrTx, host: hostTx } };
}
