/**
 * `xray pacs verify`: each anchored study retrieved from the PACS and every instance checked
 * against the register's digests and proof, the proof against the root the patient's record
 * holds on chain. Verification overlaps retrieval (a few instances in flight at a time).
 */
import { mapLimit } from "../concurrent";
import { getBatch } from "../chain/actions/anchor-batch";
import { compareDicom, type DicomVerdict } from "../dicom/verify";
import { verifyDatasetProof } from "../hash/merkle";
import type { PatientRegister } from "../hospital/register";
import type { HospitalContext } from "../hospital/registry";
import { patientCtx } from "./anchor";
import type { PacsTarget } from "./client";
import { fetchInstance } from "./fetch";
import { allStudies, lookupStudy, studyInstances } from "./orthanc";
import { instanceLeaf, PacsStore, type InstanceRow } from "./store";

export type InstanceVerdict = "matched" | Exclude<DicomVerdict, "identical"> | "missing" | "new" | "proof-invalid";

export interface InstanceCheck {
  sopInstanceUid: string;
  verdict: InstanceVerdict;
  /** Identity attributes that differ. */
  changed: string[];
}

export interface StudyCheck {
  studyUid: string;
  patient?: number;
  /** Not anchored by xray: the whole study is new in the PACS. */
  anchored: boolean;
  /** The root is held by the patient's record on chain. */
  onChain: boolean;
  ok: boolean;
  counts: Partial<Record<InstanceVerdict, number>>;
  instances: InstanceCheck[];
}

export interface PacsVerifySelection {
  studies?: string[];
  patient?: number;
  /** Every anchored study, and every study of the PACS that xray never anchored. */
  all?: boolean;
}

export async function verifyPacs(t: PacsTarget, ctx: HospitalContext, reg: PatientRegister, sel: PacsVerifySelection, onStudy?: (s: StudyCheck) => void): Promise<StudyCheck[]> {
  const store = new PacsStore(reg);
  const uids = sel.studies?.length ? sel.studies : store.studies({ n: sel.patient }).map((s) => s.study_uid);
  const extra: { uid: string; id: string }[] = [];
  if (sel.all) {
    const seen = new Set(uids);
    for (const s of await allStudies(t)) if (!seen.has(s.studyUid) && store.study(s.studyUid)?.status !== "onchain") extra.push({ uid: s.studyUid, id: s.id });
  }
  // a few studies at a time: retrieval of one overlaps the digests of another
  const jobs = [...uids.map((uid) => ({ uid, id: undefined as string | undefined })), ...extra];
  return mapLimit(jobs, 3, async (j) => {
    const c = await verifyStudy(t, ctx, store, j.uid, j.id);
    onStudy?.(c);
    return c;
  });
}

async function verifyStudy(t: PacsTarget, ctx: HospitalContext, store: PacsStore, uid: string, orthancId?: string): Promise<StudyCheck> {
  const row = store.study(uid);
  const anchored = row?.status === "onchain";
  const expected = anchored ? store.instances(uid) : [];
  const patient = anchored ? store.reg.byNumber(row.n) : undefined;
  const onChain = anchored && patient ? Boolean(await getBatch(patientCtx(ctx, patient), row.root)) : false;
  const ids = orthancId ? [orthancId] : await lookupStudy(t, uid);
  const held = (await Promise.all(ids.map((id) => studyInstances(t, id)))).flat();
  const byUid = new Map<string, InstanceRow>(expected.map((e) => [e.sop_uid, e]));
  const checks = await mapLimit(held, 4, async (h): Promise<InstanceCheck> => {
    const e = byUid.get(h.sopInstanceUid);
    if (!e) return { sopInstanceUid: h.sopInstanceUid, verdict: "new", changed: [] };
    const f = await fetchInstance(t, h, e.sha256); // undefined: the very bytes anchored, nothing to decode
    const proofOk = onChain && e.leaf === instanceLeaf(e.sop_uid, e.content, e.identity) && verifyDatasetProof(row!.root, e.leaf, JSON.parse(e.proof));
    if (!proofOk) return { sopInstanceUid: h.sopInstanceUid, verdict: "proof-invalid", changed: [] };
    if (!f) return { sopInstanceUid: h.sopInstanceUid, verdict: "matched", changed: [] };
    const c = compareDicom({ path: "", size: 0, sha256: e.sha256, label: "", mime: "application/dicom", contentSha256: e.content, identitySha256: e.identity, identityParts: JSON.parse(e.parts) }, f.sha256, f);
    return { sopInstanceUid: h.sopInstanceUid, verdict: c.verdict === "identical" ? "matched" : c.verdict, changed: c.changed };
  });
  const present = new Set(held.map((h) => h.sopInstanceUid));
  for (const e of expected) if (!present.has(e.sop_uid)) checks.push({ sopInstanceUid: e.sop_uid, verdict: "missing", changed: [] });
  const counts: StudyCheck["counts"] = {};
  for (const c of checks) counts[c.verdict] = (counts[c.verdict] ?? 0) + 1;
  const ok = anchored && onChain && checks.every((c) => c.verdict === "matched" || c.verdict === "re-encoded");
  return { studyUid: uid, patient: row?.n, anchored, onChain, ok, counts, instances: checks.sort((a, b) => a.sopInstanceUid.localeCompare(b.sopInstanceUid)) };
}
