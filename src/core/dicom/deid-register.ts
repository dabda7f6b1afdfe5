/**
 * The local register of de-identified shares (`xray upload --deidentify`): which source
 * instance (SOP Instance UID, patient ID, file SHA-256) became which de-identified instance,
 * pseudonym, CID and share. It never leaves the home: the chain and IPFS see only the copy.
 * An SQLite file (node-sqlite3-wasm, one transaction a change, so kill -9 leaves the old or the
 * new row) under xray's lock file; a row is written before the share is sent ('pending') and
 * completed once the share is mined, so a killed upload still leaves its mapping behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { XrayError } from "../../errors";
import { acquireLock } from "../lock";

export interface DeidShareRow {
  deid_sop_uid: string;
  deid_study_uid: string;
  deid_sha256: string;
  pseudonym: string;
  source_sop_uid: string;
  source_study_uid: string;
  source_patient_id: string;
  source_sha256: string;
  source_file: string;
  receiver: string;
  cid: string | null;
  tx: string | null;
  status: "pending" | "shared";
  created: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deid_shares (
  deid_sop_uid TEXT NOT NULL,
  receiver TEXT NOT NULL,
  deid_study_uid TEXT NOT NULL,
  deid_sha256 TEXT NOT NULL,
  pseudonym TEXT NOT NULL,
  source_sop_uid TEXT NOT NULL,
  source_study_uid TEXT NOT NULL,
  source_patient_id TEXT NOT NULL,
  source_sha256 TEXT NOT NULL,
  source_file TEXT NOT NULL,
  cid TEXT,
  tx TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'shared')),
  created TEXT NOT NULL,
  PRIMARY KEY (deid_sop_uid, receiver)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deid_shares_source ON deid_shares (source_sop_uid);
`;

type Db = import("node-sqlite3-wasm").Database;

/** Where the register lives in the home. */
export const deidRegisterFile = (home: string) => path.join(home, "deid", "shares.sqlite");

export class DeidRegister {
  private constructor(
    private readonly db: Db,
    readonly file: string,
    private readonly release: () => void,
  ) {}

  static async open(home: string): Promise<DeidRegister> {
    const file = deidRegisterFile(home);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const release = await acquireLock(file + ".xray-lock", { what: `the de-identification register ${file}` });
    try {
      fs.rmSync(file + ".lock", { recursive: true, force: true }); // the VFS's lock folder: stale under ours
      const { Database } = require("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");
      const db = new Database(file);
      db.exec("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;");
      db.exec(SCHEMA);
      return new DeidRegister(db, file, release);
    } catch (err) {
      release();
      throw new XrayError(`cannot open the de-identification register ${file}: ${(err as Error).message}`, "REGISTER_FAILED", { cause: err });
    }
  }

  close(): void {
    try {
      if (this.db.isOpen) this.db.close();
    } finally {
      this.release();
    }
  }

  /** Records (or refreshes) a mapping as pending, before anything is sent. */
  pending(r: Omit<DeidShareRow, "cid" | "tx" | "status" | "created">): void {
    this.db.run(
      `INSERT INTO deid_shares (deid_sop_uid, receiver, deid_study_uid, deid_sha256, pseudonym, source_sop_uid, source_study_uid, source_patient_id, source_sha256, source_file, status, created)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
       ON CONFLICT (deid_sop_uid, receiver) DO UPDATE SET source_file = excluded.source_file WHERE status = 'pending'`,
      [r.deid_sop_uid, r.receiver.toLowerCase(), r.deid_study_uid, r.deid_sha256, r.pseudonym, r.source_sop_uid, r.source_study_uid, r.source_patient_id, r.source_sha256, r.source_file, new Date().toISOString()],
    );
  }

  /** Completes a mapping once its share is mined. */
  shared(deidSopUid: string, receiver: string, cid: string, tx: string | null): void {
    this.db.run("UPDATE deid_shares SET status = 'shared', cid = ?, tx = ? WHERE deid_sop_uid = ? AND receiver = ?", [cid, tx, deidSopUid, receiver.toLowerCase()]);
  }

  /** The mappings of a de-identified SOP Instance UID, a source SOP Instance UID, or a CID. */
  find(key: string): DeidShareRow[] {
    return this.db.all("SELECT * FROM deid_shares WHERE deid_sop_uid = ? OR source_sop_uid = ? OR cid = ? ORDER BY created", [key, key, key]) as unknown as DeidShareRow[];
  }
}
