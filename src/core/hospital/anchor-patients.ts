/**
 * `xray anchor <manifest> --patient-from <regex>`: each image recorded on the patient its path
 * names (the regex's first group, else its whole match, is the medical record number).
 * Unknown patients are refused (nothing sent) unless `createPatients`; each patient's records
 * are anchored as `anchor` does (resumable after kill -9), state in `<manifest>.patients/<n>.*`.
 */
import * as fs from "node:fs";
import { UsageError } from "../../errors";
import { anchorManifest } from "../chain/actions/anchor-manifest";
import type { XrContext } from "../chain/xr";
import type { Manifest, ManifestEntry } from "../hash/manifest";
import { createPatients } from "./create";
import type { PatientRegister } from "./register";
import type { HospitalContext } from "./registry";

export interface AnchorByPatientOptions {
  pattern: RegExp;
  createPatients?: boolean;
  /** The doctor recording; `host` creates unknown patients. */
  from: string;
  host: string;
  part: string;
  window: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AnchorByPatientResult {
  patients: { n: number; mrn: string; contract: string; images: number; sent: number; alreadyAnchored: number }[];
  created: number;
  gas: number[];
}

/** Files grouped by the MRN their path names; every file must name one. */
export function groupByPatient(files: ManifestEntry[], pattern: RegExp): Map<string, ManifestEntry[]> {
  const groups = new Map<string, ManifestEntry[]>();
  for (const f of files) {
    const m = pattern.exec(f.path);
    const mrn = m ? (m[1] ?? m[0]) : "";
    if (!mrn) throw new UsageError(`${f.path} names no patient: --patient-from /${pattern.source}/ does not match it`);
    groups.set(mrn, [...(groups.get(mrn) ?? []), f]);
  }
  return groups;
}

export async function anchorByPatient(ctx: HospitalContext, reg: PatientRegister, manifestFile: string, manifest: Manifest, o: AnchorByPatientOptions): Promise<AnchorByPatientResult> {
  const groups = groupByPatient(manifest.files, o.pattern);
  const unknown = [...groups.keys()].filter((mrn) => reg.byMrn(mrn)?.status !== "onchain");
  let created = 0;
  if (unknown.length) {
    if (!o.createPatients) {
      throw new UsageError(`${unknown.length} patient(s) not in the register (first "${unknown[0]}"): add them (xray patients add/import) or give --create-patients`);
    }
    const blank = { birthday: "", contact: "", age: "", gender: "", bloodType: "" };
    const r = await createPatients(ctx, reg, unknown.map((mrn) => ({ mrn, account: null, values: { name: mrn, ...blank } })), { from: o.host, skipExisting: true });
    created = r.created.length;
  }
  const dir = manifestFile + ".patients";
  fs.mkdirSync(dir, { recursive: true });
  const total = manifest.files.length;
  let done = 0;
  const out: AnchorByPatientResult = { patients: [], created, gas: [] };
  for (const [mrn, files] of groups) {
    const row = reg.byMrn(mrn)!;
    // event scans of this patient start at its creation, not at the hospital's
    const xctx: XrContext = { chain: ctx.chain, deployment: { ...ctx.deployment, xr: row.contract!, block: row.block ?? ctx.deployment.block } };
    const sub: Manifest = { ...manifest, count: files.length, bytes: files.reduce((a, f) => a + f.size, 0), files, failed: [] };
    const base = done;
    const r = await anchorManifest(xctx, `${dir}/${row.n}.json`, { manifest: sub, from: o.from, part: o.part, window: o.window, onProgress: (d) => o.onProgress?.(base + d, total) });
    if (r.mode !== "records") continue;
    done += files.length;
    out.gas.push(...r.gas);
    out.patients.push({ n: row.n, mrn, contract: row.contract!, images: files.length, sent: r.sent, alreadyAnchored: r.alreadyAnchored });
  }
  return out;
}
