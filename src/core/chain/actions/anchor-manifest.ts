import { writeFileAtomic } from "../../home";
import { manifestCompanions, readManifest, type Manifest } from "../../hash/manifest";
import { buildDatasetTree } from "../../hash/merkle";
import { proofIndexDir, indexBatch } from "../../hash/proof-index";
import { proofsFileFor, writeProofs, type ProofsFile } from "../../hash/proofs";
import { acquireLock } from "../../lock";
import type { XrContext } from "../xr";
import { anchorBatch, type AnchorBatchResult } from "./anchor-batch";
import { anchorRecords, type AnchorRecordsOptions, type AnchorRecordsResult } from "./anchor-records";

export interface AnchorManifestOptions extends Omit<AnchorRecordsOptions, "onProgress"> {
  /** One transaction holding a Merkle root, with proofs saved beside the manifest. */
  batch?: boolean;
  /** The data set's name in the BatchAnchored event (batch mode). */
  label?: string;
  onProgress?: AnchorRecordsOptions["onProgress"];
  /** The manifest already read from `manifestFile` (read here when omitted). */
  manifest?: Manifest;
}

export type AnchorManifestResult =
  | ({ mode: "records"; manifest: Manifest; stateFile: string } & AnchorRecordsResult)
  | ({ mode: "batch"; manifest: Manifest; proofsFile: string; images: number } & AnchorBatchResult);

/** `<manifest>.anchor.json`: the record index each image got, written after a per-record run. */
export const anchorFileFor = (manifestFile: string) => manifestCompanions(manifestFile).anchor;

/**
 * Anchors every hash of a manifest, per record or as one batch (its proofs written beside the
 * manifest and indexed in the home). Holds `<manifest>.lock`
 * so two runs on one manifest cannot race; both modes are safe to run again after a kill.
 */
export async function anchorManifest(ctx: XrContext, manifestFile: string, options: AnchorManifestOptions): Promise<AnchorManifestResult> {
  const manifest = options.manifest ?? readManifest(manifestFile);
  const release = await acquireLock(manifestCompanions(manifestFile).lock, { waitMs: 0, what: `the manifest ${manifestFile}` });
  try {
    const hashes = manifest.files.map((f) => f.sha256);
    if (options.batch) {
      const tree = buildDatasetTree(hashes);
      const label = options.label ?? manifestFile;
      const out = await anchorBatch(ctx, { root: tree.root, count: tree.count, label, from: options.from });
      const proofsFile = proofsFileFor(manifestFile);
      const proofs: ProofsFile = {
        format: "xray-proofs/1",
        scheme: "openzeppelin-standard-merkle-tree/bytes32",
        root: tree.root,
        count: tree.count,
        label,
        chainId: ctx.deployment.chainId,
        contract: ctx.deployment.xr,
        tx: out.tx?.hash,
        block: out.tx?.block,
        anchoredBy: out.author,
        anchoredAt: new Date(out.time * 1000).toISOString(),
        proofs: Object.fromEntries(tree.proofs),
      };
      writeProofs(proofsFile, proofs);
      // the home's index, where `xray verify <file>` finds the proof without --proofs
      await indexBatch(proofIndexDir(ctx.chain.home, ctx.deployment.chainId, ctx.deployment.xr), proofs);
      return { mode: "batch", manifest, proofsFile, images: manifest.files.length, ...out };
    }
    const out = await anchorRecords(ctx, hashes, options);
    const stateFile = anchorFileFor(manifestFile);
    const records = manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, index: out.indexes.get(f.sha256) }));
    const state = { format: "xray-anchor/1", chainId: ctx.deployment.chainId, contract: ctx.deployment.xr, part: options.part ?? "chest", records };
    writeFileAtomic(stateFile, JSON.stringify(state, null, 1) + "\n");
    return { mode: "records", manifest, stateFile, ...out };
  } finally {
    release();
  }
}
