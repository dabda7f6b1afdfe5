/** Orthanc's REST API, read side: studies, their instances, the changes feed (one instance's file: fetch.ts). */
import { XrayError } from "../../errors";
import { pacsRequest, type PacsTarget } from "./client";

export interface OrthancStudy {
  id: string;
  studyUid: string;
  patientId: string;
  stable: boolean;
}

export interface OrthancChanges {
  changes: { seq: number; type: string; resourceType: string; id: string }[];
  done: boolean;
  last: number;
}

/** GET a JSON document; a non-2xx answer is one PACS_ERROR line. */
export async function pacsJson<T>(t: PacsTarget, route: string, init: { method?: string; body?: string } = {}): Promise<T> {
  const r = await pacsRequest(t, route, { method: init.method, body: init.body === undefined ? undefined : Buffer.from(init.body), contentType: init.body === undefined ? undefined : "text/plain" });
  const text = await r.text();
  if (!r.ok) throw new XrayError(`the PACS answered HTTP ${r.status} to ${init.method ?? "GET"} ${route}`, "PACS_ERROR");
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new XrayError(`${t.url} is not an Orthanc: ${route} did not answer JSON`, "PACS_ERROR");
  }
}

export const studyIds = (t: PacsTarget) => pacsJson<string[]>(t, "/studies");

/** Every study with its UIDs, in one request. */
export async function allStudies(t: PacsTarget): Promise<OrthancStudy[]> {
  const list = await pacsJson<{ ID: string; IsStable: boolean; MainDicomTags: { StudyInstanceUID?: string }; PatientMainDicomTags: { PatientID?: string } }[]>(t, "/studies?expand");
  return list.map((s) => ({ id: s.ID, studyUid: s.MainDicomTags.StudyInstanceUID ?? "", patientId: s.PatientMainDicomTags.PatientID ?? "", stable: Boolean(s.IsStable) }));
}

export async function study(t: PacsTarget, id: string): Promise<OrthancStudy | undefined> {
  const r = await pacsRequest(t, `/studies/${encodeURIComponent(id)}`);
  if (r.status === 404) return void (await r.body.cancel());
  if (!r.ok) throw new XrayError(`the PACS answered HTTP ${r.status} to GET /studies/${id}`, "PACS_ERROR");
  const s = (await r.json()) as { ID: string; IsStable: boolean; MainDicomTags: { StudyInstanceUID?: string }; PatientMainDicomTags: { PatientID?: string } };
  return { id: s.ID, studyUid: s.MainDicomTags.StudyInstanceUID ?? "", patientId: s.PatientMainDicomTags.PatientID ?? "", stable: Boolean(s.IsStable) };
}

/** The Orthanc IDs of the studies with this Study Instance UID (one per Patient ID Orthanc has it under). */
export async function lookupStudy(t: PacsTarget, studyUid: string): Promise<string[]> {
  const found = await pacsJson<{ Type: string; ID: string }[]>(t, "/tools/lookup", { method: "POST", body: studyUid });
  return found.filter((f) => f.Type === "Study").map((f) => f.ID);
}

export async function studyInstances(t: PacsTarget, id: string): Promise<{ id: string; sopInstanceUid: string }[]> {
  const list = await pacsJson<{ ID: string; MainDicomTags: { SOPInstanceUID?: string } }[]>(t, `/studies/${encodeURIComponent(id)}/instances`);
  return list.map((i) => ({ id: i.ID, sopInstanceUid: i.MainDicomTags.SOPInstanceUID ?? "" }));
}

export async function changes(t: PacsTarget, since?: number, limit = 200): Promise<OrthancChanges> {
  const c = await pacsJson<{ Changes: { Seq: number; ChangeType: string; ResourceType: string; ID: string }[]; Done: boolean; Last: number }>(
    t,
    since === undefined ? "/changes?last" : `/changes?since=${since}&limit=${limit}`,
  );
  return { changes: c.Changes.map((x) => ({ seq: x.Seq, type: x.ChangeType, resourceType: x.ResourceType, id: x.ID })), done: c.Done, last: c.Last };
}
