/**
 * `xray pacs verify`: each anchored study retrieved from the PACS and every instance checked
 * against the register's digests and proof, the proof against the root the patient's record
 * holds on chain. Verification overlaps retrieval (a few instances in flight at a time).
 *
 * Cost per study: one PACS request for its instance list (plus /tools/lookup when the study was
 * named, not found in the one /studies?expand of --all), in flight with the other studies'; per
 * instance: one GET hashed as it streams, decoded only when its bytes are not those anchored.
 * The register is read once and the chain asked once (eth_getLogs of BatchAnchored), up front.
 */
import { mapLimit } from "../concurrent";
import { anchoredBatches } from "../chain/actions/anchor-batch";
import { compareDicom, type DicomVerdict } from "../dicom/verify";
import { XrayError } from "../../errors";
import { verifyDatasetProof } from "../hash/merkle";
import type { PatientRegister, PatientRow } from "../hospital/register";
import type { HospitalContext } from "../hospital/registry";
import type { PacsTarget } from "./client";
import { fetchInstance } from "./fetch";
import { allStudies, lookupStudy, studyInstances } from "./orthanc";
import { instanceLeaf, PacsStore, type InstanceRow, type StudyRow } from "./store";

export type InstanceVerdict = "matched" | Exclude<DicomVerdict, "identical"> | "missing" | "new" | "proof-invalid" | "wrong-instance";

export interface InstanceCheck {
  sopInstanceUid: string;
  verdict: InstanceVerdict;
  /** Identity attributes that differ. */
  changed: string[];
  /** wrong-instance: what the PACS sent instead. */
  detail?: string;
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
  /** Studies in flight at once (default 4). */
  concurrency?: number;
}

/** What the register holds, read in three queries (each statement costs a lock round on the file), and which roots the chain holds. */
interface Snapshot {
  studies: Map<string, StudyRow>;
  instances: Map<string, InstanceRow[]>;
  patients: Map<number, PatientRow>;
  /** "contract root" of every anchored study selected that the chain holds (one eth_getLogs). */
  onChain: Set<string>;
}

export async function verifyPacs(t: PacsTarget, ctx: HospitalContext, reg: PatientRegister, sel: PacsVerifySelection, onStudy?: (s: StudyCheck, done: number, total: number) => void): Promise<StudyCheck[]> {
  const store = new PacsStore(reg);
  const snap: Snapshot = { studies: new Map(store.allStudies().map((s) => [s.study_uid, s])), instances: new Map(), patients: new Map(), onChain: new Set() };
  for (const i of store.allInstances()) (snap.instances.get(i.study_uid) ?? snap.instances.set(i.study_uid, []).get(i.study_uid)!).push(i);
  for (const n of new Set([...snap.studies.values()].map((s) => s.n))) snap.patients.set(n, reg.byNumber(n)!);
  const onchain = [...snap.studies.values()].filter((s) => s.status === "onchain" && (sel.patient === undefined || s.n === sel.patient));
  const uids = sel.studies?.length ? sel.studies : onchain.map((s) => s.study_uid).sort();
  // --all: one request names every study of the PACS and its Orthanc IDs (one per Patient ID it is under)
  const held = sel.all ? new Map<string, string[]>() : undefined;
  if (held) for (const s of await allStudies(t)) held.set(s.studyUid, [...(held.get(s.studyUid) ?? []), s.id]);
  const jobs = [...uids];
  if (held) for (const uid of held.keys()) if (!uids.includes(uid) && snap.studies.get(uid)?.status !== "onchain") jobs.push(uid);
  const pairs = jobs.flatMap((uid) => {
    const s = snap.studies.get(uid);
    const p = s?.status === "onchain" ? snap.patients.get(s.n) : undefined;
    return p?.contract ? [{ xr: p.contract, block: p.block ?? ctx.deployment.block, root: s!.root }] : [];
  });
  snap.onChain = await anchoredBatches(ctx, pairs);
  let done = 0;
  return mapLimit(jobs, sel.concurrency ?? 4, async (uid) => {
    const c = await verifyStudy(t, ctx, snap, uid, held?.get(uid) ?? []);
    onStudy?.(c, ++done, jobs.length);
    return c;
  });
}

async function verifyStudy(t: PacsTarget, ctx: HospitalContext, snap: Snapshot, uid: string, knownIds: string[]): Promise<StudyCheck> {
  const row = snap.studies.get(uid);
  const anchored = row?.status === "onchain";
  const expected = anchored ? snap.instances.get(uid) ?? [] : [];
  const patient = anchored ? snap.patients.get(row.n) : undefined;
  const onChain = anchored && patient?.contract ? snap.onChain.has(`${patient.contract.toLowerCase()} ${row.root.toLowerCase()}`) : false;
  const ids = knownIds.length ? knownIds : await lookupStudy(t, uid);
  const held = (await Promise.all(ids.map((id) => studyInstances(t, id)))).flat();
  const byUid = new Map<string, InstanceRow>(expected.map((e) => [e.sop_uid, e]));
  const checks = await mapLimit(held, 4, async (h): Promise<InstanceCheck> => {
    const e = byUid.get(h.sopInstanceUid);
    const v = (verdict: InstanceVerdict, changed: string[] = [], detail?: string): InstanceCheck => ({ sopInstanceUid: h.sopInstanceUid, verdict, changed, ...(detail ? { detail } : {}) });
    if (!e) return v("new");
    const proofOk = onChain && e.leaf === instanceLeaf(e.sop_uid, e.content, e.identity) && verifyDatasetProof(row!.root, e.leaf, JSON.parse(e.proof));
    let f;
    try {
      f = await fetchInstance(t, h, e.sha256); // undefined: the very bytes anchored, nothing to decode
    } catch (err) {
      if (err instanceof XrayError && err.code === "PACS_WRONG_INSTANCE") return v("wrong-instance", [], err.message);
      if (err instanceof XrayError && err.code === "PACS_GONE") return v("missing"); // deleted since the study's list
      throw err;
    }
    if (!proofOk) return v("proof-invalid");
    if (!f) return v("matched");
    const c = compareDicom({ path: "", size: 0, sha256: e.sha256, label: "", mime: "application/dicom", contentSha256: e.content, identitySha256: e.identity, identityParts: JSON.parse(e.parts) }, f.sha256, f);
    return v(c.verdict === "identical" ? "matched" : c.verdict, c.changed);
  });
  const present = new Set(held.map((h) => h.sopInstanceUid));
  for (const e of expected) if (!present.has(e.sop_uid)) checks.push({ sopInstanceUid: e.sop_uid, verdict: "missing", changed: [] });
  const counts: StudyCheck["counts"] = {};
  for (const c of checks) counts[c.verdict] = (counts[c.verdict] ?? 0) + 1;
  const ok = anchored && onChain && checks.every((c) => c.verdict === "matched" || c.verdict === "re-encoded");
  return { studyUid: uid, patient: row?.n, anchored, onChain, ok, counts, instances: checks.sort((a, b) => a.sopInstanceUid.localeCompare(b.sopInstanceUid)) };
}
