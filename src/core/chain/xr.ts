import { RevertError, UsageError, XrayError } from "../../errors";
import { decodeEvents, decodeResult, encodeCall, type DecodedEvent } from "./abi";
import { artifact } from "./artifacts";
import type { Chain } from "./chain";
import { requireDeployment, type Deployment } from "./deployment";
import { explainRevert } from "./explain";
import { callRaw, sendTx, type TxResult } from "./tx";

/** The deployed xr contract on a chain: what every action takes first. */
export interface XrContext {
  chain: Chain;
  deployment: Deployment;
}

/** A mined transaction and the xr events it emitted. */
export interface TxOutcome {
  tx: TxResult;
  events: DecodedEvent[];
}

/** The xr contract of this chain's deployment (NotDeployedError if `xray init` never ran). */
export function xrContext(chain: Chain): XrContext {
  const deployment = requireDeployment(chain);
  if (!deployment.hospital) return { chain, deployment };
  const p = chain.patient;
  if (!p) {
    // a home that had the paper's patient before it became a hospital keeps it as the default
    if (deployment.xr !== deployment.hospital.implementation) return { chain, deployment };
    throw new UsageError("no patient chosen on this hospital home: give --patient <mrn|#n|address> (or XRAY_PATIENT), or add one with `xray patients add`");
  }
  // The patient's clone has the paper's ABI: every xr action works on it unchanged.
  return { chain, deployment: { ...deployment, xr: p.contract, roles: { ...deployment.roles, patient: p.account ?? deployment.roles.patient } } };
}

/** Where permissions are granted: the hospital registry (hospital-wide) on a hospital home, else xr. */
export function permissionContext(chain: Chain): XrContext {
  const deployment = requireDeployment(chain);
  return deployment.hospital ? { chain, deployment: { ...deployment, xr: deployment.hospital.registry } } : { chain, deployment };
}

/** Calls a view function; reverts come back as sentences. */
export async function xrCall(ctx: XrContext, fn: string, args: unknown[] = []): Promise<unknown[]> {
  const abi = artifact("xr").abi;
  try {
    const raw = await callRaw(ctx.chain, ctx.deployment.xr, encodeCall(abi, fn, args));
    if (raw === "0x") await requireCode(ctx);
    return decodeResult(abi, fn, raw);
  } catch (err) {
    throw err instanceof RevertError ? explainRevert(err, fn, ctx.deployment) : err;
  }
}

/**
 * An empty answer from a view function means no contract at the recorded address: the chain
 * was reset, replaced or lost its data since `xray init` recorded the deployment.
 */
async function requireCode(ctx: XrContext): Promise<void> {
  const code = await ctx.chain.provider.request<string>("eth_getCode", [ctx.deployment.xr, "latest"]);
  if (code !== "0x") return;
  throw new XrayError(
    `no xr contract at ${ctx.deployment.xr} on ${ctx.chain.provider.description}, where deployments.json records one: the chain was reset or its database lost data; run \`xray doctor\`, then restore the chain from a backup or deploy again with \`xray init --force\``,
    "NO_CONTRACT",
  );
}

/** Sends a transaction to xr from `from` and decodes its events. */
export async function xrSend(ctx: XrContext, fn: string, args: unknown[], from: string, options: { checked?: boolean } = {}): Promise<TxOutcome> {
  const abi = artifact("xr").abi;
  try {
    const tx = await sendTx(ctx.chain, { from, to: ctx.deployment.xr, data: encodeCall(abi, fn, args), checked: options.checked });
    return { tx, events: decodeEvents(abi, tx.logs) };
  } catch (err) {
    throw err instanceof RevertError ? explainRevert(err, fn, ctx.deployment) : err;
  }
}

/** A raw log of the xr contract. */
export interface XrLog {
  topics: string[];
  data: string;
  address: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: string;
}

/**
 * Every log of the deployed xr contract since its deployment that matches `topics`
 * (topic0 = `eventTopic(...)`, or a list of them; null = any): one eth_getLogs.
 */
export function xrLogs(ctx: XrContext, topics: (string | string[] | null)[]): Promise<XrLog[]> {
  return ctx.chain.provider.request<XrLog[]>("eth_getLogs", [
    { address: ctx.deployment.xr, fromBlock: "0x" + ctx.deployment.block.toString(16), toBlock: "latest", topics },
  ]);
}
