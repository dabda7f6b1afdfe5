/**
 * The patient-centric sharing protocol on chain (PCIM's PCAC-SC): shared images, access
 * requests, approvals, denials, traces and revocations. The contract keeps one access state
 * per requester; everything else is an event, read back here with eth_getLogs.
 */
import { UsageError } from "../../../errors";
import { checksumAddress } from "../accounts";
import { decodeEvents, eventTopic } from "../abi";
import { artifact } from "../artifacts";
import { ACCESS_STATES, type AccessState } from "../roles";
import { xrCall, xrLogs, xrSend, type TxOutcome, type XrContext, type XrLog } from "../xr";
import { checkText } from "../../validate";

export { ACCESS_STATES, type AccessState };

/** The audit trail's kinds, and the events behind them. */
export const EVENT_KINDS = {
  shared: "ImageShared",
  requested: "AccessRequested",
  approved: "AccessApproved",
  denied: "AccessDenied",
  traced: "AccessTraced",
  revoked: "AccessRevoked",
  permission: "PermissionSet",
  "permission-removed": "PermissionRevoked",
  record: "XrayhashSet",
  batch: "BatchAnchored",
  profile: "ProfileCreated",
  birthday: "BirthdaySet",
  contact: "ContactSet",
  prediction: "PredictionSet",
} as const;
export type EventKind = keyof typeof EVENT_KINDS;
export const ACCESS_KINDS: EventKind[] = ["shared", "requested", "approved", "denied", "traced", "revoked"];

/** One event of the audit trail, its arguments made plain (addresses checksummed, bytes hex). */
export interface AuditEvent {
  kind: EventKind;
  event: string;
  block: number;
  tx: string;
  /** Seconds since 1970 (the block's time). */
  time: number;
  args: Record<string, string | number | boolean>;
}

/** An encrypted image on IPFS as the chain records it: shared with the patient, or a copy approved for a requester. */
export interface ImageOnChain {
  cid: string;
  sha256: string;
  /** Who may decrypt it: the receiver of a shared image, or the requester of an approved copy. */
  recipient: string;
  /** The doctor who shared it, or the patient who approved the copy. */
  sender: string;
  kind: "shared" | "approved";
  description?: string;
  block: number;
  tx: string;
  /** Position among shared images (ImageShared events in chain order): `xray download #n`. */
  number?: number;
}

const abi = () => artifact("xr").abi;
const topic = (name: string) => eventTopic(abi(), name);

async function cidBytesHex(cid: string): Promise<string> {
  const { CID } = await import("multiformats/cid");
  return "0x" + Buffer.from(CID.parse(cid).bytes).toString("hex");
}

async function cidText(hex: string): Promise<string> {
  const { CID } = await import("multiformats/cid");
  return CID.decode(Buffer.from(hex.slice(2), "hex")).toString();
}

async function cidKey(cid: string): Promise<string> {
  const utils = require("web3-utils") as typeof import("web3-utils");
  return utils.keccak256(await cidBytesHex(cid));
}

/** Records that `cid` holds the image with SHA-256 `sha256`, encrypted for `receiver`; from a doctor. */
export async function shareImage(ctx: XrContext, p: { receiver: string; cid: string; sha256: string; description: string; from: string }): Promise<TxOutcome> {
  checkText(p.description, "description", "the description", { allowEmpty: true });
  return xrSend(ctx, "shareImage", [p.receiver, await cidBytesHex(p.cid), "0x" + p.sha256, p.description], p.from);
}

/** Asks the patient for access with a binary OpenPGP public key. */
export async function requestAccess(ctx: XrContext, p: { publicKey: Uint8Array; notes: string; from: string }): Promise<TxOutcome> {
  checkText(p.notes, "notes", "the notes", { allowEmpty: true });
  return xrSend(ctx, "requestAccess", ["0x" + Buffer.from(p.publicKey).toString("hex"), p.notes], p.from);
}

/** Approves `requester` with the CIDs of the copies re-encrypted for them; from the patient. */
export async function approveAccess(ctx: XrContext, p: { requester: string; copies: { cid: string; sha256: string }[]; from: string }): Promise<TxOutcome> {
  const cids = await Promise.all(p.copies.map((c) => cidBytesHex(c.cid)));
  return xrSend(ctx, "approveAccess", [p.requester, cids, p.copies.map((c) => "0x" + c.sha256)], p.from);
}

export async function denyAccess(ctx: XrContext, p: { requester: string; reason: string; from: string }): Promise<TxOutcome> {
  checkText(p.reason, "reason");
  return xrSend(ctx, "denyAccess", [p.requester, p.reason], p.from);
}

export function revokeAccess(ctx: XrContext, p: { requester: string; from: string }): Promise<TxOutcome> {
  return xrSend(ctx, "revokeAccess", [p.requester], p.from);
}

/** Traces `requester` on chain (an AccessTraced event records authorization success or failure). */
export async function traceAccess(ctx: XrContext, p: { requester: string; from: string }): Promise<TxOutcome & { authorized: boolean }> {
  const out = await xrSend(ctx, "traceAccess", [p.requester], p.from);
  const event = out.events.find((e) => e.name === "AccessTraced");
  return { ...out, authorized: Boolean(event?.args.authorized) };
}

/** `requester`'s access state, read without a transaction. */
export async function accessOf(ctx: XrContext, requester: string): Promise<AccessState> {
  return ACCESS_STATES[Number((await xrCall(ctx, "accessOf", [requester]))[0])] ?? "none";
}

/** The requester's latest request: their public key (binary) and notes; undefined if they never asked. */
export async function latestRequest(ctx: XrContext, requester: string): Promise<{ publicKey: Uint8Array; notes: string; block: number } | undefined> {
  const logs = await xrLogs(ctx, [topic("AccessRequested"), padAddress(requester)]);
  const last = logs[logs.length - 1];
  if (!last) return undefined;
  const [e] = decodeEvents(abi(), [last]);
  return { publicKey: Buffer.from(String(e.args.publicKey).slice(2), "hex"), notes: String(e.args.notes), block: Number(BigInt(last.blockNumber)) };
}

/** Every image shared so far (optionally only those for `receiver`), numbered in chain order. */
export async function sharedImages(ctx: XrContext, receiver?: string): Promise<ImageOnChain[]> {
  const logs = await xrLogs(ctx, [topic("ImageShared")]);
  const all = await Promise.all(logs.map((log, number) => imageOf(log, number)));
  return receiver ? all.filter((i) => i.recipient.toLowerCase() === receiver.toLowerCase()) : all;
}

/** The chain's record of `cid`: as a shared image or an approved copy; undefined if neither. */
export async function findImage(ctx: XrContext, cid: string): Promise<ImageOnChain | undefined> {
  const key = await cidKey(cid);
  const shared = await xrLogs(ctx, [topic("ImageShared"), key]);
  if (shared.length) {
    const all = await xrLogs(ctx, [topic("ImageShared")]);
    const number = all.findIndex((l) => l.transactionHash === shared[0].transactionHash && l.logIndex === shared[0].logIndex);
    return imageOf(shared[0], number);
  }
  const approved = await xrLogs(ctx, [topic("AccessApproved"), null, key]);
  return approved.length ? imageOf(approved[approved.length - 1]) : undefined;
}

/** The shared image number `n` (from 0); UsageError when there is none. */
export async function sharedImage(ctx: XrContext, n: number): Promise<ImageOnChain> {
  const all = await sharedImages(ctx);
  if (n >= all.length) throw new UsageError(`there is no shared image #${n}: ${all.length} shared`);
  return all[n];
}

async function imageOf(log: XrLog, number?: number): Promise<ImageOnChain> {
  const [e] = decodeEvents(abi(), [log]);
  const a = e.args;
  const common = { cid: await cidText(String(a.cid)), sha256: String(a.sha256).slice(2), block: Number(BigInt(log.blockNumber)), tx: log.transactionHash };
  if (e.name === "ImageShared") {
    return { ...common, kind: "shared", recipient: checksumAddress(String(a.receiver)), sender: checksumAddress(String(a.sender)), description: String(a.description), number };
  }
  return { ...common, kind: "approved", recipient: checksumAddress(String(a.requester)), sender: "" };
}

const padAddress = (a: string) => "0x" + a.slice(2).toLowerCase().padStart(64, "0");

/**
 * The audit trail: the events of `kinds` (default: the access protocol's) in chain order,
 * those naming `account` in any address argument when it is given, with their block times.
 */
export async function auditTrail(ctx: XrContext, p: { kinds?: EventKind[]; account?: string } = {}): Promise<AuditEvent[]> {
  const kinds = p.kinds ?? ACCESS_KINDS;
  const byEvent = new Map<string, EventKind>(kinds.map((k) => [EVENT_KINDS[k], k]));
  const logs = await xrLogs(ctx, [kinds.map((k) => topic(EVENT_KINDS[k]))]);
  const times = new Map<string, number>();
  const blocks = [...new Set(logs.map((l) => l.blockNumber))];
  await Promise.all(
    blocks.map(async (b) => {
      const block = await ctx.chain.provider.request<{ timestamp: string }>("eth_getBlockByNumber", [b, false]);
      times.set(b, Number(BigInt(block.timestamp)));
    }),
  );
  const out: AuditEvent[] = [];
  for (const log of logs) {
    const [e] = decodeEvents(abi(), [log]);
    if (!e) continue;
    const args: AuditEvent["args"] = {};
    for (const [name, value] of Object.entries(e.args)) args[name] = await plain(name, value);
    if (e.name === "ImageShared" || e.name === "AccessApproved") delete args.cidKey;
    if (p.account && !Object.values(args).some((v) => typeof v === "string" && v.toLowerCase() === p.account!.toLowerCase())) continue;
    out.push({ kind: byEvent.get(e.name)!, event: e.name, block: Number(BigInt(log.blockNumber)), tx: log.transactionHash, time: times.get(log.blockNumber)!, args });
  }
  return out;
}

/** An event argument as JSON-friendly text: addresses checksummed, CIDs as text, hashes without 0x. */
async function plain(name: string, value: unknown): Promise<string | number | boolean> {
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  const s = String(value);
  if (/^0x[0-9a-fA-F]{40}$/.test(s)) return checksumAddress(s);
  if (name === "cid") return cidText(s);
  if (name === "publicKey") return `${(s.length - 2) / 2} bytes`;
  if (/^0x[0-9a-f]{64}$/.test(s)) return s.slice(2);
  return s;
}
