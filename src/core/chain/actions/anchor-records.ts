import { ChainBusyError, RevertError } from "../../../errors";
import { decodeEvents, encodeCall } from "../abi";
import { artifact } from "../artifacts";
import { explainRevert } from "../explain";
import { estimateGas, submitTx, transactionCount, waitForReceipt, type TxRequest } from "../tx";
import type { XrContext } from "../xr";
import { recordedHashes } from "./records";
import { hasBatchRecording, recordInBatches } from "./record-batches";

export interface AnchorRecordsOptions {
  /** The doctor account that records the hashes. */
  from: string;
  /** Body part stored with each record. */
  part?: string;
  /** Transactions sent before waiting for the oldest receipt. */
  window?: number;
  /** How long to wait for transactions a killed earlier run left in the node's pool. */
  pendingTimeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** One setXrayhash transaction per record, as the paper did, even where setXrayhashes exists. */
  oneByOne?: boolean;
  /** At most this many records per setXrayhashes transaction (default and most: 767). */
  perTransaction?: number;
}

export interface AnchorRecordsResult {
  /** Distinct hashes asked for. */
  total: number;
  /** Of those, already on chain before this run (an earlier, interrupted run or another tool). */
  alreadyAnchored: number;
  /** Records this run added. */
  sent: number;
  /** Record index of every hash asked for. */
  indexes: Map<string, number>;
  /** Gas of each record this run added, in order (a batch's gas shared among its records). */
  gas: number[];
  /** Transactions this run sent (fewer than records when the contract records many per transaction). */
  transactions?: number;
  firstBlock?: number;
  lastBlock?: number;
}

/**
 * Records each SHA-256 as its own record, in the paper's shape: many per transaction with
 * setXrayhashes where the deployed contract has it, else one setXrayhash each; runs
 * again safely. The chain is the journal: hashes already recorded there are skipped, and
 * transactions an interrupted run left pending are waited for first, so after any kill and
 * rerun every hash is recorded exactly once. Transactions are sent `window` at a time
 * without waiting for each receipt in turn; with a local signer the nonces are assigned here.
 */
export async function anchorRecords(ctx: XrContext, hashes: string[], options: AnchorRecordsOptions): Promise<AnchorRecordsResult> {
  const { from, part = "chest", window = 64, pendingTimeoutMs = 120_000, onProgress } = options;
  const { chain } = ctx;
  const wanted = [...new Set(hashes)];
  await settlePending(ctx, from, pendingTimeoutMs);

  const indexes = new Map<string, number>();
  const onChain = await recordedHashes(ctx);
  for (const h of wanted) {
    const at = onChain.get(h);
    if (at) indexes.set(h, at[0]);
  }
  const todo = wanted.filter((h) => !indexes.has(h));
  const result: AnchorRecordsResult = { total: wanted.length, alreadyAnchored: wanted.length - todo.length, sent: 0, indexes, gas: [] };
  onProgress?.(result.alreadyAnchored, wanted.length);
  if (todo.length === 0) return result;
  if (!options.oneByOne && (await hasBatchRecording(ctx))) {
    for (let attempt = 1, left = todo; ; attempt++) {
      try {
        await recordInBatches(ctx, left, result, { from, part, window: Math.min(window, 4), perTransaction: options.perTransaction, onProgress });
        return result;
      } catch (err) {
        // a killed run's last transaction landed first with our nonce: look at the chain again
        if ((err as { code?: string }).code !== "NONCE_CONFLICT" || attempt >= 5) throw err;
        await settlePending(ctx, from, pendingTimeoutMs);
        const now = await recordedHashes(ctx);
        for (const h of left) {
          const at = now.get(h);
          if (at && !indexes.has(h)) {
            indexes.set(h, at[0]);
            result.alreadyAnchored += 1;
          }
        }
        left = left.filter((h) => !indexes.has(h));
      }
    }
  }

  const abi = artifact("xr").abi;
  const to = ctx.deployment.xr;
  const request = (sha256: string): TxRequest => ({ from, to, data: encodeCall(abi, "setXrayhash", [part, sha256]) });
  // Every record costs the same but the very first (a new array slot): one estimate covers all.
  let gas: bigint;
  try {
    gas = await estimateGas(chain, request(todo[0]));
  } catch (err) {
    throw err instanceof RevertError ? explainRevert(err, "setXrayhash", ctx.deployment) : err;
  }
  const local = chain.signer?.address.toLowerCase() === from.toLowerCase();
  let nonce = local ? await transactionCount(chain, from, "pending") : undefined;
  const gasPrice = local ? BigInt(await chain.provider.request<string>("eth_gasPrice")) : undefined;

  // Alone on an in-process chain, pool everything with the miner stopped and let it fill
  // whole blocks: one block per ~200 records instead of one per record. Nothing outside
  // this process sees the stopped miner, and a kill loses only the unmined pool.
  const pooled = chain.provider.exclusive === true;
  const inFlight: { sha256: string; hash: Promise<string> }[] = [];
  // Each send starts when the one before it was accepted (one round trip, no receipt wait):
  // a node that picks the nonce itself (anvil's eth_sendTransaction) can give two concurrent
  // sends from one account the same nonce, and one of them is then never mined.
  let lastSend: Promise<unknown> = Promise.resolve();
  const settle = async () => {
    const { sha256, hash } = inFlight.shift()!;
    const tx = await waitForReceipt(chain, await hash).catch((err) => {
      throw err instanceof RevertError ? explainRevert(err, "setXrayhash", ctx.deployment) : err;
    });
    const event = decodeEvents(abi, tx.logs).find((e) => e.name === "XrayhashSet");
    indexes.set(sha256, Number(event?.args.index));
    result.sent += 1;
    result.transactions = (result.transactions ?? 0) + 1;
    result.gas.push(tx.gasUsed);
    result.firstBlock ??= tx.block;
    result.lastBlock = tx.block;
    onProgress?.(result.alreadyAnchored + result.sent, wanted.length);
  };
  const send = (sha256: string) => {
    const req = { ...request(sha256), gas, gasPrice, nonce };
    if (nonce !== undefined) nonce += 1n;
    const hash = pooled ? submitTx(chain, req) : lastSend.then(() => submitTx(chain, req));
    hash.catch(() => {}); // awaited in order by settle(); a failure is reported there, once
    lastSend = hash;
    inFlight.push({ sha256, hash });
  };
  try {
    if (pooled) {
      const block = await chain.provider.request<{ gasLimit: string }>("eth_getBlockByNumber", ["latest", false]);
      const perBlock = Math.max(1, Number(BigInt(block.gasLimit) / gas));
      for (let i = 0; i < todo.length; i += perBlock) {
        await chain.provider.request("miner_stop");
        try {
          todo.slice(i, i + perBlock).forEach(send);
          await Promise.all(inFlight.map((f) => f.hash));
        } finally {
          await chain.provider.request("miner_start"); // mines the pooled block
        }
        while (inFlight.length) await settle();
      }
    } else {
      for (const sha256 of todo) {
        send(sha256);
        if (inFlight.length >= window) await settle();
      }
      while (inFlight.length) await settle();
    }
  } finally {
    // Let sends already started finish (or fail) before the chain is closed under them.
    await Promise.allSettled(inFlight.map((f) => f.hash));
  }
  return result;
}

/** Waits until no transaction from `account` is left in the node's pool (an interrupted run's). */
async function settlePending(ctx: XrContext, account: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [latest, pending] = await Promise.all([
      transactionCount(ctx.chain, account, "latest"),
      transactionCount(ctx.chain, account, "pending"),
    ]);
    if (pending <= latest) return;
    if (Date.now() > deadline) {
      throw new ChainBusyError(
        `${pending - latest} transactions from ${account} are still pending on ${ctx.chain.provider.description}; run again once they are mined`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
