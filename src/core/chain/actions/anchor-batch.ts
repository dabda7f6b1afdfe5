import { checksumAddress } from "../accounts";
import { eventTopic } from "../abi";
import { artifact } from "../artifacts";
import { xrCall, xrLogs, xrSend, type XrContext } from "../xr";
import { checkText } from "../../validate";

/** An anchored data set as the chain holds it. */
export interface BatchInfo {
  root: string;
  author: string;
  time: number;
  count: number;
}

export interface AnchorBatchResult extends BatchInfo {
  /** True when this root was on chain before this call (a rerun): nothing was sent. */
  already: boolean;
  /** Time spent on the chain: the check, the transaction and its receipt. */
  chainMs: number;
  /** The anchoring transaction; `gasUsed` only when this call sent it. */
  tx?: { hash: string; block: number; gasUsed?: number };
}

/** The batch anchored under `root`, or undefined. */
export async function getBatch(ctx: XrContext, root: string): Promise<BatchInfo | undefined> {
  const [author, time, count] = await xrCall(ctx, "getBatch", [root]);
  if (/^0x0{40}$/i.test(String(author))) return undefined;
  return { root, author: checksumAddress(String(author)), time: Number(time), count: Number(count) };
}

/**
 * Which of many (contract, root) pairs are anchored, in one eth_getLogs over every contract's
 * BatchAnchored events instead of one getBatch call each (a batch is never removed, so its
 * event is as good as its state). Answers the set of "contract root" keys found, lower case.
 */
export async function anchoredBatches(ctx: Pick<XrContext, "chain">, pairs: { xr: string; block: number; root: string }[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < pairs.length; i += 200) {
    // 200 roots a request: a node may limit the size of a filter
    const some = pairs.slice(i, i + 200);
    const logs = await ctx.chain.provider.request<{ address: string; topics: string[] }[]>("eth_getLogs", [
      {
        address: [...new Set(some.map((p) => p.xr.toLowerCase()))],
        fromBlock: "0x" + Math.min(...some.map((p) => p.block)).toString(16),
        toBlock: "latest",
        topics: [eventTopic(artifact("xr").abi, "BatchAnchored"), [...new Set(some.map((p) => p.root.toLowerCase()))]],
      },
    ]);
    for (const l of logs) found.add(`${l.address.toLowerCase()} ${l.topics[1].toLowerCase()}`);
  }
  return found;
}

/** The transaction that anchored `root`, found through its BatchAnchored event. */
export async function findBatchTx(ctx: XrContext, root: string): Promise<{ hash: string; block: number } | undefined> {
  const logs = await xrLogs(ctx, [eventTopic(artifact("xr").abi, "BatchAnchored"), root]);
  return logs[0] && { hash: logs[0].transactionHash, block: Number(BigInt(logs[0].blockNumber)) };
}

/**
 * Anchors a data set's Merkle root in one transaction; a root already on chain is reported,
 * not sent again, so an interrupted run can simply be repeated.
 */
export async function anchorBatch(ctx: XrContext, p: { root: string; count: number; label: string; from: string }): Promise<AnchorBatchResult> {
  checkText(p.label, "label", "the batch label");
  const started = performance.now();
  const existing = await getBatch(ctx, p.root);
  if (existing) {
    const tx = await findBatchTx(ctx, p.root);
    return { ...existing, already: true, chainMs: performance.now() - started, ...(tx ? { tx } : {}) };
  }
  const out = await xrSend(ctx, "anchorBatch", [p.root, p.count, p.label], p.from);
  const info = (await getBatch(ctx, p.root))!;
  return { ...info, already: false, chainMs: performance.now() - started, tx: { hash: out.tx.hash, block: out.tx.block, gasUsed: out.tx.gasUsed } };
}

/** True when xr itself confirms the proof against an anchored root. */
export async function verifyAnchoredOnChain(ctx: XrContext, root: string, sha256: string, proof: string[]): Promise<boolean> {
  const [ok] = await xrCall(ctx, "verifyAnchored", [root, "0x" + sha256, proof]);
  return Boolean(ok);
}
