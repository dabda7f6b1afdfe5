import { anchorManifest } from "../../core/chain/actions/anchor-manifest";
import { xrContext } from "../../core/chain/xr";
import { readManifest } from "../../core/hash/manifest";
import { groupDigits, safeText } from "../../core/text";
import { UsageError } from "../../errors";
import { senderFor, withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";

interface AnchorOptions {
  batch?: boolean;
  label?: string;
  part: string;
  window: string;
  perTx?: string;
  patientFrom?: string;
  createPatients?: boolean;
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0);
const n = groupDigits;

export async function run(g: Globals, manifestFile: string, o: AnchorOptions): Promise<CommandOutput> {
  const window = Number(o.window);
  if (!Number.isInteger(window) || window < 1 || window > 4096) throw new UsageError(`--window must be a whole number from 1 to 4096, got "${o.window}"`);
  const perTransaction = o.perTx === undefined ? undefined : Number(o.perTx);
  if (perTransaction !== undefined && !(Number.isInteger(perTransaction) && perTransaction >= 1 && perTransaction <= 767)) {
    throw new UsageError(`--per-tx must be a whole number from 1 to 767, got "${o.perTx}"`);
  }
  if (!o.part.trim() || Buffer.byteLength(o.part) > 32) throw new UsageError("--part must be 1 to 32 bytes");
  const manifest = readManifest(manifestFile); // a bad manifest fails here, before the chain is opened
  if (o.patientFrom !== undefined) return require("./anchor-patients.js").run(g, manifestFile, manifest, o, window);
  if (o.createPatients) throw new UsageError("--create-patients goes with --patient-from <regex>");
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const from = await senderFor(g, chain, ctx.deployment, "doctor");
    const started = Date.now();
    let bar: Progress | undefined;
    const out = await anchorManifest(ctx, manifestFile, {
      manifest,
      from,
      batch: o.batch,
      label: o.label,
      part: o.part,
      window,
      perTransaction,
      onProgress: (done, total) => (bar ??= progressBar("anchoring", total, !g.json)).update(done),
    }).finally(() => bar?.done());
    const seconds = (Date.now() - started) / 1000;
    const timing = `${seconds.toFixed(2)} s`;
    if (out.mode === "batch") {
      const tx = out.tx;
      const time = new Date(out.time * 1000).toISOString();
      const head = out.already
        ? `already anchored: ${n(out.count)} images under root ${out.root} (by ${out.author}, ${time})`
        : `anchored ${n(out.count)} images as one batch, root ${out.root}`;
      return {
        json: { mode: "batch", file: manifestFile, root: out.root, images: out.images, leaves: out.count, already: out.already, author: out.author, time, out: out.proofsFile, seconds, chainSeconds: +(out.chainMs / 1000).toFixed(3), tx },
        text: `${head}\nproofs: ${safeText(out.proofsFile)}`,
        details: tx ? `tx ${tx.hash} in block ${tx.block}${tx.gasUsed ? `, gas used ${n(tx.gasUsed)}` : ""}` : undefined,
        summary: `${timing}, ${(out.chainMs / 1000).toFixed(2)} s of it on chain`,
      };
    }
    const gasMedian = median(out.gas);
    return {
      json: {
        mode: "records",
        file: manifestFile,
        images: out.total,
        alreadyAnchored: out.alreadyAnchored,
        sent: out.sent,
        transactions: out.transactions ?? 0,
        gasPerRecord: gasMedian,
        gasTotal: out.gas.reduce((a, b) => a + b, 0),
        firstBlock: out.firstBlock,
        lastBlock: out.lastBlock,
        out: out.stateFile,
        seconds,
      },
      text: `anchored ${n(out.total)} images, one record each: ${n(out.sent)} recorded now, ${n(out.alreadyAnchored)} already on chain\nrecord indexes: ${safeText(out.stateFile)}`,
      details: out.sent ? `${n(out.transactions ?? out.sent)} transaction${(out.transactions ?? out.sent) === 1 ? "" : "s"}, blocks ${out.firstBlock}-${out.lastBlock}, gas ${n(gasMedian)} per record (median)` : undefined,
      summary: timing,
    };
  });
}
