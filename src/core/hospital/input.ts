/** Patient details as given (flags or a CSV row), checked and put in canonical form. */
import { UsageError } from "../../errors";
import { parseAddress } from "../chain/accounts";
import { BLOOD_TYPES, GENDERS } from "../chain/roles";
import { checkText, parseDate, parseEnum } from "../validate";
import type { ProfileValues } from "./commitments";

export interface PatientInput {
  /** The hospital's medical record number: never on chain. */
  mrn: string;
  name: string;
  birthday?: string;
  contact?: string;
  age?: string;
  gender?: string;
  bloodType?: string;
  account?: string;
}

export interface CheckedPatient {
  mrn: string;
  account: string | null;
  values: ProfileValues;
}

/** Validates one patient; `where` prefixes messages ("line 7: "). */
export function checkPatient(p: PatientInput, where = ""): CheckedPatient {
  try {
    const mrn = (p.mrn ?? "").trim();
    if (!mrn) throw new UsageError("the medical record number (--mrn) must not be empty");
    if (mrn.length > 64 || /[\u0000-\u001f\u007f]/.test(mrn)) throw new UsageError(`medical record number "${mrn.slice(0, 64)}" is not 1 to 64 printable characters`);
    if (/^#\d+$/.test(mrn) || /^0x[0-9a-fA-F]{40}$/.test(mrn)) throw new UsageError(`medical record number "${mrn}" looks like a patient number or an address: choose another`);
    const name = checkText(p.name ?? "", "name", "the patient's name (--name)");
    const birthday = p.birthday ? parseDate(p.birthday.trim()) : "";
    const contact = p.contact ? checkText(p.contact, "contact", "the contact") : "";
    let age = "";
    if (p.age !== undefined && p.age !== "") {
      if (!/^\d{1,3}$/.test(p.age.trim()) || Number(p.age) > 255) throw new UsageError(`age must be 0 to 255 years, got "${p.age}"`);
      age = String(Number(p.age));
    }
    const gender = p.gender ? GENDERS[parseEnum(p.gender, GENDERS, "gender")] : "";
    const bloodType = p.bloodType ? BLOOD_TYPES[parseEnum(p.bloodType, BLOOD_TYPES, "blood type")] : "";
    const account = p.account ? parseAddress(p.account.trim()) : null;
    return { mrn, account, values: { name, birthday, contact, age, gender, bloodType } };
  } catch (err) {
    if (err instanceof UsageError && where) throw new UsageError(where + err.message);
    throw err;
  }
}

const COLUMNS: Record<string, keyof PatientInput> = {
  mrn: "mrn", name: "name", birthday: "birthday", contact: "contact", age: "age", gender: "gender",
  bloodtype: "bloodType", blood_type: "bloodType", "blood type": "bloodType", account: "account",
};

/**
 * Parses a CSV of patients (RFC 4180: quoted fields, "" for a quote, CRLF or LF). The header
 * names the columns: mrn and name required; birthday, contact, age, gender, blood_type, account optional.
 */
export function parsePatientsCsv(text: string, file = "the CSV"): CheckedPatient[] {
  const rows = csvRows(text.replace(/^\uFEFF/, ""));
  if (!rows.length) throw new UsageError(`${file} is empty: expected a header line (mrn,name,...) and one patient a line`);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const keys = header.map((h) => COLUMNS[h]);
  const unknown = header.filter((h, i) => !keys[i]);
  if (unknown.length) throw new UsageError(`${file}: unknown column "${unknown[0]}" (columns: mrn, name, birthday, contact, age, gender, blood_type, account)`);
  if (!keys.includes("mrn") || !keys.includes("name")) throw new UsageError(`${file}: the header must name the columns mrn and name`);
  const seen = new Map<string, number>();
  const out: CheckedPatient[] = [];
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i];
    if (row.length === 1 && row[0].trim() === "") continue;
    const where = `${file} line ${i + 1}: `;
    if (row.length !== header.length) throw new UsageError(`${where}${row.length} fields, the header has ${header.length}`);
    const input: Partial<PatientInput> = {};
    keys.forEach((k, j) => (input[k!] = row[j]));
    const p = checkPatient(input as PatientInput, where);
    const first = seen.get(p.mrn);
    if (first) throw new UsageError(`${where}medical record number "${p.mrn}" appears twice (first on line ${first})`);
    seen.set(p.mrn, i + 1);
    out.push(p);
  }
  return out;
}

function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), rows.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (quoted) throw new UsageError("the CSV ends inside a quoted field");
  if (field !== "" || row.length) row.push(field), rows.push(row);
  return rows;
}
