/**
 * `xray pacs anchor`: every stable study of an Orthanc anchored as one Merkle root (one leaf per
 * instance, src/core/pacs/store.ts) on its patient's record, the patient found by the DICOM
 * Patient ID as MRN in the hospital register. The first run walks every study, later runs read
 * Orthanc's changes feed from a cursor kept in the register; `follow` keeps reading it.
 *
 * Exactly once after kill -9: a study's root and proofs are committed as 'pending' before its
 * transaction; a rerun finds the pending root on chain (getBatch) and only marks it, or sends it.
 */
import { mapLimit } from "../concurrent";
import { anchorBatch, getBatch } from "../chain/actions/anchor-batch";
import { buildDatasetTree } from "../hash/merkle";
import { createPatients } from "../hospital/create";
import type { PatientRegister } from "../hospital/register";
import type { HospitalContext } from "../hospital/registry";
import type { PacsTarget } from "./client";
import { fetchInstance, type FetchedInstance } from "./fetch";
import { changes, study, studyIds, studyInstances } from "./orthanc";
import { patientCtx } from "./patient-ctx";
import { instanceLeaf, PacsStore } from "./store";


export interface PacsAnchorOptions {
  createPatients?: boolean;
  /** The doctor who anchors; `host` creates unknown patients. */
  from: string;
  host: string;
  follow?: boolean;
  /** Ends --follow after the study in hand. */
  signal?: AbortSignal;
  pollMs?: number;
  onStudy?: (r: StudyAnchorResult) => void;
  /** Studies looked at so far, of those known so far (the walk's, then each page of the changes feed). */
  onProgress?: (done: number, total: number) => void;
}

export interface StudyAnchorResult {
  studyUid: string;
  patientId: string;
  status: "anchored" | "already-anchored" | "not-stable" | "changed" | "unknown-patient" | "gone";
  instances?: number;
  root?: string;
  patient?: number;
  gasUsed?: number;
  tx?: string;
}

export interface PacsAnchorResult {
  studies: StudyAnchorResult[];
  created: number;
  cursor: number;
  /** True when the first run (or a cursor ahead of the PACS: Orthanc reset) walked every study. */
  walked: boolean;
}

export async function anchorPacs(t: PacsTarget, ctx: HospitalContext, reg: PatientRegister, o: PacsAnchorOptions): Promise<PacsAnchorResult> {
  const store = new PacsStore(reg);
  const out: PacsAnchorResult = { studies: [], created: 0, cursor: 0, walked: false };
  // studies left out by an earlier run (unknown patient, not stable) are looked at again first
  const leftOut = new Set(store.leftOut(t.url));
  let done = 0;
  let total = 0;
  const one = async (id: string) => {
    const r = await anchorStudy(t, ctx, store, id, o, out);
    if (r.status === "unknown-patient" || r.status === "not-stable" || r.status === "changed") leftOut.add(id);
    else leftOut.delete(id);
    out.studies.push(r);
    o.onStudy?.(r);
    o.onProgress?.(++done, total);
  };
  let cursor: number | undefined = store.cursor(t.url);
  const head = await changes(t);
  out.walked = cursor === undefined || cursor > head.last;
  const first = out.walked ? await studyIds(t) : [...leftOut];
  total += first.length;
  for (const id of first) await one(id);
  if (out.walked) cursor = head.last;
  store.setCursor(t.url, cursor!, [...leftOut]);
  for (;;) {
    const c = await changes(t, cursor);
    const stable = [...new Set(c.changes.filter((x) => x.type === "StableStudy").map((x) => x.id))];
    total += stable.length;
    for (const id of stable) await one(id);
    cursor = c.last;
    store.setCursor(t.url, cursor, [...leftOut]);
    if (!c.done) continue;
    if (!o.follow || o.signal?.aborted) break;
    await sleep(o.pollMs ?? 1000, o.signal);
    if (o.signal?.aborted) break;
  }
  out.cursor = cursor;
  return out;
}

async function anchorStudy(t: PacsTarget, ctx: HospitalContext, store: PacsStore, id: string, o: PacsAnchorOptions, out: PacsAnchorResult): Promise<StudyAnchorResult> {
  const s = await study(t, id);
  if (!s) return { studyUid: "", patientId: "", status: "gone" };
  const base = { studyUid: s.studyUid, patientId: s.patientId };
  const reg = store.reg;
  const known = store.study(s.studyUid);
  if (known?.status === "onchain") return { ...base, status: "already-anchored", root: known.root, patient: known.n, instances: known.count };
  if (known) {
    // pending: sent before a kill? then it is on chain already and only needs marking
    const row = reg.byNumber(known.n)!;
    const done = await getBatch(patientCtx(ctx, row), known.root);
    if (done) {
      store.markOnchain(s.studyUid, null, null);
      return { ...base, status: "already-anchored", root: known.root, patient: known.n, instances: known.count };
    }
  }
  if (!s.stable) return { ...base, status: "not-stable" };
  let row = reg.byMrn(s.patientId);
  if (row?.status !== "onchain") {
    if (!o.createPatients || !s.patientId) return { ...base, status: "unknown-patient" };
    const blank = { birthday: "", contact: "", age: "", gender: "", bloodType: "" };
    const c = await createPatients(ctx, reg, [{ mrn: s.patientId, account: null, values: { name: s.patientId, ...blank } }], { from: o.host, skipExisting: true });
    out.created += c.created.length;
    row = reg.byMrn(s.patientId)!;
  }
  // A study that changes while it is fetched (an instance added or removed: Orthanc then calls it
  // unstable again) is left for a later run, which anchors it whole once it is stable again.
  const listed = await studyInstances(t, id);
  const changed = { ...base, status: "changed" as const };
  let fetched: FetchedInstance[];
  try {
    fetched = await mapLimit(listed, 4, (i) => fetchInstance(t, i));
  } catch (err) {
    if ((err as { code?: string }).code === "PACS_GONE") return changed;
    throw err;
  }
  const now = await study(t, id);
  if (!now) return { ...base, status: "gone" };
  const again = now.stable ? await studyInstances(t, id) : [];
  if (!now.stable || again.map((i) => i.id).sort().join() !== listed.map((i) => i.id).sort().join()) return changed;
  const rows = fetched.map((f) => ({
    sop_uid: f.sopInstanceUid,
    study_uid: s.studyUid,
    sha256: f.sha256,
    content: f.contentSha256,
    identity: f.identitySha256,
    parts: JSON.stringify(f.identityParts),
    leaf: instanceLeaf(f.sopInstanceUid, f.contentSha256, f.identitySha256),
    proof: "",
  }));
  const tree = buildDatasetTree(rows.map((r) => r.leaf));
  for (const r of rows) r.proof = JSON.stringify(tree.proofs.get(r.leaf));
  store.putPending({ study_uid: s.studyUid, n: row.n, root: tree.root, count: tree.count }, rows);
  const a = await anchorBatch(patientCtx(ctx, row), { root: tree.root, count: tree.count, label: `dicom study ${s.studyUid}`, from: o.from });
  store.markOnchain(s.studyUid, a.tx?.hash ?? null, a.tx?.block ?? null);
  return { ...base, status: a.already ? "already-anchored" : "anchored", root: tree.root, patient: row.n, instances: rows.length, gasUsed: a.tx?.gasUsed, tx: a.tx?.hash };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      res();
    }
    signal?.addEventListener("abort", done);
  });
}
