import * as fs from "node:fs";
import { UsageError, XrayError } from "../errors";
import { sharedImages, type ImageOnChain } from "./chain/actions/access";
import { getProfile } from "./chain/actions/profile";
import { getXray, recordedHashes } from "./chain/actions/records";
import type { XrContext } from "./chain/xr";
import { isDicomBytes } from "./dicom/dicom-file";
import { extractFile } from "./imaging/stego";
import type { IpfsStore } from "./ipfs/store";
import { decryptFromKeyring, openImage, resolveImage, sha256Hex, type Unlocker } from "./share";

/**
 * The patient data xray hides in an image (Jabarulla et al.: "the patient's description"):
 * the patient as the ledger knows them and the image's description, tied to one contract.
 */
export interface PatientInfo {
  xray: 1;
  contract: string;
  patient: string;
  name: string;
  age: number;
  gender: string;
  bloodType: string;
  birthday: string | null;
  contact: string | null;
  description: string;
  /** A hospital patient: each profile field's [value, salt], checked against the commitments on chain. */
  committed?: Record<string, [string, string]>;
}

const FIELDS: (keyof PatientInfo)[] = ["contract", "patient", "name", "age", "gender", "bloodType", "birthday", "contact", "description"];

/** The ledger's patient information for an image described as `description`. */
export async function ledgerInfo(ctx: XrContext, description: string): Promise<PatientInfo> {
  const p = await getProfile(ctx);
  if (ctx.deployment.hospital && ctx.chain.patient) {
    const { hospitalLedgerInfo } = require("./hospital/authenticate") as typeof import("./hospital/authenticate");
    const info = await hospitalLedgerInfo(ctx.chain, ctx.chain.patient, p.patient, description);
    if (info) return info;
  }
  return { xray: 1, contract: ctx.deployment.xr, patient: p.patient, name: p.name, age: p.age, gender: p.gender, bloodType: p.bloodType, birthday: p.birthday, contact: p.contact, description };
}

/** The bytes hidden for `info`: compact JSON, fields in a fixed order. */
export function encodePatientInfo(info: PatientInfo): Uint8Array {
  const committed = info.committed ? [["committed", info.committed]] : [];
  return new TextEncoder().encode(JSON.stringify(Object.fromEntries([["xray", 1], ...FIELDS.map((f) => [f, info[f]]), ...committed])));
}

/** The hidden text as patient info, or undefined when it is some other text. */
export function decodePatientInfo(text: string): PatientInfo | undefined {
  try {
    const v = JSON.parse(text);
    return v && v.xray === 1 && typeof v.patient === "string" ? (v as PatientInfo) : undefined;
  } catch {
    return undefined;
  }
}

export interface Check {
  ok: boolean;
  /** One line: what was checked and what was found. */
  reason: string;
  code?: string;
}

export interface Authentication {
  ok: boolean;
  target: string;
  sha256?: string;
  /** Case 1: the image's SHA-256 against the chain (and, for a CID, every block against IPFS). */
  checksum: Check & { record?: string };
  /** Case 2: the hidden patient information against the ledger. */
  hidden: Check & { found?: PatientInfo | string; ledger?: PatientInfo; differences?: { field: string; image: unknown; ledger: unknown }[] };
}

/**
 * Jabarulla et al.'s two cases: an image is authentic only if (1) its checksum matches the
 * ledger and (2) the information hidden in it matches the ledger. `target` is an image file,
 * a CID, or a shared image number (#n). Never throws for a failed check: both results come
 * back, so the caller can say which failed and why.
 */
/** Bad input before any work: a target that is neither a file, a CID nor #n. */
export function checkTarget(target: string): void {
  if (fs.existsSync(target)) return;
  if (!/^(#?\d+|Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{20,})$/.test(target.trim())) {
    throw new UsageError(`${target} is neither a file nor a CID (Qm... or bafy...) nor a shared image number (#n)`);
  }
}

export async function authenticate(p: { ctx: XrContext; store: () => Promise<IpfsStore>; unlocker: Unlocker; target: string }): Promise<Authentication> {
  const { ctx, unlocker, target } = p;
  // The ledger's shared images, read once (one eth_getLogs) for both cases.
  let shared: Promise<ImageOnChain[]> | undefined;
  const images = () => (shared ??= sharedImages(ctx));
  let data: Uint8Array;
  let record: { description?: string; label: string } | undefined;
  let checksum: Authentication["checksum"];
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isFile()) throw new UsageError(`${target} is a folder; give one image, a CID or #n`);
    data = fs.readFileSync(target);
    const sha256 = sha256Hex(data);
    record = await recordOf(ctx, images, sha256);
    checksum = record
      ? { ok: true, reason: `SHA-256 ${sha256} is recorded on chain (${record.label})`, record: record.label }
      : isDicomBytes(data)
        ? await (require("./dicom/ledger") as typeof import("./dicom/ledger")).dicomOnLedger(ctx, Buffer.from(data), sha256)
        : { ok: false, code: "NOT_ON_LEDGER", reason: `SHA-256 ${sha256} is not on the ledger: the image was changed, or never recorded` };
  } else {
    checkTarget(target);
    let image: ImageOnChain;
    try {
      image = await resolveImage(ctx, target);
    } catch (err) {
      // A CID the chain does not know fails case 1; a malformed one is the user's typo.
      if (err instanceof UsageError && !/not recorded on chain|no shared image/.test(err.message)) throw err;
      return failedBoth(target, err);
    }
    try {
      data = (await openImage(ctx, await p.store(), unlocker, image)).data;
    } catch (err) {
      return failedBoth(target, err, image.sha256);
    }
    record = await recordOf(ctx, images, image.sha256);
    checksum = { ok: true, reason: `every block matches CID ${image.cid}, and the decrypted image matches SHA-256 ${image.sha256} on chain (${record?.label ?? "approved copy"})`, record: record?.label };
  }
  const hidden = await checkHidden(ctx, images, unlocker, data, record?.description);
  return { ok: checksum.ok && hidden.ok, target, sha256: sha256Hex(data), checksum, hidden };
}

/** The ledger's record of an image hash: the latest shared image with it, else an X-ray record. */
async function recordOf(ctx: XrContext, images: () => Promise<ImageOnChain[]>, sha256: string): Promise<{ description?: string; label: string } | undefined> {
  const shared = (await images()).filter((i) => i.sha256 === sha256);
  const last = shared[shared.length - 1];
  if (last) return { description: last.description, label: `shared image #${last.number}, ${last.cid}, block ${last.block}` };
  const index = (await recordedHashes(ctx, sha256)).get(sha256)?.[0];
  if (index === undefined) return undefined;
  const r = await getXray(ctx, index);
  return { description: undefined, label: `X-ray record #${index}, ${r.part}, by ${r.doctor || r.author}` };
}

async function checkHidden(ctx: XrContext, images: () => Promise<ImageOnChain[]>, unlocker: Unlocker, data: Uint8Array, description: string | undefined): Promise<Authentication["hidden"]> {
  let text: string;
  try {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
    const frame = isDicomBytes(buf) ? await (require("./dicom/stego") as typeof import("./dicom/stego")).extractAny(buf) : await extractFile(buf);
    const payload = frame.encrypted ? (await decryptFromKeyring(unlocker, frame.payload, "the hidden data")).data : frame.payload;
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch (err) {
    const e = err as XrayError;
    return { ok: false, code: e.code ?? "STEGO_FAILED", reason: e.message };
  }
  const found = decodePatientInfo(text);
  if (!found) {
    const ok = description !== undefined && text === description;
    return { ok, found: text, ...(ok ? {} : { code: "HIDDEN_MISMATCH" }), reason: ok ? "the hidden text equals the image's description on the ledger" : `the hidden text "${clip(text)}" is not the ledger's patient information${description === undefined ? "" : ` nor its description "${clip(description)}"`}` };
  }
  // Case 2 stands on its own: when the checksum found no record, a shared image with the
  // hidden description still confirms that description is on the ledger.
  const described = description ?? (await images()).find((i) => i.description === found.description)?.description;
  const ledger = await ledgerInfo(ctx, described ?? found.description);
  // A hospital patient's profile is compared with its commitments on chain, not clear values.
  const compared = found.committed ? FIELDS.filter((f) => ["contract", "patient", "description"].includes(f)) : FIELDS;
  const differences: { field: string; image: unknown; ledger: unknown }[] = compared.filter((f) => String(found[f] ?? "") !== String(ledger[f] ?? "")).map((f) => ({ field: f, image: found[f], ledger: ledger[f] }));
  if (found.committed) {
    const { committedDifferences } = require("./hospital/authenticate") as typeof import("./hospital/authenticate");
    differences.push(...(await committedDifferences(ctx.chain, ctx.deployment.xr, found.committed)));
  }
  if (described === undefined) differences.push({ field: "description", image: found.description, ledger: "(no shared image with this description)" });
  if (!differences.length) return { ok: true, found, ledger, differences, reason: `the hidden patient data (${found.name}, ${found.patient}, "${clip(found.description)}") matches the ledger` };
  const list = differences.map((d) => `${d.field}: image says ${JSON.stringify(d.image)}, ledger says ${JSON.stringify(d.ledger)}`).join("; ");
  return { ok: false, code: "HIDDEN_MISMATCH", found, ledger, differences, reason: `the hidden patient data does not match the ledger: ${list}` };
}

function failedBoth(target: string, err: unknown, sha256?: string): Authentication {
  if (!(err instanceof XrayError)) throw err;
  return {
    ok: false,
    target,
    sha256,
    checksum: { ok: false, code: err.code, reason: err.message },
    hidden: { ok: false, code: "NOT_CHECKED", reason: "not checked: the image could not be verified and opened" },
  };
}

const clip = (s: string) => (s.length > 80 ? s.slice(0, 77) + "..." : s);
