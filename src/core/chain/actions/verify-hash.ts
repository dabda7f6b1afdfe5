import { proofIndex, proofIndexDir } from "../../hash/proof-index";
import type { ProofsFile } from "../../hash/proofs";
import { verifyDatasetProof } from "../../hash/merkle";
import type { XrContext } from "../xr";
import { getBatch, verifyAnchoredOnChain, type BatchInfo } from "./anchor-batch";
import { getXray, recordedHashes, type XrayRecord } from "./records";

export type BatchCheck = BatchInfo & { proofValid: boolean; confirmedByContract: boolean; anchored: boolean; label: string };

export interface HashOnChain {
  sha256: string;
  /** Records holding this hash (read back from contract state, not only from events). */
  records: XrayRecord[];
  /** Set when a proof for this hash was given or found in the home's index. */
  batch?: BatchCheck;
  /** Where the proof came from: the proofs file given, or the home's index. */
  proofFrom?: "file" | "index";
  anchored: boolean;
}

export interface VerifyHashOptions {
  /** A proofs file to check (always checked when it has a proof for the hash). */
  proofs?: ProofsFile;
  /** When no record holds the hash and `proofs` has no proof for it, look in the home's proof index (default true). */
  useIndex?: boolean;
  /** The index, shared between calls so each proofs file is read once. */
  index?: ReturnType<typeof proofIndex>;
}

/** Opens the proof index of this context's deployment (in the chain's home). */
export const proofIndexOf = (ctx: XrContext) => proofIndex(proofIndexDir(ctx.chain.home, ctx.deployment.chainId, ctx.deployment.xr));

/**
 * Is this SHA-256 anchored? Looks for per-image records first (through the hash-indexed events,
 * each confirmed against the contract's storage), then for a batch proof (the proofs file given,
 * else the home's index, as `ots verify` finds its .ots file), checked both here and with
 * xr.verifyAnchored against the root on chain.
 */
export async function verifyHashOnChain(ctx: XrContext, sha256: string, p: VerifyHashOptions = {}): Promise<HashOnChain> {
  const indexes = (await recordedHashes(ctx, sha256)).get(sha256) ?? [];
  const records = (await Promise.all(indexes.map((i) => getXray(ctx, i)))).filter((r) => r.sha256 === sha256);
  const out: HashOnChain = { sha256, records, anchored: records.length > 0 };
  if (p.proofs?.proofs[sha256]) {
    out.batch = await checkBatch(ctx, p.proofs, sha256);
    out.proofFrom = "file";
  } else if (!out.anchored && p.useIndex !== false) {
    for (const candidate of (p.index ?? proofIndexOf(ctx)).find(sha256)) {
      out.batch = await checkBatch(ctx, candidate, sha256);
      out.proofFrom = "index";
      if (out.batch.anchored) break;
    }
  }
  out.anchored ||= Boolean(out.batch?.anchored);
  return out;
}

async function checkBatch(ctx: XrContext, proofs: ProofsFile, sha256: string): Promise<BatchCheck> {
  const proof = proofs.proofs[sha256];
  const root = proofs.root;
  const info = await getBatch(ctx, root);
  const proofValid = verifyDatasetProof(root, sha256, proof);
  const confirmedByContract = info ? await verifyAnchoredOnChain(ctx, root, sha256, proof) : false;
  const anchored = Boolean(info) && proofValid && confirmedByContract;
  return { root, label: proofs.label, author: info?.author ?? "", time: info?.time ?? 0, count: info?.count ?? proofs.count, proofValid, confirmedByContract, anchored };
}
