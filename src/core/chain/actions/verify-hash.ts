import type { ProofsFile } from "../../hash/proofs";
import { verifyDatasetProof } from "../../hash/merkle";
import type { XrContext } from "../xr";
import { getBatch, verifyAnchoredOnChain, type BatchInfo } from "./anchor-batch";
import { getXray, recordedHashes, type XrayRecord } from "./records";

export interface HashOnChain {
  sha256: string;
  /** Records holding this hash (read back from contract state, not only from events). */
  records: XrayRecord[];
  /** Set when a proofs file has a proof for this hash. */
  batch?: BatchInfo & { proofValid: boolean; confirmedByContract: boolean; anchored: boolean };
  anchored: boolean;
}

/**
 * Is this SHA-256 anchored? Looks for per-image records (through the hash-indexed events,
 * each confirmed against the contract's storage) and, given a proofs file, checks the
 * image's Merkle proof both here and with xr.verifyAnchored against the root on chain.
 */
export async function verifyHashOnChain(ctx: XrContext, sha256: string, p: { proofs?: ProofsFile } = {}): Promise<HashOnChain> {
  const indexes = (await recordedHashes(ctx, sha256)).get(sha256) ?? [];
  const records = (await Promise.all(indexes.map((i) => getXray(ctx, i)))).filter((r) => r.sha256 === sha256);
  const out: HashOnChain = { sha256, records, anchored: records.length > 0 };
  const proof = p.proofs?.proofs[sha256];
  if (p.proofs && proof) {
    const root = p.proofs.root;
    const info = await getBatch(ctx, root);
    const proofValid = verifyDatasetProof(root, sha256, proof);
    const confirmedByContract = info ? await verifyAnchoredOnChain(ctx, root, sha256, proof) : false;
    const anchored = Boolean(info) && proofValid && confirmedByContract;
    out.batch = { root, author: info?.author ?? "", time: info?.time ?? 0, count: info?.count ?? p.proofs.count, proofValid, confirmedByContract, anchored };
    out.anchored ||= anchored;
  }
  return out;
}
