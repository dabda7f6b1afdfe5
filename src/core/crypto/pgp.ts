/**
 * OpenPGP through OpenPGP.js: key pairs for patients and requesters, images encrypted for one
 * key and signed by another, and decryption that either returns every byte authenticated
 * or fails. Loaded only by the commands that encrypt (`require` on first use).
 */
import type * as OpenPgp from "openpgp" with { "resolution-mode": "import" };
import { CryptoError } from "../../errors";

export { CryptoError };

type Pgp = typeof OpenPgp;
export type PublicKey = OpenPgp.PublicKey;
export type PrivateKey = OpenPgp.PrivateKey;

let loaded: Pgp | undefined;
function pgp(): Pgp {
  return (loaded ??= require("openpgp") as Pgp);
}

/** What the keyring keeps of a key without parsing it again. */
export interface KeyInfo {
  /** 40 hex digits, lowercase. */
  fingerprint: string;
  userIds: string[];
  /** ISO date. */
  created: string;
  algorithm: string;
  /** Key IDs (16 hex digits) of the primary key and every subkey: what messages name. */
  keyIds: string[];
  hasPrivate: boolean;
}

export function keyInfo(key: PublicKey | PrivateKey): KeyInfo {
  const algo = key.getAlgorithmInfo();
  return {
    fingerprint: key.getFingerprint().toLowerCase(),
    userIds: key.getUserIDs(),
    created: key.getCreationTime().toISOString(),
    algorithm: algo.curve ? `${algo.algorithm} ${algo.curve}` : `${algo.algorithm}${algo.bits ? ` ${algo.bits}` : ""}`,
    keyIds: key.getKeyIDs().map((id) => id.toHex().toLowerCase()),
    hasPrivate: key.isPrivate(),
  };
}

/**
 * A new key pair (Ed25519 signing key with a Curve25519 encryption subkey, OpenPGP.js's
 * default), the private key locked with `passphrase`. Both armored.
 */
export async function generateKeyPair(p: { name: string; email?: string; passphrase: string }) {
  if (!p.passphrase) throw new CryptoError("a private key needs a non-empty passphrase", "PGP_NO_PASSPHRASE");
  const { privateKey, publicKey } = await pgp().generateKey({
    userIDs: [{ name: p.name, ...(p.email ? { email: p.email } : {}) }],
    passphrase: p.passphrase,
    format: "armored",
  });
  const key = await pgp().readKey({ armoredKey: publicKey });
  return { publicArmored: publicKey, privateArmored: privateKey, info: { ...keyInfo(key), hasPrivate: true } };
}

/** Reads an armored or binary key (public or private); a CryptoError names the problem. */
export async function readAnyKey(data: Uint8Array | string, what = "the key"): Promise<PublicKey | PrivateKey> {
  const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
  try {
    if (text.includes("-----BEGIN PGP")) return await pgp().readKey({ armoredKey: text });
    return await pgp().readKey({ binaryKey: typeof data === "string" ? Buffer.from(data, "latin1") : data });
  } catch (err) {
    throw new CryptoError(`${what} is not an OpenPGP key: ${(err as Error).message}`, "PGP_BAD_KEY", { cause: err });
  }
}

/** The private key unlocked with `passphrase`; CryptoError PGP_WRONG_PASSPHRASE otherwise. */
export async function unlockKey(armored: string, passphrase: string): Promise<PrivateKey> {
  const privateKey = await pgp().readPrivateKey({ armoredKey: armored });
  if (privateKey.isDecrypted()) return privateKey;
  try {
    return await pgp().decryptKey({ privateKey, passphrase });
  } catch (err) {
    throw new CryptoError(`wrong passphrase for key ${privateKey.getFingerprint().toUpperCase()}`, "PGP_WRONG_PASSPHRASE", { cause: err });
  }
}

/** Locks an unprotected private key with `passphrase`. */
export function lockKey(privateKey: PrivateKey, passphrase: string): Promise<PrivateKey> {
  return pgp().encryptKey({ privateKey, passphrase });
}

/** A public key as its binary packets (what goes on chain with a request). */
export function publicKeyBytes(key: PublicKey | PrivateKey): Uint8Array {
  return key.toPublic().write();
}

/** Encrypts `data` for `recipient`, signed by `signer` if given: a binary OpenPGP message. */
export async function encryptFor(data: Uint8Array, recipient: PublicKey, signer?: PrivateKey): Promise<Uint8Array> {
  const message = await pgp().createMessage({ binary: data, format: "binary" });
  return (await pgp().encrypt({ message, encryptionKeys: recipient, ...(signer ? { signingKeys: signer } : {}), format: "binary" })) as Uint8Array;
}

/** A stream of bytes as OpenPGP.js reads and writes them (Node's Web streams). */
export type ByteStream = import("node:stream/web").ReadableStream<Uint8Array>;

/**
 * Encrypts a stream for `recipient`, signed by `signer` (one-pass: the signature follows the
 * data): the ciphertext comes out as the plaintext goes in, so memory does not grow with it.
 */
export async function encryptStream(data: ByteStream, recipient: PublicKey, signer?: PrivateKey): Promise<ByteStream> {
  // OpenPGP.js types its streams as the DOM's ReadableStream; Node's is the same class at run time.
  const message = await pgp().createMessage({ binary: data as never, format: "binary" });
  return (await pgp().encrypt({ message, encryptionKeys: recipient, ...(signer ? { signingKeys: signer } : {}), format: "binary" })) as never;
}

/**
 * Decrypts a streamed message chunk by chunk into `write`, with the private keys `keysFor`
 * gives for the key IDs it names. Plaintext is released before the end is authenticated
 * (OpenPGP.js's allowUnauthenticatedStream), so `write` must go somewhere provisional (a
 * temporary file): only when this resolves are the integrity check (MDC) and the signature
 * known good. A damaged, truncated or forged message rejects at the end.
 */
export async function decryptStream(p: {
  ciphertext: ByteStream;
  keysFor: (keyIds: string[]) => Promise<PrivateKey[]>;
  verificationKeys: PublicKey[];
  write: (chunk: Uint8Array) => Promise<void>;
}): Promise<{ signature: Signature; recipients: string[] }> {
  let message;
  try {
    message = await pgp().readMessage({ binaryMessage: p.ciphertext as never });
  } catch (err) {
    throw new CryptoError(`not an OpenPGP message (damaged or truncated): ${(err as Error).message}`, "PGP_DAMAGED", { cause: err });
  }
  const recipients = message.getEncryptionKeyIDs().map((id) => id.toHex().toLowerCase());
  const decryptionKeys = await p.keysFor(recipients);
  let result;
  try {
    result = await pgp().decrypt({ message, decryptionKeys, verificationKeys: p.verificationKeys, format: "binary", config: { allowUnauthenticatedStream: true } });
    const plaintext: ByteStream = result.data as never;
    for await (const chunk of plaintext) await p.write(chunk);
  } catch (err) {
    throw decryptError(err);
  }
  return { signature: await checkSignature(result.signatures[0], p.verificationKeys), recipients };
}

/** A failed decryption in words: no key fits, or the ciphertext is damaged or truncated. */
function decryptError(err: unknown): Error {
  if (err instanceof CryptoError || !(err instanceof Error) || (err as { code?: unknown }).code) return err as Error;
  const text = err.message;
  const code = /session key|no decryption key|decryption key/i.test(text) ? "PGP_NO_KEY" : "PGP_DAMAGED";
  const why = code === "PGP_NO_KEY" ? "none of the given keys can decrypt it" : "the ciphertext is damaged or truncated";
  return new CryptoError(`cannot decrypt: ${why} (${text})`, code, { cause: err });
}

/** The key IDs (16 hex digits) a message is encrypted for; CryptoError when it is not a message. */
export async function recipientKeyIds(ciphertext: Uint8Array): Promise<string[]> {
  const message = await readMessage(ciphertext);
  return message.getEncryptionKeyIDs().map((id) => id.toHex().toLowerCase());
}

async function readMessage(ciphertext: Uint8Array) {
  try {
    return await pgp().readMessage({ binaryMessage: ciphertext });
  } catch (err) {
    throw new CryptoError(`not an OpenPGP message (damaged or truncated): ${(err as Error).message}`, "PGP_DAMAGED", { cause: err });
  }
}

export interface Signature {
  /** valid: made by a key in `verificationKeys`; unknown: by a key not given; invalid: forged or altered. */
  status: "valid" | "unknown" | "invalid" | "unsigned";
  keyId?: string;
  /** The signing key's fingerprint, when known. */
  fingerprint?: string;
}

/**
 * Decrypts a message with the first key that fits, checks its integrity (a changed or missing
 * byte is an error, never partial output) and its signature against `verificationKeys`.
 */
export async function decryptWith(
  ciphertext: Uint8Array,
  decryptionKeys: PrivateKey[],
  verificationKeys: PublicKey[],
): Promise<{ data: Uint8Array; signature: Signature }> {
  const message = await readMessage(ciphertext);
  let result;
  try {
    result = await pgp().decrypt({ message, decryptionKeys, verificationKeys, format: "binary" });
  } catch (err) {
    throw decryptError(err);
  }
  return { data: result.data as Uint8Array, signature: await checkSignature(result.signatures[0], verificationKeys) };
}

type VerificationResult = Awaited<ReturnType<Pgp["decrypt"]>>["signatures"][number];

/** A message's first signature against `verificationKeys` (awaited: for a stream, at its end). */
async function checkSignature(sig: VerificationResult | undefined, verificationKeys: PublicKey[]): Promise<Signature> {
  if (!sig) return { status: "unsigned" };
  const keyId = sig.keyID.toHex().toLowerCase();
  const signer = verificationKeys.find((k) => k.getKeys(sig.keyID).length > 0);
  try {
    await sig.verified;
    return { status: "valid", keyId, fingerprint: signer?.getFingerprint().toLowerCase() };
  } catch (err) {
    if (!signer) return { status: "unknown", keyId };
    throw new CryptoError(`the signature by key ${keyId} does not match: the image was altered or forged (${(err as Error).message})`, "PGP_BAD_SIGNATURE", { cause: err });
  }
}
