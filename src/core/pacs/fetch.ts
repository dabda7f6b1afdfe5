/** One instance from the PACS with its digests: the bytes Orthanc returns, hashed as `xray hash` would. */
import { createHash } from "node:crypto";
import { XrayError } from "../../errors";
import type { DicomDigests } from "../dicom/digests";
import { pacsRequest, type PacsTarget } from "./client";

export interface FetchedInstance extends DicomDigests {
  id: string;
  sha256: string;
}

/**
 * GET /instances/{id}/file, hashed while it streams in: the chunks are kept as they came (no
 * copy) and joined only when the bytes must be decoded.
 */
export async function instanceFileHashed(t: PacsTarget, id: string): Promise<{ sha256: string; bytes: () => Buffer }> {
  const r = await pacsRequest(t, `/instances/${encodeURIComponent(id)}/file`);
  if (r.status === 404) {
    await r.body.cancel();
    throw new XrayError(`instance ${id} is no longer in the PACS`, "PACS_GONE");
  }
  if (!r.ok) {
    await r.body.cancel();
    throw new XrayError(`the PACS answered HTTP ${r.status} to GET /instances/${id}/file`, "PACS_ERROR");
  }
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  for await (const chunk of r.body) {
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { sha256: hash.digest("hex"), bytes: () => Buffer.concat(chunks) };
}

/**
 * Fetches and digests an instance; an answer whose SOP Instance UID is not the one asked for is
 * refused. Bytes whose SHA-256 is `unchangedIf` (the file as anchored) are not decoded: undefined.
 */
export async function fetchInstance(t: PacsTarget, inst: { id: string; sopInstanceUid: string }): Promise<FetchedInstance>;
export async function fetchInstance(t: PacsTarget, inst: { id: string; sopInstanceUid: string }, unchangedIf: string): Promise<FetchedInstance | undefined>;
export async function fetchInstance(t: PacsTarget, inst: { id: string; sopInstanceUid: string }, unchangedIf?: string): Promise<FetchedInstance | undefined> {
  const file = await instanceFileHashed(t, inst.id);
  if (file.sha256 === unchangedIf) return undefined;
  // loaded only for bytes that must be decoded: dcmjs and the codecs cost start-up time
  const { dicomDigests } = require("../dicom/digests") as typeof import("../dicom/digests");
  let d: DicomDigests;
  try {
    d = await dicomDigests(file.bytes());
  } catch (err) {
    throw new XrayError(`the PACS returned instance ${inst.sopInstanceUid} as something xray cannot read: ${(err as Error).message}`, "PACS_ERROR");
  }
  if (inst.sopInstanceUid && d.sopInstanceUid !== inst.sopInstanceUid) {
    throw new XrayError(`the PACS returned a different instance than asked: ${inst.sopInstanceUid} came back as ${d.sopInstanceUid}`, "PACS_WRONG_INSTANCE");
  }
  return { ...d, id: inst.id, sha256: file.sha256 };
}
