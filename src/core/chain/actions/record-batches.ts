/**
 * Per-record anchoring in few transactions: xr's setXrayhashes records many images in one
 * transaction, one record and one XrayhashSet event each, with setXrayhash's checks, and
 * stores their hashes as one contract's code (a "run") instead of three storage slots each:
 * about 10,000 gas a record against 106,058 for one setXrayhash each. Ganache's cost was per
 * stored slot (its JavaScript trie and leveldb), so this is also what makes it fast there:
 * 5,856 records in 8 transactions, about 1 ms a record instead of 12-17.
 */
import { RevertError } from "../../../errors";
import { decodeEvents, encodeCall, functionItem } from "../abi";
import { selector, canonicalType } from "../abi-codec";
import { artifact } from "../artifacts";
import { explainRevert } from "../explain";
import { estimateGas, submitTx, transactionCount, waitForReceipt } from "../tx";
import type { XrContext } from "../xr";
import type { AnchorRecordsResult } from "./anchor-records";

/** At most this share of a block's gas limit per transaction, so other senders still fit. */
const BLOCK_SHARE = 0.4;
/**
 * Records per transaction: one run (767 hashes fill a contract's 24,576 bytes). Measured on
 * Ganache (2,000 records): 50 a transaction 1.4 ms a record, 200 0.8 ms, 767 0.9 ms; a
 * transaction of 767 takes about 0.4 s to mine, the window in which a killed run's last
 * transaction is not yet visible to its rerun (the nonce then keeps the two apart).
 */
const MAX_PER_TX = 767;

/** True when the deployed xr has setXrayhashes (contracts deployed before it was added do not). */
export async function hasBatchRecording(ctx: XrContext): Promise<boolean> {
  const item = functionItem(artifact("xr").abi, "setXrayhashes");
  const sel = selector(`${item.name}(${(item.inputs ?? []).map(canonicalType).join(",")})`).slice(2);
  const code = await ctx.chain.provider.request<string>("eth_getCode", [ctx.deployment.xr, "latest"]);
  return code.toLowerCase().includes(`63${sel}`); // PUSH4 <selector> in the dispatcher
}

export interface RecordBatchesOptions {
  from: string;
  part: string;
  /** Transactions sent before waiting for the oldest receipt. */
  window: number;
  /** At most this many records per transaction (at most MAX_PER_TX). */
  perTransaction?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Records `todo` (hashes not yet on chain) with setXrayhashes, filling `result`. The gas of
 * two and of three records gives the cost per record (one record is stored the other way);
 * each transaction carries up to 767 records, fewer if they would not fit in 40% of the
 * block's gas limit. Each transaction is all-or-nothing, so a killed run
 * leaves whole transactions behind, and the caller's rerun skips what they recorded.
 */
export async function recordInBatches(ctx: XrContext, todo: string[], result: AnchorRecordsResult, o: RecordBatchesOptions): Promise<void> {
  const { chain } = ctx;
  const abi = artifact("xr").abi;
  const to = ctx.deployment.xr;
  const data = (hashes: string[]) => encodeCall(abi, "setXrayhashes", [o.part, hashes.map((h) => "0x" + h)]);
  const explain = (err: unknown) => (err instanceof RevertError ? explainRevert(err, "setXrayhashes", ctx.deployment) : err);
  const raw = async (hashes: string[]) => ((await estimateGas(chain, { from: o.from, to, data: data(hashes) }).catch((err) => Promise.reject(explain(err)))) * 4n) / 5n;
  // one record is stored as setXrayhash stores it; two or more as a run, linear in their number
  const two = todo.length > 1 ? await raw(todo.slice(0, 2)) : await raw(todo.slice(0, 1));
  const perRecord = todo.length > 2 ? (await raw(todo.slice(0, 3))) - two : two;
  const one = two - perRecord; // the fixed cost plus one record (for the fit below)
  const block = await chain.provider.request<{ gasLimit: string }>("eth_getBlockByNumber", ["latest", false]);
  const fit = Math.floor((Number(BigInt(block.gasLimit)) * BLOCK_SHARE - Number(one - perRecord)) / Number(perRecord));
  const perTx = Math.max(1, Math.min(o.perTransaction ?? MAX_PER_TX, MAX_PER_TX, fit));
  const gasFor = (k: number) => ((one + BigInt(k) * perRecord) * 3n) / 2n;

  const local = chain.signer?.address.toLowerCase() === o.from.toLowerCase();
  // Nonces are assigned here, also for an unlocked account: a transaction a killed run left
  // in the node's hands (still being mined, so neither pending nor in a block) then takes
  // the same nonce, and only one of the two lands: never the same records twice. The
  // refused one comes back as NONCE_CONFLICT, and the caller looks at the chain again.
  let nonce: bigint | undefined = await transactionCount(chain, o.from, "pending");
  // An unlocked account's sends go one at a time: a node given several at once from one
  // account may hand two the same nonce (anvil refuses one: "replacement underpriced").
  const window = local ? o.window : 1;
  const gasPrice = local ? BigInt(await chain.provider.request<string>("eth_gasPrice")) : undefined;
  const inFlight: { hashes: string[]; hash: Promise<string> }[] = [];
  const settle = async () => {
    const { hashes, hash } = inFlight.shift()!;
    const tx = await waitForReceipt(chain, await hash).catch((err) => Promise.reject(explain(err)));
    const events = decodeEvents(abi, tx.logs).filter((e) => e.name === "XrayhashSet");
    for (const e of events) result.indexes.set(String(e.args.hash).slice(2), Number(e.args.index));
    result.sent += hashes.length;
    result.transactions = (result.transactions ?? 0) + 1;
    const share = Math.round(tx.gasUsed / hashes.length);
    for (let i = 0; i < hashes.length; i++) result.gas.push(share);
    result.firstBlock ??= tx.block;
    result.lastBlock = tx.block;
    o.onProgress?.(result.alreadyAnchored + result.sent, result.total);
  };
  try {
    for (let i = 0; i < todo.length; i += perTx) {
      const hashes = todo.slice(i, i + perTx);
      const req = { from: o.from, to, data: data(hashes), gas: gasFor(hashes.length), gasPrice, nonce };
      if (nonce !== undefined) nonce += 1n;
      inFlight.push({ hashes, hash: submitTx(chain, req) });
      if (inFlight.length >= window) await settle();
    }
    while (inFlight.length) await settle();
  } finally {
    await Promise.allSettled(inFlight.map((f) => f.hash));
  }
}
