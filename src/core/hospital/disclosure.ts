/** Disclosure: a field's value and salt, which anyone can check against the patient's commitments on chain. */
import { UsageError } from "../../errors";
import { decodeEvents, encodeCall, decodeResult, eventTopic } from "../chain/abi";
import { artifact } from "../chain/artifacts";
import type { Chain } from "../chain/chain";
import { callRaw } from "../chain/tx";
import { commitField, commitmentRoot, PROFILE_FIELDS, type CommittedField, type ProfileField } from "./commitments";

export interface OnChainCommitments {
  /** The root the contract stores now. */
  root: string;
  /** The fields of the latest ProfileCommitted event, or null for a clear (paper-style) profile. */
  fields: Record<ProfileField, string> | null;
}

/** The patient contract's commitments: its stored root and the latest event's fields (checked against it). */
export async function commitmentsOf(chain: Chain, contract: string, fromBlock = 0): Promise<OnChainCommitments> {
  const abi = artifact("xrpatient").abi;
  const [root] = decodeResult(abi, "profileRoot", await callRaw(chain, contract, encodeCall(abi, "profileRoot", [])));
  const logs = await chain.provider.request<{ address: string; topics: string[]; data: string }[]>("eth_getLogs", [
    { address: contract, fromBlock: "0x" + fromBlock.toString(16), toBlock: "latest", topics: [eventTopic(abi, "ProfileCommitted"), String(root)] },
  ]);
  const events = decodeEvents(abi, logs);
  const last = events[events.length - 1];
  if (!last) return { root: String(root), fields: null };
  const values = (last.args.fields as string[]).map(String);
  if (commitmentRoot(values) !== String(root)) throw new UsageError(`the commitments of ${contract} do not match its root`);
  return { root: String(root), fields: Object.fromEntries(PROFILE_FIELDS.map((f, i) => [f, values[i]])) as Record<ProfileField, string> };
}

export function parseField(text: string): ProfileField {
  const t = text.trim().replace(/[-_ ]/g, "").toLowerCase();
  const f = PROFILE_FIELDS.find((x) => x.toLowerCase() === t);
  if (!f) throw new UsageError(`unknown field "${text}": expected one of ${PROFILE_FIELDS.join(", ")}`);
  return f;
}

export interface DisclosureCheck {
  field: ProfileField;
  value: string;
  valid: boolean;
  /** Why not, when not valid. */
  reason?: string;
}

/** Checks a disclosed value and salt against the patient contract's commitment for `field`. */
export async function checkDisclosure(chain: Chain, contract: string, d: { field: ProfileField; value: string; salt: string }): Promise<DisclosureCheck> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(d.salt)) throw new UsageError(`a salt is 0x and 64 hex digits, got "${d.salt}"`);
  const on = await commitmentsOf(chain, contract);
  if (!on.fields) return { field: d.field, value: d.value, valid: false, reason: "the profile is public (in the clear), not committed" };
  const valid = commitField(d.salt, d.value) === on.fields[d.field].toLowerCase();
  return { field: d.field, value: d.value, valid, ...(valid ? {} : { reason: `keccak256(salt, value) is not the ${d.field} commitment on chain` }) };
}

/** What `patients disclose` prints: the register's value, salt and commitment of each field asked. */
export function disclose(fields: CommittedField[], only?: ProfileField[]): CommittedField[] {
  return only?.length ? fields.filter((f) => only.includes(f.field)) : fields;
}
