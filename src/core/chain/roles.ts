/** The contract's UserType enum, in order: index 1 is Doctor. */
export const USER_TYPES = ["none", "doctor", "host", "gov", "patient"] as const;
export type UserTypeName = (typeof USER_TYPES)[number];
/** The user types setPermission can grant. */
export const GRANTABLE: readonly UserTypeName[] = ["doctor", "host"];
export const GENDERS = ["male", "female", "other"] as const;
export const BLOOD_TYPES = ["A", "B", "AB", "O"] as const;

export const userTypeName = (value: unknown): UserTypeName => USER_TYPES[Number(value)] ?? "none";
/** A requester's access to the patient's images, as the contract's `Access` enum numbers it. */
export const ACCESS_STATES = ["none", "requested", "approved", "denied", "revoked"] as const;
export type AccessState = (typeof ACCESS_STATES)[number];
