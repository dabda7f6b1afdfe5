/**
 * `xray download <cid|#n>... --out <folder>`: many images in one command, each fetched, checked
 * block by block, decrypted and checked against its SHA-256 on chain as `download` does, written
 * as <folder>/<CID> only once verified; one process, one chain connection, one IPFS store.
 * An image already in the folder is skipped (--force replaces it), so a rerun fetches only what is left.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { sharedImages } from "../../core/chain/actions/access";
import { xrContext } from "../../core/chain/xr";
import { Keyring } from "../../core/crypto/keyring";
import { checkOutput } from "../../core/out-file";
import { resolveImage, Unlocker } from "../../core/share";
import { downloadImage } from "../../core/share-download";
import { safeText } from "../../core/text";
import { AccessDeniedError, TamperedError, UsageError, XrayError } from "../../errors";
import { withChain, withIpfs, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { passphraseSource } from "../passphrase";
import { progressBar } from "../progress";

/** A failure of this one image (changed, missing blocks, access revoked), not of the chain or the keys. */
const imageProblem = (err: unknown): err is XrayError =>
  err instanceof TamperedError || err instanceof AccessDeniedError || err instanceof UsageError || (err instanceof XrayError && /^IPFS_(NOT_FOUND|TAMPERED|FAILED)$/.test(err.code));

export async function downloadMany(g: Globals, specs: string[], o: { out: string; force?: boolean }): Promise<CommandOutput> {
  const st = fs.statSync(o.out, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new UsageError(`--out ${o.out} is a file: with several images, give a folder (each is written as <folder>/<CID>)`);
  fs.mkdirSync(o.out, { recursive: true });
  const keyring = new Keyring(g.home);
  const t0 = performance.now();
  return withChain(g, (chain) =>
    withIpfs(g, async (store) => {
      const ctx = xrContext(chain);
      const unlocker = new Unlocker(keyring, passphraseSource(g));
      // The shared images read once (one eth_getLogs): each lookup would read them all again.
      const shared = await sharedImages(ctx);
      const byCid = new Map(shared.map((i) => [i.cid, i]));
      const lookup = (spec: string) => {
        const n = /^#?(\d+)$/.exec(spec.trim());
        return (n ? shared[Number(n[1])] : byCid.get(spec.trim())) ?? resolveImage(ctx, spec);
      };
      const images: Record<string, unknown>[] = [];
      const skipped: { spec: string; out: string }[] = [];
      const failed: { spec: string; code: string; error: string }[] = [];
      const bar = progressBar("downloading", specs.length, !g.json);
      let bytes = 0;
      for (const [i, spec] of specs.entries()) {
        try {
          const image = await lookup(spec);
          const out = path.join(o.out, image.cid);
          if (!o.force && fs.existsSync(out)) skipped.push({ spec, out });
          else {
            const r = await downloadImage({ ctx, store, unlocker, spec: image.cid, image, out: checkOutput(out, { force: true }), home: g.home });
            bytes += r.size;
            images.push({ spec, out, cid: r.image.cid, sha256: r.image.sha256, size: r.size, verified: true, signature: r.signature.status });
          }
        } catch (err) {
          if (!imageProblem(err)) throw err;
          failed.push({ spec, code: err.code, error: err.message });
        }
        bar.update(i + 1);
      }
      bar.done();
      const seconds = (performance.now() - t0) / 1000;
      return {
        json: { out: o.out, count: images.length, skippedCount: skipped.length, failedCount: failed.length, bytes, seconds, images, skipped, failed },
        text: images.map((x) => `${safeText(String(x.out))}: verified`).join("\n"),
        stderr: [...failed.map((x) => `${safeText(x.spec)}: ${x.error}`)],
        summary: `${images.length} images downloaded and verified into ${safeText(o.out)} in ${seconds.toFixed(2)} s${skipped.length ? `, ${skipped.length} already there (skipped; --force replaces them)` : ""}${failed.length ? `, ${failed.length} failed` : ""}`,
        exitCode: failed.length ? 1 : 0,
      };
    }),
  );
}
