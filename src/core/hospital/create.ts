/**
 * Creating patients: the register first (pending), then the chain, then the register again.
 * Resumable and idempotent after kill -9: a batch is marked 'sent' before its transaction;
 * on the next run, a 'sent' patient is looked up on chain (by key: one call) and either
 * recorded or sent again. The chain refuses a key twice, so no patient is ever made twice.
 */
import { keccakHex } from "../chain/keccak";
import { RevertError, UsageError } from "../../errors";
import { checksumAddress } from "../chain/accounts";
import type { TxResult } from "../chain/tx";
import { commitProfile, PROFILE_FIELDS, type ProfileValues } from "./commitments";
import type { CheckedPatient } from "./input";
import { patientKey } from "./commitments";
import type { PatientRegister, PatientRow } from "./register";
import { patientOf, registrySend, type HospitalContext } from "./registry";

export interface CreatePatientsOptions {
  /** Sender: gov or a host of the hospital. */
  from: string;
  /** The paper's clear profile on chain (demonstrations). */
  publicProfile?: boolean;
  /** An MRN already in the register with the same details is skipped (import), not refused (add). */
  skipExisting?: boolean;
  /** Patients per transaction (createPatients); default 50. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CreatePatientsResult {
  created: PatientRow[];
  /** Already in the register and on chain (a rerun). */
  skipped: number;
  /** Sent by an interrupted run and found on chain now. */
  recovered: number;
  txs: TxResult[];
}

const BATCH = 50;
/** topic0 of PatientCreated(bytes32,address,address); xray's own keccak: web3-utils costs ~50 ms to load at start-up (`pacs anchor`). */
const CREATED = keccakHex("PatientCreated(bytes32,address,address)");

export async function createPatients(ctx: HospitalContext, reg: PatientRegister, patients: CheckedPatient[], o: CreatePatientsOptions): Promise<CreatePatientsResult> {
  let skipped = 0;
  const inserted = reg.transaction(() => {
    const fresh = [];
    for (const p of patients) {
      const existing = reg.byMrn(p.mrn);
      if (existing) {
        // a rerun of an import, or of an add that was interrupted before the chain had it
        if ((o.skipExisting || existing.status !== "onchain") && sameDetails(reg, existing, p)) {
          skipped += existing.status === "onchain" ? 1 : 0;
          continue;
        }
        throw new UsageError(`medical record number "${p.mrn}" is already patient #${existing.n}${o.skipExisting ? " with other details" : ""}`);
      }
      fresh.push({ key: patientKey(reg.secret, p.mrn), mrn: p.mrn, account: p.account, public: Boolean(o.publicProfile), fields: commitProfile(p.values) });
    }
    return reg.insert(fresh);
  });
  const recovered = await recoverSent(ctx, reg);
  const txs: TxResult[] = [];
  const created: PatientRow[] = [];
  const total = reg.count("pending");
  let done = 0;
  // Gas per patient measured on the first batch: later batches skip the estimate (a second
  // execution of the whole batch); one that would fail still fails, as a RevertError.
  let perPatient: number | undefined;
  o.onProgress?.(0, total);
  for (;;) {
    const batch = reg.list({ status: "pending", limit: o.publicProfile ? 1 : (o.batchSize ?? BATCH) });
    if (!batch.length) break;
    reg.transaction(() => reg.setStatus(batch.map((r) => r.n), "sent"));
    let tx: TxResult;
    try {
      const gas = perPatient && batch.length > 1 ? BigInt(Math.ceil(perPatient * batch.length * 1.2) + 100_000) : undefined;
      tx = await sendBatch(ctx, reg, batch, o.from, gas);
    } catch (err) {
      // A refusal (not a host, a key already on chain): undo this run's rows, nothing half-written.
      if (err instanceof RevertError) reg.transaction(() => reg.remove(inserted.concat(batch.map((r) => r.n)).filter((n) => reg.byNumber(n)?.status !== "onchain")));
      throw err instanceof RevertError && err.errorName === "DuplicatePatient" ? duplicateOnChain(batch, err) : err;
    }
    txs.push(tx);
    if (batch.length > 1) perPatient = Math.max(perPatient ?? 0, tx.gasUsed / batch.length);
    const byKey = new Map<string, string>();
    for (const log of tx.logs) if (log.topics[0] === CREATED && log.address.toLowerCase() === ctx.deployment.hospital.registry.toLowerCase()) byKey.set(log.topics[1].toLowerCase(), "0x" + log.topics[2].slice(26));
    reg.transaction(() => {
      for (const r of batch) reg.markCreated(r.n, { contract: byKey.get(r.key)!, tx: tx.hash, block: tx.block });
    });
    for (const r of batch) created.push(reg.byNumber(r.n)!);
    done += batch.length;
    o.onProgress?.(done, total);
  }
  return { created, skipped, recovered, txs };
}

function sendBatch(ctx: HospitalContext, reg: PatientRegister, batch: PatientRow[], from: string, gas?: bigint): Promise<TxResult> {
  const commitments = (r: PatientRow) => reg.fields(r.n).map((f) => f.commitment);
  const account = (r: PatientRow) => r.account ?? "0x0000000000000000000000000000000000000000";
  if (batch.length === 1 && batch[0].public) {
    const r = batch[0];
    const v = Object.fromEntries(reg.fields(r.n).map((f) => [f.field, f.value])) as ProfileValues;
    const { GENDERS, BLOOD_TYPES } = require("../chain/roles") as typeof import("../chain/roles");
    const args = [r.key, account(r), v.name, Number(v.age || 0), Math.max(0, GENDERS.indexOf(v.gender as never)), Math.max(0, BLOOD_TYPES.indexOf(v.bloodType as never))];
    return registrySend(ctx, "createPublicPatient", args, from).then((o) => o.tx);
  }
  if (batch.length === 1) return registrySend(ctx, "createPatient", [batch[0].key, account(batch[0]), commitments(batch[0])], from).then((o) => o.tx);
  return registrySend(ctx, "createPatients", [batch.map((r) => r.key), batch.map(account), batch.map(commitments)], from, gas).then((o) => o.tx);
}

/** Patients a killed run marked 'sent': on chain now (recorded) or not (sent again). */
async function recoverSent(ctx: HospitalContext, reg: PatientRegister): Promise<number> {
  let recovered = 0;
  for (const r of reg.list({ status: "sent" })) {
    const contract = await patientOf(ctx, r.key);
    reg.transaction(() => (contract ? reg.markCreated(r.n, { contract, tx: null, block: null }) : reg.setStatus([r.n], "pending")));
    if (contract) recovered++;
  }
  return recovered;
}

function sameDetails(reg: PatientRegister, row: PatientRow, p: CheckedPatient): boolean {
  const stored = Object.fromEntries(reg.fields(row.n).map((f) => [f.field, f.value]));
  return PROFILE_FIELDS.every((f) => (stored[f] ?? "") === p.values[f]) && (row.account ?? null) === (p.account?.toLowerCase() ?? null);
}

function duplicateOnChain(batch: PatientRow[], err: RevertError): UsageError {
  const key = String(err.args[0]).toLowerCase();
  const row = batch.find((r) => r.key === key);
  return new UsageError(
    `medical record number "${row?.mrn ?? "?"}" is already a patient on chain at ${checksumAddress(String(err.args[1]))} but missing from the register (restored from an older backup?): run \`xray doctor\``,
  );
}
