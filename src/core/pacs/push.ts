import * as fs from "node:fs";
import { XrayError } from "../../errors";
import { mapLimit } from "../concurrent";
import { readDicom, textValue } from "../dicom/parse";
import { pacsRequest, type PacsTarget } from "./client";

export interface PushResult {
  file: string;
  /** Orthanc's instance ID. */
  id?: string;
  sopInstanceUid?: string;
  /** Stored now, or already held by the PACS. */
  status?: "stored" | "already-stored";
  error?: string;
}

/**
 * Stores DICOM instances in an Orthanc (REST `POST /instances`), a few at a time. A file that is
 * not a readable DICOM instance, or that the PACS refuses, gets its error and the others go on;
 * an unreachable PACS or refused credentials stop the run (XrayError).
 */
export async function pushInstances(t: PacsTarget, files: string[], o: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<PushResult[]> {
  let done = 0;
  return mapLimit(files, o.concurrency ?? 4, async (file) => {
    const r = await pushOne(t, file);
    o.onProgress?.(++done, files.length);
    return r;
  });
}

async function pushOne(t: PacsTarget, file: string): Promise<PushResult> {
  let bytes: Buffer;
  let uid: string;
  try {
    bytes = fs.readFileSync(file);
    uid = textValue(readDicom(bytes).elements.SOPInstanceUID);
  } catch (err) {
    return { file, error: (err as Error).message };
  }
  const res = await pacsRequest(t, "/instances", { method: "POST", body: bytes, contentType: "application/dicom" });
  const text = await res.text();
  if (!res.ok) return { file, sopInstanceUid: uid, error: `the PACS refused it (HTTP ${res.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, " ")}` : ""})` };
  let body: { ID?: string; Status?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new XrayError(`${t.url} is not an Orthanc: POST /instances did not answer JSON`, "PACS_ERROR");
  }
  if (!body.ID) throw new XrayError(`${t.url} is not an Orthanc: POST /instances answered without an ID`, "PACS_ERROR");
  return { file, id: body.ID, sopInstanceUid: uid, status: body.Status === "AlreadyStored" ? "already-stored" : "stored" };
}
