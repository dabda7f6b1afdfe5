/**
 * Encrypted images between a radiologist, a patient and requesters (Jabarulla & Lee's PCIM):
 * the keys, the chain's record of an image, opening it (fetch, check every block, decrypt,
 * check the SHA-256 on chain and the access state), and approve (decrypt, re-encrypt for the
 * requester, add, record the new CIDs). Upload and download stream: share-upload.ts and
 * share-download.ts.
 * Every output file is written only once it is complete and verified.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { AccessDeniedError, TamperedError, UsageError } from "../errors";
import { accessOf, approveAccess, findImage, latestRequest, sharedImage, sharedImages, type ImageOnChain } from "./chain/actions/access";
import { checksumAddress } from "./chain/accounts";
import { xrCall, type TxOutcome, type XrContext } from "./chain/xr";
import { Keyring, type KeyEntry } from "./crypto/keyring";
import { CryptoError, decryptWith, encryptFor, readAnyKey, recipientKeyIds, unlockKey, type PrivateKey, type PublicKey, type Signature } from "./crypto/pgp";
import { addBytes } from "./ipfs/add";
import { getBytes, parseCid } from "./ipfs/get";
import type { IpfsStore } from "./ipfs/store";

/** Asks for the passphrase of a private key (a prompt, an environment variable, a file). */
export type PassphraseSource = (key: KeyEntry) => Promise<string>;

/** Unlocks private keys from the keyring once each (one passphrase prompt per key a command). */
export class Unlocker {
  private cache = new Map<string, PrivateKey>();
  private publicKeys?: Promise<PublicKey[]>;
  constructor(
    readonly keyring: Keyring,
    private readonly passphrase: PassphraseSource,
  ) {}

  async unlock(entry: KeyEntry): Promise<PrivateKey> {
    let key = this.cache.get(entry.fingerprint);
    if (!key) {
      key = await unlockKey(this.keyring.readPrivateArmored(entry), await this.passphrase(entry));
      this.cache.set(entry.fingerprint, key);
    }
    return key;
  }

  /** Every public key in the keyring, parsed once a command (signatures are checked against them). */
  verificationKeys(): Promise<PublicKey[]> {
    return (this.publicKeys ??= this.keyring.allPublic());
  }
}

export const sha256Hex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * A recipient's public key from a key file, or the keyring (fingerprint, key ID, name, or
 * the account it is bound to).
 */
export async function publicKeyOf(keyring: Keyring, spec: string): Promise<{ key: PublicKey; entry?: KeyEntry }> {
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) return { key: (await readAnyKey(fs.readFileSync(spec), spec)).toPublic() as PublicKey };
  const entry = keyring.find(spec);
  return { key: await keyring.readPublic(entry), entry };
}

/** The chain's record for a CID or a shared image number ("#3" or "3"). */
export async function resolveImage(ctx: XrContext, spec: string): Promise<ImageOnChain> {
  const n = /^#?(\d+)$/.exec(spec.trim());
  if (n) return sharedImage(ctx, Number(n[1]));
  const cid = (await parseCid(spec)).toString();
  const found = (await findImage(ctx, cid)) ?? (await findImage(ctx, await otherVersion(cid)));
  if (!found) throw new UsageError(`${cid} is not recorded on chain (no shared image or approved copy has this CID), so it cannot be verified`);
  return found;
}

/** The same content's CID in the other version (v0 ⇄ v1 dag-pb), so either form finds it. */
async function otherVersion(cid: string): Promise<string> {
  const { CID } = await import("multiformats/cid");
  const c = CID.parse(cid);
  return c.version === 0 ? c.toV1().toString() : c.code === 0x70 ? c.toV0().toString() : cid;
}

export interface Opened {
  image: ImageOnChain;
  data: Uint8Array;
  signature: Signature & { account?: string };
  decryptedWith: string;
}

/**
 * Fetches an image's ciphertext (every block checked), decrypts it with the keyring's key it
 * was encrypted for, and checks the result against the SHA-256 on chain. An approved copy is
 * opened only while the requester's access is approved.
 */
export async function openImage(ctx: XrContext, store: IpfsStore, unlocker: Unlocker, image: ImageOnChain): Promise<Opened> {
  await checkAccess(ctx, image);
  const ciphertext = await getBytes(store, image.cid);
  const { data, signature, decryptedWith } = await decryptFromKeyring(unlocker, ciphertext, `${image.cid}`, ` (${image.recipient})`);
  const actual = sha256Hex(data);
  if (actual !== image.sha256) {
    throw new TamperedError(`${image.cid} decrypts to an image with SHA-256 ${actual}, but the chain records ${image.sha256}: the image was changed`);
  }
  return { image, data, signature: signerAccount(unlocker, signature), decryptedWith };
}

/** An approved copy may be opened only while the requester's access is approved. */
export async function checkAccess(ctx: XrContext, image: ImageOnChain): Promise<void> {
  if (image.kind !== "approved") return;
  const state = await accessOf(ctx, image.recipient);
  if (state !== "approved") {
    throw new AccessDeniedError(`${image.cid} is a copy for ${image.recipient}, whose access is ${state === "revoked" ? "revoked by the patient" : state}: not opened`);
  }
}

/** The keyring's private keys (unlocked) for the key IDs a message names; CryptoError when none. */
export async function keysFor(unlocker: Unlocker, ids: string[], what: string, whose = ""): Promise<{ keys: PrivateKey[]; fingerprint: string }> {
  const candidates = unlocker.keyring.privateFor(ids);
  if (candidates.length === 0) {
    throw new CryptoError(`${what} is encrypted for key ${ids.join(", ")}${whose}, which has no private key in ${unlocker.keyring.dir}`, "PGP_NO_KEY");
  }
  return { keys: await Promise.all(candidates.map((c) => unlocker.unlock(c))), fingerprint: candidates[0].fingerprint };
}

/** The keyring account of the key that made a signature, if the keyring binds one. */
export function signerAccount(unlocker: Unlocker, signature: Signature): Signature & { account?: string } {
  const signer = signature.fingerprint ? unlocker.keyring.list().find((k) => k.fingerprint === signature.fingerprint) : undefined;
  return { ...signature, account: signer?.account };
}

/**
 * Decrypts a message with the keyring's private key it names (unlocked once a command) and
 * checks its signature against the keyring. `what` names the message in errors.
 */
export async function decryptFromKeyring(unlocker: Unlocker, ciphertext: Uint8Array, what: string, whose = "") {
  const { keys, fingerprint } = await keysFor(unlocker, await recipientKeyIds(ciphertext), what, whose);
  const { data, signature } = await decryptWith(ciphertext, keys, await unlocker.verificationKeys());
  return { data, signature, decryptedWith: fingerprint };
}

export interface ApproveResult {
  requester: string;
  copies: { source: string; cid: string; sha256: string; size: number }[];
  outcome: TxOutcome;
}

/**
 * Step 4, the patient's side: decrypts each image (default: every image shared with the
 * patient), re-encrypts it for the key the requester gave with their request, signed by the
 * patient's key, adds the copies to IPFS and records their CIDs in one transaction.
 */
export async function approveRequester(p: {
  ctx: XrContext;
  store: IpfsStore;
  unlocker: Unlocker;
  requester: string;
  patient: string;
  images?: string[];
  cidVersion?: 0 | 1;
}): Promise<ApproveResult> {
  const [patient] = await xrCall(p.ctx, "patient");
  if (String(patient).toLowerCase() !== p.patient.toLowerCase()) {
    throw new AccessDeniedError(`${p.patient} is not the patient (${checksumAddress(String(patient))}): only the patient may approve access`);
  }
  const state = await accessOf(p.ctx, p.requester);
  if (state !== "requested" && state !== "approved") {
    throw new UsageError(`${p.requester} has no pending request (access: ${state}): nothing to approve`);
  }
  const request = await latestRequest(p.ctx, p.requester);
  if (!request) throw new UsageError(`${p.requester} never requested access`);
  const requesterKey = (await readAnyKey(request.publicKey, `the key in ${p.requester}'s request`)) as PublicKey;
  const images = p.images?.length
    ? await Promise.all(p.images.map((s) => resolveImage(p.ctx, s)))
    : await sharedImages(p.ctx, p.patient);
  if (images.length === 0) throw new UsageError(`no image is shared with the patient ${p.patient} yet: nothing to approve`);
  const copies: ApproveResult["copies"] = [];
  for (const image of images) {
    if (image.recipient.toLowerCase() !== p.patient.toLowerCase()) {
      throw new UsageError(`${image.cid} is not the patient's image (it is for ${image.recipient})`);
    }
    const opened = await openImage(p.ctx, p.store, p.unlocker, image);
    const signer = await p.unlocker.unlock(p.unlocker.keyring.find(opened.decryptedWith, { private: true }));
    const ciphertext = await encryptFor(opened.data, requesterKey, signer);
    const { cid } = await addBytes(p.store, ciphertext, { cidVersion: p.cidVersion });
    copies.push({ source: image.cid, cid, sha256: image.sha256, size: opened.data.length });
  }
  const outcome = await approveAccess(p.ctx, { requester: p.requester, copies, from: p.patient });
  return { requester: p.requester, copies, outcome };
}
