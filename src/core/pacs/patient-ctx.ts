import type { XrContext } from "../chain/xr";
import type { HospitalContext } from "../hospital/registry";

/** The patient's own xr (an EIP-1167 clone): its event scans start at its creation block. */
export function patientCtx(ctx: HospitalContext, row: { contract: string | null; block: number | null }): XrContext {
  return { chain: ctx.chain, deployment: { ...ctx.deployment, xr: row.contract!, block: row.block ?? ctx.deployment.block } };
}
