/**
 * Step 3 of the sharing flow, streamed: the ciphertext comes out of the IPFS exporter (every
 * block checked), is decrypted chunk by chunk and hashed on the way. OpenPGP authenticates a
 * streamed message (integrity, signature) only at its end, so the plaintext goes to a
 * provisional place first: a regular file's temporary file, renamed only once the signature
 * and the SHA-256 on chain are checked; for stdout, a device or a FIFO, a private spool file
 * in the home, copied to the target only then. On any failure nothing reaches the target.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ReadableStream } from "node:stream/web";
import { TamperedError } from "../errors";
import type { ImageOnChain } from "./chain/actions/access";
import type { XrContext } from "./chain/xr";
import { processAlive } from "./home";
import { decryptStream, type Signature } from "./crypto/pgp";
import { fileContent, openFile } from "./ipfs/get";
import type { IpfsStore } from "./ipfs/store";
import { checkOutput, openOutput, type OutputOptions, type OutputSink, type OutputTarget } from "./out-file";
import { checkAccess, keysFor, resolveImage, signerAccount, type Unlocker } from "./share";

export interface Downloaded {
  image: ImageOnChain;
  /** Bytes of the image written. */
  size: number;
  signature: Signature & { account?: string };
  decryptedWith: string;
  target: OutputTarget;
}

/**
 * Fetches, decrypts and verifies the image `spec` names (a CID or "#n") into `out`, written
 * only when its signature and its SHA-256 against the chain are good.
 */
export async function downloadImage(p: {
  ctx: XrContext;
  store: IpfsStore;
  unlocker: Unlocker;
  spec: string;
  /** The chain's record of `spec`, when the caller has already read it (many downloads: one read for all). */
  image?: ImageOnChain;
  out: string | OutputTarget;
  home: string;
  /** Called with ciphertext bytes read so far and the total. */
  onProgress?: (bytes: number, total: number) => void;
} & OutputOptions): Promise<Downloaded> {
  const target = typeof p.out === "string" ? checkOutput(p.out, p) : p.out;
  const image = p.image ?? (await resolveImage(p.ctx, p.spec));
  await checkAccess(p.ctx, image);
  const { entry } = await openFile(p.store, image.cid);
  const total = Number(entry.size);
  // A regular file has its own temporary file; anything else is spooled in the home first.
  const spool = target.kind === "file" ? undefined : spoolFile(p.home);
  const sink = openOutput(spool ?? target, p);
  let sourceError: unknown;
  let fetched = 0;
  const ciphertext = ReadableStream.from(
    (async function* () {
      try {
        for await (const chunk of fileContent(entry)) {
          fetched += chunk.length;
          p.onProgress?.(fetched, total);
          yield chunk;
        }
      } catch (err) {
        sourceError = err; // a missing or damaged block: the real reason, whatever OpenPGP makes of it
        throw err;
      }
    })(),
  );
  const hash = createHash("sha256");
  let size = 0;
  let decryptedWith = "";
  try {
    const { signature } = await decryptStream({
      ciphertext,
      keysFor: async (ids) => {
        const found = await keysFor(p.unlocker, ids, image.cid, ` (${image.recipient})`);
        decryptedWith = found.fingerprint;
        return found.keys;
      },
      verificationKeys: await p.unlocker.verificationKeys(),
      write: async (chunk) => {
        hash.update(chunk);
        size += chunk.length;
        await sink.write(chunk);
      },
    }).catch((err) => {
      throw sourceError ?? err;
    });
    const actual = hash.digest("hex");
    if (actual !== image.sha256) {
      throw new TamperedError(`${image.cid} decrypts to an image with SHA-256 ${actual}, but the chain records ${image.sha256}: the image was changed`);
    }
    await sink.commit();
    if (spool) await copyOut(spool.path, openOutput(target, p));
    return { image, size, signature: signerAccount(p.unlocker, signature), decryptedWith, target };
  } catch (err) {
    sink.abort();
    throw err;
  } finally {
    if (spool) fs.rmSync(spool.path, { force: true });
  }
}

/** A private file in the home (mode 0600) for plaintext that must wait for verification. */
function spoolFile(home: string): OutputTarget & { kind: "file"; path: string } {
  const dir = path.join(path.resolve(home), "tmp");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A download killed with -9 leaves its plaintext here: removed once its process is gone.
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(/^\.?download\.(\d+)\./.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
  return { kind: "file", path: path.join(dir, `download.${process.pid}.${Date.now()}`), exists: false };
}

/** Copies a verified spool file to the real target, chunk by chunk. */
async function copyOut(file: string, sink: OutputSink): Promise<void> {
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) await sink.write(chunk as Buffer);
    await sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
}
