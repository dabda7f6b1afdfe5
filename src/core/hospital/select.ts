/** `--patient <mrn|#n|address>`: which patient a per-patient command acts on. */
import { UsageError } from "../../errors";
import { checksumAddress } from "../chain/accounts";
import type { PatientRef } from "../chain/chain";
import type { PatientRegister, PatientRow } from "./register";
import type { HospitalContext } from "./registry";

/** Finds a patient in the register by `#n`, contract address, or medical record number. */
export function findPatient(reg: PatientRegister, selector: string): PatientRow | undefined {
  const s = selector.trim();
  if (/^#\d+$/.test(s)) return reg.byNumber(Number(s.slice(1)));
  if (/^0x[0-9a-fA-F]{40}$/.test(s)) return reg.byContract(s);
  return reg.byMrn(s);
}

/**
 * The patient `selector` names (else the register's current one), ready for the chain; a
 * UsageError (exit 2) names what is wrong: unknown, not on chain yet, not this hospital's.
 */
export async function selectPatient(ctx: HospitalContext, reg: PatientRegister, selector: string | undefined): Promise<PatientRef | undefined> {
  if (selector === undefined || selector === "") {
    const current = reg.meta("current");
    return current ? toRef(reg.byNumber(Number(current))!) : undefined;
  }
  const row = findPatient(reg, selector);
  if (!row) throw await unknownPatient(ctx, selector);
  return toRef(row);
}

function toRef(row: PatientRow): PatientRef {
  if (row.status !== "onchain" || !row.contract) {
    throw new UsageError(`patient #${row.n} is not on chain yet (an interrupted add or import): run \`xray patients import\` or \`xray patients add\` again to finish it`);
  }
  return { n: row.n, mrn: row.mrn, contract: checksumAddress(row.contract), account: row.account ? checksumAddress(row.account) : null };
}

/** A patient contract this hospital created, found on chain alone (a home without the register). */
export async function registeredOnChain(ctx: HospitalContext, address: string): Promise<PatientRef> {
  const err = await unknownPatient(ctx, address);
  if (!/missing from the register/.test(err.message)) throw err;
  return { n: 0, mrn: "", contract: checksumAddress(address), account: null };
}

async function unknownPatient(ctx: HospitalContext, selector: string): Promise<UsageError> {
  const s = selector.trim();
  if (/^#\d+$/.test(s)) return new UsageError(`no patient ${s} in the register`);
  if (!/^0x[0-9a-fA-F]{40}$/.test(s)) return new UsageError(`unknown patient: no medical record number "${s}" in the register`);
  // An address: is it a patient of this hospital on chain that the register lacks?
  const topic = "0x" + "0".repeat(24) + s.slice(2).toLowerCase();
  const logs = await ctx.chain.provider.request<unknown[]>("eth_getLogs", [
    { address: ctx.deployment.hospital.registry, fromBlock: "0x" + ctx.deployment.hospital.block.toString(16), toBlock: "latest", topics: [null, null, topic] },
  ]);
  return logs.length
    ? new UsageError(`${s} is a patient of this hospital on chain but missing from the register (restored from an older backup?): run \`xray doctor\``)
    : new UsageError(`${s} is not a patient contract registered by this hospital`);
}
