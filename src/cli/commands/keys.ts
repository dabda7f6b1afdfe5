import * as fs from "node:fs";
import { parseAddress, resolveAccount } from "../../core/chain/accounts";
import { readDeployment } from "../../core/chain/deployment";
import { Keyring, type KeyEntry } from "../../core/crypto/keyring";
import { CryptoError, generateKeyPair, lockKey, readAnyKey, type PrivateKey } from "../../core/crypto/pgp";
import { checkOutput, writeOutput } from "../../core/out-file";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import { readInput } from "../../core/in-file";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { newPassphrase } from "../passphrase";

/** An account for a key: an address needs no chain; an index or role name is looked up. */
async function accountOf(g: Globals, spec: string | undefined): Promise<string | undefined> {
  if (spec === undefined) return undefined;
  if (/^0x/i.test(spec.trim())) return parseAddress(spec.trim());
  return withChain(g, async (chain) => resolveAccount(chain, spec, readDeployment(chain.home, chain.key)));
}

const short = (fpr: string) => fpr.slice(-16).toUpperCase();

function describe(k: KeyEntry): string {
  return `${k.fingerprint.toUpperCase()}  ${k.hasPrivate ? "pub+sec" : "pub    "}  ${k.account ?? "-".padEnd(42)}  ${k.created.slice(0, 10)}  ${safeText(k.userIds.join(", "))}`;
}

export async function generate(g: Globals, o: { name: string; email?: string; account?: string }): Promise<CommandOutput> {
  if (!o.name.trim()) throw new UsageError("--name must not be empty");
  const account = await accountOf(g, o.account);
  const keyring = new Keyring(g.home);
  if (account && keyring.forAccount(account)) {
    throw new UsageError(`${account} already has key ${short(keyring.forAccount(account)!.fingerprint)}: one key per account`);
  }
  const passphrase = await newPassphrase(g);
  const pair = await generateKeyPair({ name: o.name, email: o.email, passphrase });
  const entry = await keyring.save((await readAnyKey(pair.privateArmored)) as PrivateKey, account);
  return {
    json: { ...entry, publicKeyFile: keyring.publicFile(entry.fingerprint), privateKeyFile: keyring.privateFile(entry.fingerprint) },
    text: entry.fingerprint.toUpperCase(),
    details:
      `key pair for ${safeText(entry.userIds[0])}${account ? `, bound to ${account}` : ""}: ${entry.algorithm}, private key locked with your passphrase\n` +
      `give others the public key: xray keys export ${short(entry.fingerprint)} > ${o.name.replace(/\W+/g, "_")}.asc`,
  };
}

export async function list(g: Globals): Promise<CommandOutput> {
  const keys = new Keyring(g.home).list();
  return {
    json: { keys },
    text: keys.map(describe).join("\n"),
    summary: keys.length ? undefined : "no keys yet: xray keys generate --name <name> [--account <account>]",
  };
}

export async function exportKey(g: Globals, spec: string, o: { private?: boolean; out?: string; force?: boolean }): Promise<CommandOutput> {
  const target = o.out === undefined || o.out === "-" ? undefined : checkOutput(o.out, { force: o.force });
  const keyring = new Keyring(g.home);
  const entry = keyring.find(spec, { private: o.private });
  const armored = o.private ? keyring.readPrivateArmored(entry) : fs.readFileSync(keyring.publicFile(entry.fingerprint), "utf8");
  if (target) await writeOutput(target, armored);
  if (!target) o.out = undefined;
  const stderr = o.private ? [`exported the private key of ${short(entry.fingerprint)}, still locked with its passphrase: keep the file safe`] : [];
  return {
    json: { fingerprint: entry.fingerprint, private: Boolean(o.private), ...(o.out ? { out: o.out } : { armored }) },
    text: o.out ? `${o.out}: ${o.private ? "private" : "public"} key ${entry.fingerprint.toUpperCase()}` : armored.trimEnd(),
    stderr,
  };
}

export async function importKey(g: Globals, file: string, o: { account?: string }): Promise<CommandOutput> {
  const data = readInput(file, "key file");
  // a file that is not a key is bad input (exit 2), not a failure of the keyring
  let key = await readAnyKey(data, file).catch((err) => {
    throw new UsageError((err as Error).message, { cause: err });
  });
  if (key.isPrivate() && (key as PrivateKey).isDecrypted()) {
    // An unprotected private key is locked before it is stored.
    key = await lockKey(key as PrivateKey, await newPassphrase(g));
  }
  const account = await accountOf(g, o.account);
  const keyring = new Keyring(g.home);
  const bound = account && keyring.forAccount(account);
  if (bound && bound.fingerprint !== key.getFingerprint().toLowerCase()) {
    throw new UsageError(`${account} already has key ${short(bound.fingerprint)}: one key per account`);
  }
  const entry = await keyring.save(key, account).catch((err) => {
    throw err instanceof CryptoError ? err : new UsageError(`cannot import ${file}: ${(err as Error).message}`);
  });
  return { json: entry, text: `imported ${describe(entry)}` };
}
