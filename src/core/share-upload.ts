/**
 * Step 2 of the sharing flow, streamed: the image is read once to hash it (and to refuse a
 * duplicate share), then read again through OpenPGP encryption straight into the IPFS
 * importer, hashed again on the way. Memory stays bounded whatever the image's size.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { ReadableStream } from "node:stream/web";
import { UsageError, XrayError } from "../errors";
import { sharedImages, shareImage } from "./chain/actions/access";
import type { TxOutcome, XrContext } from "./chain/xr";
import type { KeyEntry } from "./crypto/keyring";
import { encryptStream, type PublicKey } from "./crypto/pgp";
import { notRegular } from "./hash/files";
import { SNIFF_BYTES, sniffImage } from "./hash/sniff";
import { addStream } from "./ipfs/add";
import type { IpfsStore } from "./ipfs/store";
import type { Unlocker } from "./share";

/** Bytes read at a time: large enough that the importer is not starved by round trips. */
const READ_CHUNK = 1 << 20;

export interface UploadProgress {
  phase: "hash" | "encrypt";
  bytes: number;
  total: number;
}

export interface UploadResult {
  cid: string;
  sha256: string;
  size: number;
  encryptedSize: number;
  receiver: string;
  recipientKey: string;
  signerKey: string;
  outcome: TxOutcome;
  /**
   * hash: the first read; encrypt: time the importer waited for ciphertext (reading and
   * encrypting); ipfs: the rest of the streamed step (chunking, hashing, writing blocks); chain.
   */
  seconds: { hash: number; encrypt: number; ipfs: number; chain: number };
}

/** The image is already shared with this receiver: a rerun, refused unless asked for again. */
export class AlreadySharedError extends XrayError {
  override name = "AlreadySharedError";
  constructor(message: string) {
    super(message, "ALREADY_SHARED");
  }
}

/**
 * Hashes the image, refuses it when the chain already shares the same SHA-256 with
 * `receiver` (unless `again`), encrypts it for `recipient` signed by `signer` into the IPFS
 * store, and records CID, SHA-256 and `description` on chain for `receiver`.
 */
export async function uploadImage(p: {
  ctx: XrContext;
  store: IpfsStore;
  unlocker: Unlocker;
  image: string;
  /** The bytes to upload instead of the file's (the image with hidden patient data). */
  data?: Uint8Array;
  recipient: PublicKey;
  signer: KeyEntry;
  receiver: string;
  description: string;
  from: string;
  cidVersion?: 0 | 1;
  /** Share even when the same image is already shared with the receiver. */
  again?: boolean;
  /** What is already shared with the receiver by SHA-256, read once by a caller that uploads many (kept up to date here). */
  shared?: Map<string, { number?: number; cid: string }>;
  onProgress?: (p: UploadProgress) => void;
}): Promise<UploadResult> {
  const size = p.data ? p.data.length : checkImageFile(p.image);
  const read = () => (p.data ? [p.data] : fs.createReadStream(p.image, { highWaterMark: READ_CHUNK }));
  let t = performance.now();
  const sha256 = await hashOf(read(), (bytes) => p.onProgress?.({ phase: "hash", bytes, total: size }));
  const hash = (performance.now() - t) / 1000;
  if (!p.again) await refuseDuplicate(p.ctx, { sha256, receiver: p.receiver, image: p.image, shared: p.shared });
  const signingKey = await p.unlocker.unlock(p.signer);
  t = performance.now();
  const again = createHash("sha256");
  let read2 = 0;
  const plaintext = ReadableStream.from(
    (async function* () {
      for await (const chunk of read()) {
        again.update(chunk);
        read2 += chunk.length;
        p.onProgress?.({ phase: "encrypt", bytes: read2, total: size });
        yield chunk as Uint8Array;
      }
    })(),
  );
  const ciphertext = await encryptStream(plaintext, p.recipient, signingKey);
  let encryptedSize = 0;
  let waited = 0;
  const timed = async function* () {
    const it = ciphertext[Symbol.asyncIterator]();
    for (;;) {
      const w = performance.now();
      const next = await it.next();
      waited += performance.now() - w;
      if (next.done) return;
      encryptedSize += next.value.length;
      yield next.value;
    }
  };
  const cid = await addStream(p.store, timed(), { cidVersion: p.cidVersion });
  const streamed = performance.now() - t;
  if (again.digest("hex") !== sha256 || read2 !== size) {
    throw new XrayError(`${p.image} changed while it was uploaded (its SHA-256 is not the one first read): nothing recorded on chain; run it again`, "CHANGED");
  }
  t = performance.now();
  const outcome = await shareImage(p.ctx, { receiver: p.receiver, cid, sha256, description: p.description, from: p.from });
  p.shared?.set(sha256, { cid });
  return {
    cid,
    sha256,
    size,
    encryptedSize,
    receiver: p.receiver,
    recipientKey: p.recipient.getFingerprint(),
    signerKey: p.signer.fingerprint,
    outcome,
    seconds: { hash, encrypt: waited / 1000, ipfs: (streamed - waited) / 1000, chain: (performance.now() - t) / 1000 },
  };
}

/** The image's size; a UsageError when it cannot be read, is empty or is not an image. */
function checkImageFile(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${file}: ${notRegular(st) ?? "not a regular file"}`);
    if (st.size === 0) throw new UsageError(`${file} is empty`);
    const head = Buffer.alloc(SNIFF_BYTES);
    const n = fs.readSync(fd, head, 0, SNIFF_BYTES, 0);
    if (!sniffImage(head.subarray(0, n))) throw new UsageError(`${file} is not an image (JPEG, PNG, DICOM, ...)`);
    return st.size;
  } finally {
    fs.closeSync(fd);
  }
}

async function hashOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, onBytes: (n: number) => void): Promise<string> {
  const h = createHash("sha256");
  let n = 0;
  for await (const chunk of source) {
    h.update(chunk);
    n += chunk.length;
    onBytes(n);
  }
  return h.digest("hex");
}

/** AlreadySharedError naming the existing share when the chain has this image for this receiver. */
async function refuseDuplicate(ctx: XrContext, p: { sha256: string; receiver: string; image: string; shared?: Map<string, { number?: number; cid: string }> }): Promise<void> {
  const existing = p.shared ? p.shared.get(p.sha256) : (await sharedImages(ctx, p.receiver)).find((i) => i.sha256 === p.sha256);
  if (existing) {
    const as = existing.number === undefined ? existing.cid : `#${existing.number} (${existing.cid})`;
    throw new AlreadySharedError(`${p.image} is already shared with ${p.receiver} as ${as}: not shared again (--again shares it anyway)`);
  }
}
