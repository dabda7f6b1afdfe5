import { UsageError } from "../../errors";
import { toChecksum } from "./abi-codec";
import type { Chain } from "./chain";
import { DEFAULT_ROLE_INDEX, ROLE_NAMES, type Deployment, type RoleName } from "./deployment";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** EIP-55 checksum form of an address. */
export function checksumAddress(address: string): string {
  return toChecksum(address);
}

/** Validates an address; a mixed-case one must carry a correct EIP-55 checksum. */
export function parseAddress(text: string): string {
  if (!ADDRESS.test(text)) throw new UsageError(`malformed address "${text}": expected 0x and 40 hex digits`);
  const lower = text.slice(2) === text.slice(2).toLowerCase();
  const upper = text.slice(2) === text.slice(2).toUpperCase();
  const fixed = checksumAddress(text);
  if (!lower && !upper && fixed !== text) throw new UsageError(`malformed address "${text}": wrong checksum (did you mean ${fixed}?)`);
  return fixed;
}

/**
 * Resolves an account given as an address, an index into the chain's accounts, or a role
 * name (gov, host, doctor, patient: the deployment's accounts, else accounts 0-3).
 */
export async function resolveAccount(chain: Chain, spec: string, deployment?: Deployment): Promise<string> {
  const s = spec.trim();
  if (s.startsWith("0x") || s.startsWith("0X")) return parseAddress(s);
  if (/^\d+$/.test(s)) return accountAt(chain, Number(s));
  const role = s.toLowerCase() as RoleName;
  if (ROLE_NAMES.includes(role)) {
    const recorded = deployment?.roles[role];
    return recorded ? checksumAddress(recorded) : accountAt(chain, DEFAULT_ROLE_INDEX[role], role);
  }
  throw new UsageError(`unknown account "${spec}": give an address (0x...), an account index, or one of ${ROLE_NAMES.join("|")}`);
}

async function accountAt(chain: Chain, index: number, role?: string): Promise<string> {
  const accounts = await chain.accounts();
  if (index >= accounts.length) {
    const what = role ? `the ${role} role defaults to account ${index}, but` : `account index ${index} does not exist:`;
    throw new UsageError(`${what} ${chain.provider.description} has ${accounts.length} account(s); pass an address or sign with --private-key`);
  }
  return checksumAddress(accounts[index]);
}

/** "0xAbC… (doctor)" when the address holds a role in the deployment, else the address. */
export function labelAccount(address: string, deployment?: Deployment): string {
  const role = ROLE_NAMES.find((r) => deployment?.roles[r]?.toLowerCase() === String(address).toLowerCase());
  return role ? `${checksumAddress(address)} (${role})` : checksumAddress(address);
}
