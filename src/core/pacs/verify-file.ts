/**
 * `xray verify <file.dcm>` on a hospital home: an instance anchored through the PACS checked
 * without the PACS, against the register's digests and proof (by SOP Instance UID) and the root
 * its patient's record holds on chain.
 */
import * as fs from "node:fs";
import { getBatch } from "../chain/actions/anchor-batch";
import { compareDicom, type DicomFileCheck } from "../dicom/verify";
import { sha256File } from "../hash/sha256";
import { verifyDatasetProof } from "../hash/merkle";
import type { PatientRegister } from "../hospital/register";
import type { HospitalContext } from "../hospital/registry";
import { patientCtx } from "./patient-ctx";
import { instanceLeaf, PacsStore } from "./store";

export interface RegisterFileCheck extends DicomFileCheck {
  studyUid?: string;
  root?: string;
}

export async function checkFilesWithRegister(ctx: HospitalContext, reg: PatientRegister, files: string[]): Promise<RegisterFileCheck[]> {
  const { dicomDigests } = require("../dicom/digests") as typeof import("../dicom/digests");
  const store = new PacsStore(reg);
  const onChain = new Map<string, Promise<boolean>>();
  const out: RegisterFileCheck[] = [];
  for (const file of files) {
    const [d, sha256] = await Promise.all([dicomDigests(fs.readFileSync(file)), sha256File(file)]);
    const base = { file, sopInstanceUid: d.sopInstanceUid, changed: [] as string[], ok: false };
    const e = store.instance(d.sopInstanceUid);
    const study = e && store.study(e.study_uid);
    if (!e || study?.status !== "onchain") {
      out.push({ ...base, reason: "no instance with this SOP Instance UID was anchored through the PACS (xray pacs anchor)" });
      continue;
    }
    const patient = reg.byNumber(study.n)!;
    if (!onChain.has(study.root)) onChain.set(study.root, getBatch(patientCtx(ctx, patient), study.root).then(Boolean));
    const proofOk = e.leaf === instanceLeaf(e.sop_uid, e.content, e.identity) && verifyDatasetProof(study.root, e.leaf, JSON.parse(e.proof));
    if (!proofOk || !(await onChain.get(study.root))) {
      out.push({ ...base, studyUid: e.study_uid, root: study.root, reason: proofOk ? "its study's root is not on the patient's record" : "the register's proof does not lead to its study's root" });
      continue;
    }
    const c = compareDicom({ path: file, size: 0, sha256: e.sha256, label: "", mime: "application/dicom", contentSha256: e.content, identitySha256: e.identity, identityParts: JSON.parse(e.parts) }, sha256, d);
    out.push({ ...base, studyUid: e.study_uid, root: study.root, expected: `study ${e.study_uid}`, verdict: c.verdict, changed: c.changed, ok: c.verdict === "identical" || c.verdict === "re-encoded" });
  }
  return out;
}
