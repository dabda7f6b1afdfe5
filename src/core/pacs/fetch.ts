/** One instance from the PACS with its digests: the bytes Orthanc returns, hashed as `xray hash` would. */
import { createHash } from "node:crypto";
import { XrayError } from "../../errors";
import type { DicomDigests } from "../dicom/digests";
import type { PacsTarget } from "./client";
import { instanceFile } from "./orthanc";

export interface FetchedInstance extends DicomDigests {
  id: string;
  sha256: string;
}

/**
 * Fetches and digests an instance; an answer whose SOP Instance UID is not the one asked for is
 * refused. Bytes whose SHA-256 is `unchangedIf` (the file as anchored) are not decoded: undefined.
 */
export async function fetchInstance(t: PacsTarget, inst: { id: string; sopInstanceUid: string }): Promise<FetchedInstance>;
export async function fetchInstance(t: PacsTarget, inst: { id: string; sopInstanceUid: string }, unchangedIf: string): Promise<FetchedInstance | undefined>;
export async function fetchInstance(t: PacsTarget, inst: { id: string; sopInstanceUid: string }, unchangedIf?: string): Promise<FetchedInstance | undefined> {
  const { dicomDigests } = require("../dicom/digests") as typeof import("../dicom/digests");
  const bytes = await instanceFile(t, inst.id);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 === unchangedIf) return undefined;
  let d: DicomDigests;
  try {
    d = await dicomDigests(bytes);
  } catch (err) {
    throw new XrayError(`the PACS returned instance ${inst.sopInstanceUid} as something xray cannot read: ${(err as Error).message}`, "PACS_ERROR");
  }
  if (inst.sopInstanceUid && d.sopInstanceUid !== inst.sopInstanceUid) {
    throw new XrayError(`the PACS returned a different instance than asked: ${inst.sopInstanceUid} came back as ${d.sopInstanceUid}`, "PACS_ERROR");
  }
  return { ...d, id: inst.id, sha256 };
}
