/** The hospital registry contract: deployment, hospital-wide roles, patient creation and lookup. */
import { RevertError, XrayError } from "../../errors";
import { checksumAddress } from "../chain/accounts";
import { decodeEvents, decodeResult, encodeCall } from "../chain/abi";
import { artifact, linkBytecode } from "../chain/artifacts";
import type { Chain } from "../chain/chain";
import { readDeployment, saveDeployment, type Deployment, type HospitalDeployment, type RoleName } from "../chain/deployment";
import { explainRevert } from "../chain/explain";
import { callRaw, sendTx, type TxResult } from "../chain/tx";

export interface HospitalContext {
  chain: Chain;
  deployment: Deployment & { hospital: HospitalDeployment };
}

/** The hospital of this chain's deployment; a UsageError (exit 2) on a home without one. */
export function hospitalContext(chain: Chain): HospitalContext {
  const deployment = readDeployment(chain.home, chain.key);
  if (!deployment?.hospital) {
    throw new HospitalMissingError(chain.provider.description);
  }
  return { chain, deployment: deployment as HospitalContext["deployment"] };
}

export class HospitalMissingError extends XrayError {
  override name = "HospitalMissingError";
  override readonly exitCode = 2;
  constructor(where: string) {
    super(`this home has no hospital on ${where}: run \`xray hospital init\` first (patients are a hospital's)`, "NO_HOSPITAL");
  }
}

export interface DeployHospitalParameters {
  gov: string;
  host: string;
  hostName: string;
  roles: Record<RoleName, string>;
}

/**
 * Deploys the registry (which deploys the xrpatient implementation its patients clone),
 * linking strlib (the home's, or a new one), grants the host hospital-wide, and records it.
 */
export async function deployHospital(chain: Chain, p: DeployHospitalParameters): Promise<{ deployment: Deployment; txs: Record<string, TxResult> }> {
  const existing = readDeployment(chain.home, chain.key);
  if (existing?.hospital) {
    const code = await chain.provider.request<string>("eth_getCode", [existing.hospital.registry, "latest"]);
    if (code !== "0x") throw new XrayError(`already a hospital: the registry is at ${existing.hospital.registry} on ${chain.provider.description}`, "ALREADY_DEPLOYED");
  }
  const txs: Record<string, TxResult> = {};
  let strlib = existing?.strlib;
  if (!strlib || (await chain.provider.request<string>("eth_getCode", [strlib, "latest"])) === "0x") {
    txs.strlib = await sendTx(chain, { from: p.gov, data: artifact("strlib").bytecode });
    strlib = checksumAddress(txs.strlib.contractAddress!);
  }
  const art = artifact("hospital");
  txs.registry = await sendTx(chain, { from: p.gov, data: linkBytecode(art, { strlib }) });
  const registry = checksumAddress(txs.registry.contractAddress!);
  const ctxLike = { chain, registry };
  const [implementation] = await registryCall(ctxLike, "implementation");
  txs.host = await sendTx(chain, { from: p.gov, to: registry, data: encodeCall(art.abi, "setPermission", [p.host, p.hostName, 2, true]) });
  const hospital: HospitalDeployment = { registry, implementation: checksumAddress(String(implementation)), block: txs.registry.block };
  const deployment: Deployment = existing
    ? { ...existing, strlib, hospital }
    : { chainId: await chain.chainId(), xr: hospital.implementation, strlib, block: hospital.block, deployedAt: new Date().toISOString(), roles: p.roles, hospital };
  saveDeployment(chain.home, chain.key, deployment);
  return { deployment, txs };
}

/** A view call on the registry. */
export async function registryCall(ctx: { chain: Chain; registry: string }, fn: string, args: unknown[] = []): Promise<unknown[]> {
  const abi = artifact("hospital").abi;
  try {
    return decodeResult(abi, fn, await callRaw(ctx.chain, ctx.registry, encodeCall(abi, fn, args)));
  } catch (err) {
    throw err instanceof RevertError ? explainRevert(err, fn) : err;
  }
}

/** A transaction to the registry; reverts come back as sentences. */
export async function registrySend(ctx: HospitalContext, fn: string, args: unknown[], from: string, gas?: bigint) {
  const abi = artifact("hospital").abi;
  try {
    const tx = await sendTx(ctx.chain, { from, to: ctx.deployment.hospital.registry, data: encodeCall(abi, fn, args), gas });
    return { tx, events: decodeEvents([...abi, ...artifact("xrpatient").abi], tx.logs) };
  } catch (err) {
    throw err instanceof RevertError ? explainRevert(err, fn, ctx.deployment) : err;
  }
}

const ZERO = "0x0000000000000000000000000000000000000000";

/** The patient contract registered under `key`, or undefined: one call, whatever the number of patients. */
export async function patientOf(ctx: HospitalContext, key: string): Promise<string | undefined> {
  const [address] = await registryCall({ chain: ctx.chain, registry: ctx.deployment.hospital.registry }, "patientOf", [key]);
  return String(address).toLowerCase() === ZERO ? undefined : checksumAddress(String(address));
}

export async function patientCount(ctx: HospitalContext): Promise<number> {
  const [n] = await registryCall({ chain: ctx.chain, registry: ctx.deployment.hospital.registry }, "patientCount");
  return Number(n);
}

/** Every PatientCreated event of the registry: (key, contract) pairs, for `xray doctor`. */
export async function patientsOnChain(ctx: HospitalContext): Promise<{ key: string; contract: string }[]> {
  const abi = artifact("hospital").abi;
  const { eventTopic } = require("../chain/abi") as typeof import("../chain/abi");
  const logs = await ctx.chain.provider.request<{ address: string; topics: string[]; data: string }[]>("eth_getLogs", [
    { address: ctx.deployment.hospital.registry, fromBlock: "0x" + ctx.deployment.hospital.block.toString(16), toBlock: "latest", topics: [eventTopic(abi, "PatientCreated")] },
  ]);
  return decodeEvents(abi, logs).map((e) => ({ key: String(e.args.key).toLowerCase(), contract: checksumAddress(String(e.args.patient)) }));
}
