/**
 * What `pacs anchor` keeps in the hospital's register (same SQLite file, same transactions):
 * each study's root and state, each instance's digests and Merkle proof keyed by SOP Instance
 * UID, and the cursor in Orthanc's changes feed. A study is 'pending' from the moment its
 * root is chosen until its anchoring is mined, then 'onchain' and never anchored again.
 */
import { createHash } from "node:crypto";
import type { PatientRegister } from "../hospital/register";

export interface StudyRow {
  study_uid: string;
  n: number;
  root: string;
  count: number;
  status: "pending" | "onchain";
  tx: string | null;
  block: number | null;
}

export interface InstanceRow {
  sop_uid: string;
  study_uid: string;
  sha256: string;
  content: string;
  identity: string;
  parts: string;
  leaf: string;
  proof: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pacs_studies (
  study_uid TEXT PRIMARY KEY,
  n INTEGER NOT NULL REFERENCES patients (n),
  root TEXT NOT NULL,
  count INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'onchain')),
  tx TEXT,
  block INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pacs_instances (
  sop_uid TEXT PRIMARY KEY,
  study_uid TEXT NOT NULL REFERENCES pacs_studies (study_uid),
  sha256 TEXT NOT NULL,
  content TEXT NOT NULL,
  identity TEXT NOT NULL,
  parts TEXT NOT NULL,
  leaf TEXT NOT NULL,
  proof TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pacs_instances_study ON pacs_instances (study_uid);
`;

/** The leaf anchored for one instance: SHA-256 of its UID, content digest and identity digest. */
export function instanceLeaf(sopUid: string, content: string, identity: string): string {
  return createHash("sha256").update(`xray-pacs-instance/1\n${sopUid}\n${content}\n${identity}\n`, "utf8").digest("hex");
}

export class PacsStore {
  constructor(readonly reg: PatientRegister) {
    reg.sql.exec(SCHEMA);
  }

  cursor(url: string): number | undefined {
    const v = this.reg.meta(`pacs-cursor ${url}`);
    return v === undefined ? undefined : Number(v);
  }

  /** Orthanc IDs of the studies a run left out (unknown patient, not stable yet): the next run looks again. */
  leftOut(url: string): string[] {
    return JSON.parse(this.reg.meta(`pacs-left-out ${url}`) ?? "[]") as string[];
  }

  setCursor(url: string, seq: number, leftOut: string[]): void {
    this.reg.transaction(() => {
      this.reg.setMeta(`pacs-cursor ${url}`, String(seq));
      this.reg.setMeta(`pacs-left-out ${url}`, JSON.stringify(leftOut));
    });
  }

  study(uid: string): StudyRow | undefined {
    return (this.reg.sql.get("SELECT * FROM pacs_studies WHERE study_uid = ?", uid) as StudyRow | null) ?? undefined;
  }

  studies(o: { n?: number } = {}): StudyRow[] {
    return (o.n === undefined
      ? this.reg.sql.all("SELECT * FROM pacs_studies WHERE status = 'onchain' ORDER BY study_uid")
      : this.reg.sql.all("SELECT * FROM pacs_studies WHERE status = 'onchain' AND n = ? ORDER BY study_uid", o.n)) as unknown as StudyRow[];
  }

  /** Every study row, pending ones too: `pacs verify` reads the register once. */
  allStudies(): StudyRow[] {
    return this.reg.sql.all("SELECT * FROM pacs_studies") as unknown as StudyRow[];
  }

  allInstances(): InstanceRow[] {
    return this.reg.sql.all("SELECT * FROM pacs_instances") as unknown as InstanceRow[];
  }

  instances(studyUid: string): InstanceRow[] {
    return this.reg.sql.all("SELECT * FROM pacs_instances WHERE study_uid = ? ORDER BY sop_uid", studyUid) as unknown as InstanceRow[];
  }

  instance(sopUid: string): InstanceRow | undefined {
    return (this.reg.sql.get("SELECT * FROM pacs_instances WHERE sop_uid = ?", sopUid) as InstanceRow | null) ?? undefined;
  }

  /** Records a study's root and its instances' proofs as pending (replacing an unsent pending one), in one transaction. */
  putPending(s: Omit<StudyRow, "status" | "tx" | "block">, instances: InstanceRow[]): void {
    const db = this.reg.sql;
    this.reg.transaction(() => {
      db.run("DELETE FROM pacs_instances WHERE study_uid = ?", s.study_uid);
      db.run("DELETE FROM pacs_studies WHERE study_uid = ? AND status = 'pending'", s.study_uid);
      db.run("INSERT INTO pacs_studies (study_uid, n, root, count, status) VALUES (?, ?, ?, ?, 'pending')", [s.study_uid, s.n, s.root, s.count]);
      for (const i of instances) {
        db.run("INSERT INTO pacs_instances (sop_uid, study_uid, sha256, content, identity, parts, leaf, proof) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
          i.sop_uid, i.study_uid, i.sha256, i.content, i.identity, i.parts, i.leaf, i.proof,
        ]);
      }
    });
  }

  markOnchain(studyUid: string, tx: string | null, block: number | null): void {
    this.reg.transaction(() => this.reg.sql.run("UPDATE pacs_studies SET status = 'onchain', tx = ?, block = ? WHERE study_uid = ?", [tx, block, studyUid]));
  }
}
