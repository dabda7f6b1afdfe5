import { checksumAddress } from "../accounts";
import { BLOOD_TYPES, GENDERS } from "../roles";
import { xrCall, xrSend, type TxOutcome, type XrContext } from "../xr";
import { checkText } from "../../validate";

export interface Profile {
  name: string;
  patient: string;
  age: number;
  gender: (typeof GENDERS)[number];
  bloodType: (typeof BLOOD_TYPES)[number];
  /** YYYYMMDD, or null when the host has not set it. */
  birthday: string | null;
  contact: string | null;
}

export async function getProfile(ctx: XrContext): Promise<Profile> {
  const [name, patient, age, gender, bloodType, birthday, contact] = await xrCall(ctx, "profile");
  return {
    name: String(name),
    patient: checksumAddress(String(patient)),
    age: Number(age),
    gender: GENDERS[Number(gender)],
    bloodType: BLOOD_TYPES[Number(bloodType)],
    birthday: String(birthday) || null,
    contact: String(contact) || null,
  };
}

/** Sets the birthday (a real date, YYYYMMDD); from the host. A hospital patient's is committed, not clear. */
export async function setBirthday(ctx: XrContext, p: { birthday: string; from: string }): Promise<TxOutcome> {
  return (await committed(ctx, "birthday", p.birthday, p.from)) ?? xrSend(ctx, "setBirthday", [p.birthday], p.from);
}

/** On a hospital home, the field's new commitment (undefined for a paper or public profile). */
function committed(ctx: XrContext, field: "birthday" | "contact", value: string, from: string): Promise<TxOutcome | undefined> {
  if (!ctx.deployment.hospital) return Promise.resolve(undefined);
  const { setCommittedField } = require("../../hospital/update") as typeof import("../../hospital/update");
  return setCommittedField(ctx, field, value, from);
}

/** Sets the patient's contact; from the host. */
export async function setContact(ctx: XrContext, p: { contact: string; from: string }): Promise<TxOutcome> {
  checkText(p.contact, "contact", "the contact", { allowEmpty: true });
  return (await committed(ctx, "contact", p.contact, p.from)) ?? xrSend(ctx, "setContact", [p.contact], p.from);
}
