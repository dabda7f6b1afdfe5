/**
 * The OpenPGP keyring in the xray home: `keys/<fingerprint>.pub.asc`, `<fingerprint>.sec.asc`
 * (passphrase-locked) and `keys/keyring.json`, the index listed without parsing any key.
 * Every write is atomic and under a lock, so two commands never lose each other's keys.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../../errors";
import { readJsonFile, writeFileAtomic } from "../home";
import { acquireLock } from "../lock";
import { CryptoError, keyInfo, readAnyKey, type KeyInfo, type PrivateKey, type PublicKey } from "./pgp";

export interface KeyEntry extends KeyInfo {
  /** The Ethereum account this key belongs to, if bound (checksummed). */
  account?: string;
}

interface KeyringFile {
  format: "xray-keyring/1";
  keys: KeyEntry[];
}

export class Keyring {
  readonly dir: string;
  constructor(home: string) {
    this.dir = path.join(path.resolve(home), "keys");
  }

  private get indexFile() {
    return path.join(this.dir, "keyring.json");
  }

  list(): KeyEntry[] {
    const file = readJsonFile<KeyringFile>(this.indexFile);
    if (file && file.format !== "xray-keyring/1") throw new UsageError(`${this.indexFile} is not an xray keyring`);
    return file?.keys ?? [];
  }

  publicFile(fingerprint: string) {
    return path.join(this.dir, `${fingerprint}.pub.asc`);
  }

  privateFile(fingerprint: string) {
    return path.join(this.dir, `${fingerprint}.sec.asc`);
  }

  /**
   * Adds or updates a key: its armored public part, its locked private part if it has one
   * (kept when an update brings only the public part), and the account it belongs to.
   */
  async save(key: PublicKey | PrivateKey, account?: string): Promise<KeyEntry> {
    if (key.isPrivate() && (key as PrivateKey).isDecrypted()) {
      throw new CryptoError("refusing to store an unlocked private key: protect it with a passphrase first", "PGP_UNLOCKED_KEY");
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const release = await acquireLock(path.join(this.dir, "keyring.lock"), { what: "the keyring", waitMs: 10_000 });
    try {
      const keys = this.list();
      const info = keyInfo(key);
      const old = keys.find((k) => k.fingerprint === info.fingerprint);
      const entry: KeyEntry = { ...info, hasPrivate: info.hasPrivate || Boolean(old?.hasPrivate), account: account ?? old?.account };
      writeFileAtomic(this.publicFile(info.fingerprint), key.toPublic().armor());
      if (key.isPrivate()) {
        writeFileAtomic(this.privateFile(info.fingerprint), key.armor());
        fs.chmodSync(this.privateFile(info.fingerprint), 0o600);
      }
      const next = [...keys.filter((k) => k.fingerprint !== info.fingerprint), entry];
      writeFileAtomic(this.indexFile, JSON.stringify({ format: "xray-keyring/1", keys: next } satisfies KeyringFile, null, 1) + "\n");
      return entry;
    } finally {
      release();
    }
  }

  /**
   * Finds one key by fingerprint (40 hex), key ID or fingerprint suffix (8+ hex), a user ID
   * substring, or the account it is bound to (an address). UsageError when none or several.
   */
  find(spec: string, want: { private?: boolean } = {}): KeyEntry {
    const s = spec.trim().toLowerCase().replace(/^0x(?=[0-9a-f]{16}$|[0-9a-f]{40}$)/, "");
    const keys = this.list().filter((k) => !want.private || k.hasPrivate);
    let hits: KeyEntry[];
    if (/^0x[0-9a-f]{40}$/.test(s)) hits = keys.filter((k) => k.account?.toLowerCase() === s);
    else if (/^[0-9a-f]{8,40}$/.test(s)) hits = keys.filter((k) => k.fingerprint.endsWith(s) || k.keyIds.includes(s));
    else hits = keys.filter((k) => k.userIds.some((u) => u.toLowerCase().includes(s)));
    const kind = want.private ? "private key" : "key";
    if (hits.length === 0) {
      const hint = /^0x[0-9a-f]{40}$/.test(s) ? ` (bind one with \`xray keys generate --account ${spec}\` or \`xray keys import <file> --account ${spec}\`)` : "";
      throw new UsageError(`no ${kind} for "${spec}" in ${this.dir}${hint}`);
    }
    if (hits.length > 1) throw new UsageError(`"${spec}" matches ${hits.length} keys (${hits.map((k) => k.fingerprint.slice(-16)).join(", ")}): give a fingerprint`);
    return hits[0];
  }

  /** The key bound to `account`, if any. */
  forAccount(account: string): KeyEntry | undefined {
    return this.list().find((k) => k.account?.toLowerCase() === account.toLowerCase());
  }

  /** Every key whose primary or subkey ID is among `keyIds`, private ones only. */
  privateFor(keyIds: string[]): KeyEntry[] {
    return this.list().filter((k) => k.hasPrivate && k.keyIds.some((id) => keyIds.includes(id)));
  }

  async readPublic(entry: KeyEntry): Promise<PublicKey> {
    return (await readAnyKey(fs.readFileSync(this.publicFile(entry.fingerprint), "utf8"), `key ${entry.fingerprint}`)) as PublicKey;
  }

  readPrivateArmored(entry: KeyEntry): string {
    return fs.readFileSync(this.privateFile(entry.fingerprint), "utf8");
  }

  /** Every public key in the ring (to check signatures against). */
  async allPublic(): Promise<PublicKey[]> {
    return Promise.all(this.list().map((k) => this.readPublic(k)));
  }
}
