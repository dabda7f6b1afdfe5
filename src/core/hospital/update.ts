/**
 * set-birthday / set-contact on a hospital patient: a new salt and commitment for the field,
 * the clear value in the register only. Register first (one transaction), then the chain; a
 * refused transaction puts the register back. Public (paper-style) profiles are not handled here.
 */
import { RevertError } from "../../errors";
import { decodeEvents, encodeCall } from "../chain/abi";
import { artifact } from "../chain/artifacts";
import { explainRevert } from "../chain/explain";
import { sendTx } from "../chain/tx";
import type { TxOutcome, XrContext } from "../chain/xr";
import { openRegister } from "./choose";
import { commitField, newSalt, type ProfileField } from "./commitments";

/** Undefined when the patient's profile is public: the caller sends the paper's clear setter. */
export async function setCommittedField(ctx: XrContext, field: ProfileField, value: string, from: string): Promise<TxOutcome | undefined> {
  const patient = ctx.chain.patient;
  const h = ctx.deployment.hospital;
  if (!patient || !h) return undefined;
  const reg = await openRegister(ctx.chain, h.registry);
  try {
    const row = reg.byNumber(patient.n);
    if (!row || row.public) return undefined;
    const before = reg.fields(row.n);
    const salt = newSalt();
    const after = before.map((f) => (f.field === field ? { field, value, salt, commitment: commitField(salt, value) } : f));
    reg.transaction(() => reg.putFields(row.n, after.filter((f) => f.field === field)));
    const abi = artifact("xrpatient").abi;
    try {
      const tx = await sendTx(ctx.chain, { from, to: patient.contract, data: encodeCall(abi, "setCommitments", [after.map((f) => f.commitment)]) });
      return { tx, events: decodeEvents(abi, tx.logs) };
    } catch (err) {
      reg.transaction(() => reg.putFields(row.n, before.filter((f) => f.field === field)));
      throw err instanceof RevertError ? explainRevert(err, field === "birthday" ? "setBirthday" : "setContact", ctx.deployment) : err;
    }
  } finally {
    reg.close();
  }
}
