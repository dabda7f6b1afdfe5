/** The two-case authenticity check on a hospital patient: the hidden data against the commitments. */
import * as fs from "node:fs";
import type { PatientInfo } from "../authenticate";
import type { Chain, PatientRef } from "../chain/chain";
import { openRegister } from "./choose";
import { commitField, PROFILE_FIELDS } from "./commitments";
import { commitmentsOf } from "./disclosure";
import { registerFile } from "./register";
import { hospitalContext } from "./registry";

/** What `upload --embed` hides for a hospital patient: clear values with their salts; null for a public profile or without the register. */
export async function hospitalLedgerInfo(chain: Chain, patient: PatientRef, account: string, description: string): Promise<PatientInfo | null> {
  const ctx = hospitalContext(chain);
  if (!patient.n || !fs.existsSync(registerFile(chain.home, ctx.deployment.hospital.registry))) return null;
  const reg = await openRegister(chain, ctx.deployment.hospital.registry);
  try {
    const row = reg.byNumber(patient.n);
    if (!row || row.public) return null;
    const v = Object.fromEntries(reg.fields(row.n).map((f) => [f.field, f]));
    const value = (f: string) => v[f]?.value ?? "";
    return {
      xray: 1, contract: patient.contract, patient: account, name: value("name"), age: Number(value("age") || 0), gender: value("gender"),
      bloodType: value("bloodType"), birthday: value("birthday") || null, contact: value("contact") || null, description,
      committed: Object.fromEntries(PROFILE_FIELDS.map((f) => [f, [value(f), v[f]?.salt ?? ""]])),
    };
  } finally {
    reg.close();
  }
}

/** Fields whose hidden [value, salt] does not give the commitment on chain. */
export async function committedDifferences(chain: Chain, contract: string, committed: Record<string, [string, string]>): Promise<{ field: string; image: unknown; ledger: unknown }[]> {
  const on = await commitmentsOf(chain, contract);
  const out: { field: string; image: unknown; ledger: unknown }[] = [];
  for (const f of PROFILE_FIELDS) {
    const [value, salt] = committed[f] ?? ["", ""];
    const ok = on.fields !== null && /^0x[0-9a-fA-F]{64}$/.test(salt) && commitField(salt, value) === on.fields[f].toLowerCase();
    if (!ok) out.push({ field: f, image: value, ledger: on.fields ? `commitment ${on.fields[f].slice(0, 10)}…` : "a public profile" });
  }
  return out;
}
