import { readDeployment } from "../chain/deployment";
import type { Chain, PatientRef } from "../chain/chain";
import type { LockOptions } from "../lock";
import { PatientRegister, registerFile } from "./register";
import { hospitalContext, HospitalMissingError } from "./registry";
import { registeredOnChain, selectPatient } from "./select";
import * as fs from "node:fs";

/**
 * The patient per-patient commands act on: on a hospital home, `selector` (else the register's
 * current patient); elsewhere none, and a selector is refused (exit 2).
 */
export async function choosePatient(chain: Chain, selector: string | undefined, lock: LockOptions = {}): Promise<PatientRef | undefined> {
  const deployment = readDeployment(chain.home, chain.key);
  if (!deployment?.hospital) {
    if (selector) throw new HospitalMissingError(chain.provider.description);
    return undefined;
  }
  const ctx = hospitalContext(chain);
  const missing = !fs.existsSync(registerFile(chain.home, deployment.hospital.registry));
  if (!selector && missing) return undefined;
  if (selector && /^0x[0-9a-fA-F]{40}$/.test(selector.trim()) && !fs.existsSync(registerFile(chain.home, deployment.hospital.registry))) {
    return registeredOnChain(ctx, selector.trim()); // no register here: the chain's commitments only
  }
  const reg = await openRegister(ctx.chain, deployment.hospital.registry, lock);
  try {
    return await selectPatient(ctx, reg, selector);
  } finally {
    reg.close();
  }
}

/** Opens the hospital's register in the home (created with the hospital by `xray hospital init`). */
export function openRegister(chain: Chain, registry: string, lock: LockOptions = {}, create = false): Promise<PatientRegister> {
  return PatientRegister.open(registerFile(chain.home, registry), { ...lock, create });
}
