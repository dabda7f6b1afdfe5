/**
 * Case 1 of `xray authenticate` for a DICOM instance whose file SHA-256 is not on the ledger:
 * a PACS or a network transfer rewrites the file (meta header, transfer syntax) without
 * changing the image, so the instance still passes when both its content digest and its
 * identity digest are recorded (as `upload --embed` anchors them). docs/dicom-sharing.md.
 */
import { recordedHashes } from "../chain/actions/records";
import type { XrContext } from "../chain/xr";
import { dicomDigests } from "./digests";

export interface DicomLedgerCheck {
  ok: boolean;
  reason: string;
  code?: string;
  record?: string;
}

/** The content and identity digests of `data` against the X-ray records. */
export async function dicomOnLedger(ctx: XrContext, data: Buffer, fileSha256: string): Promise<DicomLedgerCheck> {
  let d;
  try {
    d = await dicomDigests(data);
  } catch (err) {
    return { ok: false, code: "NOT_ON_LEDGER", reason: `SHA-256 ${fileSha256} is not on the ledger, and the DICOM instance cannot be read for its digests (${(err as Error).message})` };
  }
  const [content, identity] = await Promise.all([recordedHashes(ctx, d.contentSha256), recordedHashes(ctx, d.identitySha256)]);
  const c = content.get(d.contentSha256)?.[0];
  const i = identity.get(d.identitySha256)?.[0];
  if (c !== undefined && i !== undefined) {
    return { ok: true, record: `X-ray records #${c}, #${i}`, reason: `same image, file re-encoded: the file's SHA-256 is not on the ledger, but its content digest (X-ray #${c}) and identity digest (X-ray #${i}) are` };
  }
  if (c !== undefined) return { ok: false, code: "IDENTITY_CHANGED", reason: `same image, identity changed: its content digest is on the ledger (X-ray #${c}) but not its identity digest ${d.identitySha256} (patient or study attributes differ)` };
  return { ok: false, code: "NOT_ON_LEDGER", reason: `SHA-256 ${fileSha256} is not on the ledger, nor is the instance's content digest ${d.contentSha256}: the image was changed, or never recorded` };
}
