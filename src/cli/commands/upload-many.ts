/**
 * `xray upload a.dcm b.dcm ...`: many files in one command, each its own share (its own
 * encryption, IPFS object and chain record), with one process start, one chain connection,
 * one IPFS store and one passphrase prompt. A file already shared with the receiver is
 * skipped, so a rerun after a kill (or a failure) shares only what is left.
 */
import { sharedImages } from "../../core/chain/actions/access";
import { AlreadySharedError } from "../../core/share-upload";
import { safeText } from "../../core/text";
import { UsageError, XrayError } from "../../errors";
import { DicomError } from "../../core/dicom/parse";
import { withChain, withIpfs, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar } from "../progress";
import { shareOne, uploadSetup, type UploadOptions } from "./share";

/** A failure of this one file (not an image, a damaged DICOM, burned in, too small to hide the data, changed while read). */
const fileProblem = (err: unknown): err is XrayError =>
  err instanceof UsageError || err instanceof DicomError || (err instanceof XrayError && ["BURNED_IN", "CHANGED", "STEGO_CAPACITY", "IMAGE_UNREADABLE"].includes(err.code));

export async function uploadMany(g: Globals, images: string[], o: Omit<UploadOptions, "cidVersion"> & { cidVersion: 0 | 1 }): Promise<CommandOutput> {
  const t0 = performance.now();
  return withChain(g, async (chain) => {
    const s = await uploadSetup(g, chain, { ...o, cidVersion: String(o.cidVersion) });
    // What the receiver already has, read once (each share would read every share again).
    const shared = o.again ? undefined : new Map((await sharedImages(s.ctx, s.receiver)).map((i) => [i.sha256, { number: i.number, cid: i.cid }]));
    const shares: Record<string, unknown>[] = [];
    const skipped: { file: string; reason: string }[] = [];
    const failed: { file: string; code: string; error: string }[] = [];
    const bar = progressBar("uploading", images.length, !g.json);
    let bytes = 0;
    await withIpfs(g, async (store) => {
      for (const [i, image] of images.entries()) {
        try {
          const { r, extra } = await shareOne(g, store, s, image, { ...o, shared });
          bytes += r.size;
          shares.push({ file: image, cid: r.cid, sha256: r.sha256, size: r.size, encryptedSize: r.encryptedSize, ...extra.json, seconds: r.seconds, tx: r.outcome.tx.hash, block: r.outcome.tx.block, gasUsed: r.outcome.tx.gasUsed });
        } catch (err) {
          if (err instanceof AlreadySharedError && !o.again) skipped.push({ file: image, reason: err.message });
          else if (fileProblem(err)) failed.push({ file: image, code: err.code, error: err.message });
          else throw err; // the chain, IPFS or the keys failed: every later file would fail too
        }
        bar.update(i + 1);
      }
    });
    bar.done();
    const seconds = (performance.now() - t0) / 1000;
    return {
      json: { count: shares.length, skippedCount: skipped.length, failedCount: failed.length, receiver: s.receiver, description: s.description, bytes, seconds, shares, skipped, failed },
      text: shares.map((x) => `${safeText(String(x.file))} ${x.cid}`).join("\n"),
      stderr: [...failed.map((x) => `${safeText(x.file)}: ${x.error}`)],
      summary: `${shares.length} shared with ${s.receiver} in ${seconds.toFixed(2)} s${skipped.length ? `, ${skipped.length} already shared (skipped)` : ""}${failed.length ? `, ${failed.length} failed` : ""}`,
      exitCode: failed.length ? 1 : 0,
    };
  });
}
