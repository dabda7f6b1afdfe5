/**
 * The hospital's local patient register: an SQLite database (node-sqlite3-wasm: SQLite in
 * WebAssembly over a real file, no native build) holding what must never go on chain: the
 * medical record numbers, the clear profile values and their salts, the hospital secret.
 *
 * Safety: every change is one SQLite transaction (rollback journal, synchronous=FULL), so a
 * `kill -9` leaves either the old or the new state, and the next open rolls a hot journal
 * back. One process at a time: opening takes xray's lock file (pid + start time, stale locks
 * taken over); the WebAssembly VFS locks with a `<file>.lock` folder that a killed process
 * leaves behind, so the lock holder removes such a folder, which can only be stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { XrayError } from "../../errors";
import { acquireLock, type LockOptions } from "../lock";
import { PROFILE_FIELDS, type CommittedField, type ProfileField } from "./commitments";

export type PatientStatus = "pending" | "sent" | "onchain";

export interface PatientRow {
  /** The patient's number in this register: `--patient #n`. */
  n: number;
  key: string;
  mrn: string;
  /** The patient's contract (EIP-1167 clone); null until created on chain. */
  contract: string | null;
  account: string | null;
  /** 1 when the profile is in the clear on chain (--public-profile). */
  public: number;
  status: PatientStatus;
  tx: string | null;
  block: number | null;
  created: string;
}

export interface NewPatient {
  key: string;
  mrn: string;
  account: string | null;
  public: boolean;
  fields: CommittedField[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS patients (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  mrn TEXT NOT NULL UNIQUE,
  contract TEXT UNIQUE,
  account TEXT,
  public INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'onchain')),
  tx TEXT,
  block INTEGER,
  created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS patients_unfinished ON patients (status) WHERE status != 'onchain';
CREATE TABLE IF NOT EXISTS fields (
  n INTEGER NOT NULL REFERENCES patients (n),
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  salt TEXT NOT NULL,
  commitment TEXT NOT NULL,
  PRIMARY KEY (n, field)
) WITHOUT ROWID;
`;

type Db = import("node-sqlite3-wasm").Database;

/**
 * SQLite's WebAssembly compiled by V8's baseline compiler only (Liftoff): V8's optimizing
 * tier-up of the 1.3 MB module otherwise runs in the background of every command and delays
 * its exit by 0.3 to 0.7 s (200 reads: 2.9 s with it, 0.7 s without, on 2 busy cores). The flag
 * is set around the first compile only, so other WebAssembly (the DICOM codecs) still tiers up.
 */
function openDatabase(file: string): Db {
  const v8 = require("node:v8") as typeof import("node:v8");
  v8.setFlagsFromString("--liftoff-only");
  try {
    const { Database } = require("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");
    return new Database(file);
  } finally {
    v8.setFlagsFromString("--no-liftoff-only");
  }
}

export class PatientRegister {
  private constructor(
    private readonly db: Db,
    readonly file: string,
    private readonly release: () => void,
  ) {}

  /** Opens (creating when asked) the register at `file`, holding its lock until close(). */
  static async open(file: string, options: LockOptions & { create?: boolean } = {}): Promise<PatientRegister> {
    if (!options.create && !fs.existsSync(file)) {
      throw new XrayError(`the patient register ${file} is missing: restore it from a backup (it holds the hospital secret; without it no patient can be found)`, "NO_REGISTER");
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const release = await acquireLock(file + ".xray-lock", { what: `the patient register ${file}`, ...options });
    try {
      fs.rmSync(file + ".lock", { recursive: true, force: true }); // the VFS's lock folder: stale under ours
      const db = openDatabase(file);
      // EXCLUSIVE: the VFS's folder lock is taken once, not around every statement (a mkdir and an
      // rmdir each, ~8 ms a statement: 80 reads of `pacs verify` cost 760 ms, 97 ms so); xray's
      // own lock above already keeps every other process out, and close() releases both.
      db.exec("PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
      db.exec(SCHEMA);
      const reg = new PatientRegister(db, file, release);
      if (reg.meta("secret") === undefined) reg.transaction(() => reg.setMeta("secret", "0x" + randomBytes(32).toString("hex")));
      return reg;
    } catch (err) {
      release();
      if (err instanceof XrayError) throw err;
      throw new XrayError(`cannot open the patient register ${file}: ${(err as Error).message}`, "REGISTER_FAILED", { cause: err });
    }
  }

  /** The database itself, for the tables other areas keep beside the patients (src/core/pacs/store.ts). */
  get sql(): Db {
    return this.db;
  }

  close(): void {
    try {
      if (this.db.isOpen) this.db.close();
    } finally {
      this.release();
    }
  }

  /** Runs `work` as one transaction: all of it or none of it, even after kill -9. */
  transaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = work();
      this.db.exec("COMMIT");
      return out;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
  }

  meta(key: string): string | undefined {
    return (this.db.get("SELECT value FROM meta WHERE key = ?", key) as { value: string } | null)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  /** The per-hospital secret the patient keys are made with. */
  get secret(): string {
    return this.meta("secret")!;
  }

  byMrn(mrn: string): PatientRow | undefined {
    return (this.db.get("SELECT * FROM patients WHERE mrn = ?", mrn) as PatientRow | null) ?? undefined;
  }

  byNumber(n: number): PatientRow | undefined {
    return (this.db.get("SELECT * FROM patients WHERE n = ?", n) as PatientRow | null) ?? undefined;
  }

  byContract(address: string): PatientRow | undefined {
    return (this.db.get("SELECT * FROM patients WHERE contract = ?", address.toLowerCase()) as PatientRow | null) ?? undefined;
  }

  byKey(key: string): PatientRow | undefined {
    return (this.db.get("SELECT * FROM patients WHERE key = ?", key.toLowerCase()) as PatientRow | null) ?? undefined;
  }

  /** Patients in register order, from #`after`+1, at most `limit`. */
  list(options: { after?: number; limit?: number; status?: PatientStatus } = {}): PatientRow[] {
    const { after = 0, limit = -1, status } = options;
    const where = status ? "AND status = ?" : "";
    return this.db.all(`SELECT * FROM patients WHERE n > ? ${where} ORDER BY n LIMIT ?`, status ? [after, status, limit] : [after, limit]) as unknown as PatientRow[];
  }

  count(status?: PatientStatus): number {
    const row = status
      ? this.db.get("SELECT count(*) AS c FROM patients WHERE status = ?", status)
      : this.db.get("SELECT count(*) AS c FROM patients");
    return Number((row as { c: number }).c);
  }

  fields(n: number): CommittedField[] {
    const rows = this.db.all("SELECT field, value, salt, commitment FROM fields WHERE n = ?", n) as unknown as CommittedField[];
    return rows.sort((a, b) => PROFILE_FIELDS.indexOf(a.field) - PROFILE_FIELDS.indexOf(b.field));
  }

  /** Inserts new patients as pending (call inside a transaction); returns their numbers. */
  insert(patients: NewPatient[]): number[] {
    const now = new Date().toISOString();
    const ns: number[] = [];
    for (const p of patients) {
      const { lastInsertRowid } = this.db.run(
        "INSERT INTO patients (key, mrn, account, public, status, created) VALUES (?, ?, ?, ?, 'pending', ?)",
        [p.key.toLowerCase(), p.mrn, p.account?.toLowerCase() ?? null, p.public ? 1 : 0, now],
      );
      const n = Number(lastInsertRowid);
      this.putFields(n, p.fields);
      ns.push(n);
    }
    return ns;
  }

  putFields(n: number, fields: CommittedField[]): void {
    for (const f of fields) {
      this.db.run(
        "INSERT INTO fields (n, field, value, salt, commitment) VALUES (?, ?, ?, ?, ?) ON CONFLICT (n, field) DO UPDATE SET value = excluded.value, salt = excluded.salt, commitment = excluded.commitment",
        [n, f.field, f.value, f.salt, f.commitment],
      );
    }
  }

  /** Deletes patients that never reached the chain (a refused creation); call inside a transaction. */
  remove(ns: number[]): void {
    for (const n of ns) {
      this.db.run("DELETE FROM fields WHERE n = ?", n);
      this.db.run("DELETE FROM patients WHERE n = ? AND status != 'onchain'", n);
    }
  }

  setStatus(ns: number[], status: PatientStatus): void {
    for (const n of ns) this.db.run("UPDATE patients SET status = ? WHERE n = ?", [status, n]);
  }

  /** Records a patient's contract once its creation is mined. */
  markCreated(n: number, c: { contract: string; tx: string | null; block: number | null }): void {
    this.db.run("UPDATE patients SET status = 'onchain', contract = ?, tx = ?, block = ? WHERE n = ?", [c.contract.toLowerCase(), c.tx, c.block, n]);
  }

  /** The field's value, salt and commitment, if the register has it. */
  field(n: number, field: ProfileField): CommittedField | undefined {
    return (this.db.get("SELECT field, value, salt, commitment FROM fields WHERE n = ? AND field = ?", [n, field]) as CommittedField | null) ?? undefined;
  }
}

/** Where a hospital's register lives in the home: one file per registry contract. */
export function registerFile(home: string, registry: string): string {
  return path.join(home, "hospital", `${registry.toLowerCase()}.sqlite`);
}
