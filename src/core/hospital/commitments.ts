/**
 * Salted commitments to a patient's profile fields: keccak256(salt ‖ UTF-8 value), one random
 * 32-byte salt per field. Only the commitments go on chain; values and salts stay in the register.
 */
import { randomBytes } from "node:crypto";

/** The committed fields, in the order of the clone's `ProfileCommitted(root, fields[6])`. */
export const PROFILE_FIELDS = ["name", "birthday", "contact", "age", "gender", "bloodType"] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfileValues = Record<ProfileField, string>;

function keccak(data: Uint8Array): string {
  return (require("web3-utils") as typeof import("web3-utils")).keccak256(data);
}

function hexBytes(hex: string): Buffer {
  return Buffer.from(hex.replace(/^0x/, ""), "hex");
}

/** A fresh random salt, 0x + 64 hex digits. */
export function newSalt(): string {
  return "0x" + randomBytes(32).toString("hex");
}

/** keccak256(salt ‖ UTF-8 value): what the chain holds for one field. */
export function commitField(salt: string, value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new Error(`a salt is 0x and 64 hex digits, got "${salt}"`);
  return keccak(Buffer.concat([hexBytes(salt), Buffer.from(value, "utf8")]));
}

/** keccak256(abi.encode(bytes32[6])): the root the clone stores. */
export function commitmentRoot(commitments: readonly string[]): string {
  return keccak(Buffer.concat(commitments.map(hexBytes)));
}

/** The patient key: keccak256(hospital secret ‖ UTF-8 medical record number); never the MRN itself. */
export function patientKey(secret: string, mrn: string): string {
  return keccak(Buffer.concat([hexBytes(secret), Buffer.from(mrn, "utf8")]));
}

export interface CommittedField {
  field: ProfileField;
  value: string;
  salt: string;
  commitment: string;
}

/** Salts and commits every field of a profile (absent fields are committed as ""). */
export function commitProfile(values: Partial<ProfileValues>): CommittedField[] {
  return PROFILE_FIELDS.map((field) => {
    const value = values[field] ?? "";
    const salt = newSalt();
    return { field, value, salt, commitment: commitField(salt, value) };
  });
}
