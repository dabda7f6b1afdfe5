import { RevertError, RpcError, SignerError, XrayError } from "../../errors";
import { decodeRevert } from "./abi";
import type { Chain } from "./chain";

export interface TxRequest {
  from: string;
  /** Omitted for a contract creation. */
  to?: string;
  data: string;
  /** Gas limit; estimated (plus a margin) when omitted. */
  gas?: bigint;
  /** For a locally signed transaction: the nonce and gas price (asked of the node when omitted). */
  nonce?: bigint;
  gasPrice?: bigint;
  /** A dry run (eth_call) of this very call has just passed: on the embedded chain, nothing is left to check. */
  checked?: boolean;
}

export interface TxReceiptLog {
  address: string;
  topics: string[];
  data: string;
}

/** What a mined transaction reports. */
export interface TxResult {
  hash: string;
  block: number;
  gasUsed: number;
  from: string;
  to?: string;
  contractAddress?: string;
  logs: TxReceiptLog[];
}

interface RawReceipt {
  transactionHash: string;
  /** null in the pending receipts some nodes return. */
  blockNumber: string | null;
  gasUsed: string;
  status: string;
  from: string;
  to: string | null;
  contractAddress: string | null;
  logs: TxReceiptLog[];
}

/** Finds revert data in the many shapes nodes put it (Ganache, geth, Anvil, Hardhat). */
export function revertDataOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (v: unknown): string | undefined => {
    if (v === null || v === undefined || seen.has(v)) return undefined;
    if (typeof v === "string") return /^0x[0-9a-fA-F]{8}/.test(v) ? v : undefined;
    if (typeof v !== "object") return undefined;
    seen.add(v);
    const o = v as Record<string, unknown>;
    return walk(o.data) ?? walk(o.result) ?? walk(o.error) ?? walk(o.cause);
  };
  return walk(err);
}

/** Turns a failed eth_call / eth_estimateGas into a RevertError when it was a revert. */
export function asRevert(err: unknown): unknown {
  if (!(err instanceof RpcError)) return err;
  const data = revertDataOf(err.data);
  const decoded = decodeRevert(data);
  if (decoded) {
    const shown = decoded.name === "Error" ? String(decoded.args[0]) : `${decoded.name}(${decoded.args.map(String).join(", ")})`;
    return new RevertError(`the contract refused: ${shown}`, decoded.name, decoded.args, { cause: err });
  }
  if (/revert/i.test(err.message)) return new RevertError(`the contract refused the call (${err.message})`, undefined, [], { cause: err });
  return err;
}

const hex = (n: bigint | number) => "0x" + n.toString(16);

/** eth_call; a revert becomes a RevertError carrying the decoded custom error. */
export async function callRaw(chain: Chain, to: string, data: string, from?: string): Promise<string> {
  try {
    return await chain.provider.request<string>("eth_call", [{ to, data, ...(from ? { from } : {}) }, "latest"]);
  } catch (err) {
    throw asRevert(err);
  }
}

/** Gas for `req` plus a 25% margin; a revert here means nothing is sent. */
export async function estimateGas(chain: Chain, req: TxRequest): Promise<bigint> {
  try {
    const gas = BigInt(await chain.provider.request<string>("eth_estimateGas", [{ from: req.from, to: req.to, data: req.data }]));
    return (gas * 5n) / 4n;
  } catch (err) {
    throw asRevert(err);
  }
}

/**
 * Sends a transaction and waits for its receipt. The gas estimate runs first, so a call the
 * contract would refuse fails before anything is sent. Uses the local signer when it owns
 * `from`; otherwise the node's unlocked account.
 */
export async function sendTx(chain: Chain, req: TxRequest): Promise<TxResult> {
  const hash = await submitTx(chain, req);
  return waitForReceipt(chain, hash);
}

/**
 * Gas limit of a call sent from an unlocked account of the embedded chain, whose test ether
 * pays any limit: the estimate (eth_estimateGas, ~55 ms in Ganache, which runs the call
 * several times) is replaced by a dry run (eth_call, ~20 ms) that refuses the same calls.
 * Only the gas used is charged; a call needing more fails and is explained from its receipt.
 */
export const EMBEDDED_GAS_LIMIT = 15_000_000n;

async function gasFor(chain: Chain, req: TxRequest, signed: boolean): Promise<bigint> {
  if (!chain.provider.embedded || signed || req.to === undefined) return estimateGas(chain, req);
  if (!req.checked) await callRaw(chain, req.to, req.data, req.from);
  return EMBEDDED_GAS_LIMIT;
}

/** Tries a locally signed transaction gets when another sender took its nonce first. */
const NONCE_TRIES = 5;

/**
 * Sends without waiting for the receipt; returns the transaction hash. A locally signed
 * transaction takes the account's 'pending' nonce; when another process sending from the
 * same account took that nonce first ("nonce too low", "can't be replaced"), it is signed
 * again with a fresh one, up to 5 tries with a little random delay.
 */
export async function submitTx(chain: Chain, req: TxRequest): Promise<string> {
  const signer = chain.signer && chain.signer.address.toLowerCase() === req.from.toLowerCase() ? chain.signer : undefined;
  const gas = req.gas ?? (await gasFor(chain, req, signer !== undefined));
  for (let attempt = 1; ; attempt++) {
    try {
      if (signer) {
        const [chainId, gasPrice, nonce] = await Promise.all([
          chain.chainId(),
          req.gasPrice ?? chain.provider.request<string>("eth_gasPrice").then(BigInt),
          req.nonce ?? transactionCount(chain, req.from, "pending"),
        ]);
        const raw = signer.signTransaction({ nonce, gasPrice, gas, to: req.to, data: req.data }, chainId);
        return await chain.provider.request<string>("eth_sendRawTransaction", [raw]);
      }
      return await chain.provider.request<string>("eth_sendTransaction", [
        { from: req.from, to: req.to, data: req.data, gas: hex(gas), ...(req.nonce !== undefined ? { nonce: hex(req.nonce) } : {}) },
      ]);
    } catch (err) {
      const nonceTaken = err instanceof RpcError && NONCE_TAKEN.test(err.message);
      if (nonceTaken && signer && req.nonce === undefined && attempt < NONCE_TRIES) {
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80 * attempt));
        continue;
      }
      throw explainSendFailure(chain, req, err, attempt);
    }
  }
}

/** What nodes say when a nonce is already used or waiting (Ganache, geth, Anvil, Hardhat). */
const NONCE_TAKEN = /nonce too low|correct nonce|can'?t be replaced|(replacement )?transaction underpriced|nonce has already been used|invalid nonce/i;

/** Says in words why the node refused to take a transaction; its own text goes to details. */
function explainSendFailure(chain: Chain, req: TxRequest, err: unknown, attempts: number): unknown {
  if (!(err instanceof RpcError)) return asRevert(err);
  const options = { cause: err, details: err.message };
  // Ganache, geth ("unknown account", "authentication needed"), Anvil ("No Signer available").
  if (/unknown account|not recognized|no such account|unlocked|authentication needed|no signer/i.test(err.message)) {
    return new SignerError(
      `${chain.provider.description} holds no unlocked key for ${req.from}: sign locally with --private-key <file> or --keystore <file>`,
      options,
    );
  }
  if (NONCE_TAKEN.test(err.message)) {
    return new XrayError(
      `the transaction from ${req.from} was refused ${attempts} times because another transaction from the same account took its nonce: send again when the other sender has finished`,
      "NONCE_CONFLICT",
      options,
    );
  }
  if (/insufficient funds/i.test(err.message)) {
    return new XrayError(`${req.from} has too little ether to pay for the gas on ${chain.provider.description}`, "INSUFFICIENT_FUNDS", options);
  }
  const revert = asRevert(err);
  if (revert !== err) return revert;
  const said = err.message.split("\n")[0].slice(0, 200);
  return new XrayError(`${chain.provider.description} refused the transaction from ${req.from} (it said: ${said})`, "TX_REFUSED", options);
}

/** How many transactions `account` has sent: mined ("latest") or including the node's pool ("pending"). */
export async function transactionCount(chain: Chain, account: string, block: "latest" | "pending"): Promise<bigint> {
  return BigInt(await chain.provider.request<string>("eth_getTransactionCount", [account, block]));
}

/** How often a transaction still without a receipt is looked up, to tell "not yet" from "never". */
const DROP_LOOK_MS = 2_000;

/**
 * Polls for a receipt (5 ms, doubling to 500 ms): nodes answer a send before the receipt exists
 * (anvil, even automining; any node with interval mining), so "none yet" is the normal first
 * answer, as is a receipt without a block (a pending one, from some nodes). A failed (status 0)
 * transaction is replayed to decode its revert.
 */
export async function waitForReceipt(chain: Chain, hash: string, timeoutMs = 120_000): Promise<TxResult> {
  const deadline = Date.now() + timeoutMs;
  let receipt: RawReceipt | null = null;
  let nextLook = Date.now() + DROP_LOOK_MS;
  let unknownAt: number | undefined;
  for (let delay = 5; ; delay = Math.min(delay * 2, 500)) {
    receipt = await chain.provider.request<RawReceipt | null>("eth_getTransactionReceipt", [hash]);
    if (receipt?.blockNumber) break;
    const now = Date.now();
    if (now > deadline) throw new RpcError(`transaction ${hash} was not mined within ${timeoutMs / 1000} s`);
    // A transaction the node no longer knows (dropped from its pool, or replaced by another with
    // its nonce) is never mined: said after two looks DROP_LOOK_MS apart, not at the deadline.
    if (now >= nextLook) {
      nextLook = now + DROP_LOOK_MS;
      if (await chain.provider.request<unknown>("eth_getTransactionByHash", [hash])) unknownAt = undefined;
      else if (unknownAt === undefined) unknownAt = now;
      else throw new XrayError(`transaction ${hash} is no longer known to ${chain.provider.description} (dropped from its pool or replaced): it was not mined; send again`, "TX_DROPPED");
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  if (BigInt(receipt.status) !== 1n) {
    const tx = await chain.provider.request<{ from: string; to: string; input: string }>("eth_getTransactionByHash", [hash]);
    try {
      await chain.provider.request("eth_call", [{ from: tx.from, to: tx.to, data: tx.input }, receipt.blockNumber]);
    } catch (err) {
      throw asRevert(err);
    }
    throw new RevertError(`transaction ${hash} failed (out of gas or reverted without a reason)`);
  }
  return {
    hash,
    block: Number(BigInt(receipt.blockNumber)),
    gasUsed: Number(BigInt(receipt.gasUsed)),
    from: receipt.from,
    to: receipt.to ?? undefined,
    contractAddress: receipt.contractAddress ?? undefined,
    logs: receipt.logs,
  };
}
