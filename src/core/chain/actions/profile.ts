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

/** Sets the birthday (a real date, YYYYMMDD); from the host. */
export function setBirthday(ctx: XrContext, p: { birthday: string; from: string }): Promise<TxOutcome> {
  return xrSend(ctx, "setBirthday", [p.birthday], p.from);
}

/** Sets the patient's contact; from the host. */
export async function setContact(ctx: XrContext, p: { contact: string; from: string }): Promise<TxOutcome> {
  checkText(p.contact, "contact", "the contact", { allowEmpty: true });
  return xrSend(ctx, "setContact", [p.contact], p.from);
}
