/** A hospital patient's profile: the register's clear values where it has them, else the commitments. */
import type { Chain, PatientRef } from "../chain/chain";
import { commitField, PROFILE_FIELDS, type ProfileField } from "./commitments";
import { commitmentsOf } from "./disclosure";
import { openRegister } from "./choose";
import { hospitalContext } from "./registry";
import { registerFile } from "./register";
import * as fs from "node:fs";

export interface CommittedProfileField {
  field: ProfileField;
  /** The clear value, when this home's register has it and it matches the chain; else null. */
  value: string | null;
  commitment: string;
}

/** null when the patient's profile is public (the paper's clear fields: read them from xr). */
export async function committedProfile(chain: Chain, patient: PatientRef): Promise<CommittedProfileField[] | null> {
  const on = await commitmentsOf(chain, patient.contract);
  if (!on.fields) return null;
  const ctx = hospitalContext(chain);
  if (!patient.n || !fs.existsSync(registerFile(chain.home, ctx.deployment.hospital.registry))) {
    return PROFILE_FIELDS.map((field) => ({ field, value: null, commitment: on.fields![field] }));
  }
  const reg = await openRegister(chain, ctx.deployment.hospital.registry);
  try {
    const local = new Map(reg.fields(patient.n).map((f) => [f.field, f]));
    return PROFILE_FIELDS.map((field) => {
      const f = local.get(field);
      const commitment = on.fields![field];
      const value = f && commitField(f.salt, f.value) === commitment.toLowerCase() ? f.value : null;
      return { field, value, commitment };
    });
  } finally {
    reg.close();
  }
}
