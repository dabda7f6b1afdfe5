import { RevertError, UsageError, XrayError } from "../../../errors";
import { checksumAddress } from "../accounts";
import { encodeCall, eventTopic } from "../abi";
import { artifact } from "../artifacts";
import { explainRevert } from "../explain";
import { callRaw } from "../tx";
import { xrCall, xrLogs, xrSend, type TxOutcome, type XrContext } from "../xr";
import { checkText } from "../../validate";
import { indexedHashes } from "./hash-index";

/** One image hash record as the CLI shows it. */
export interface XrayRecord {
  index: number;
  doctor: string;
  part: string;
  sha256: string;
  author: string;
  time: number;
  date: string;
}

/** Records an image's SHA-256 (64 lowercase hex digits) for body `part`; from a doctor. */
export async function setXrayHash(ctx: XrContext, p: { part: string; sha256: string; from: string; checked?: boolean }): Promise<TxOutcome & { index: number }> {
  checkText(p.part, "part", "the body part");
  const out = await xrSend(ctx, "setXrayhash", [p.part, p.sha256], p.from, { checked: p.checked });
  const event = out.events.find((e) => e.name === "XrayhashSet");
  return { ...out, index: Number(event?.args.index) };
}

/**
 * Records an image's SHA-256 as `xray set-xray-hash` does: the sender's right to record is
 * checked first (a dry run, so a missing role is reported as such), then a hash already on
 * chain is refused (one line naming the record, code DUPLICATE) unless `allowDuplicate`: a
 * second record of one image says nothing the first did not.
 */
export async function recordXrayHash(ctx: XrContext, p: { part: string; sha256: string; from: string; allowDuplicate?: boolean }): Promise<TxOutcome & { index: number }> {
  if (!p.allowDuplicate) {
    // both at once; a refusal is reported before a duplicate
    const [dryRun, recorded] = await Promise.allSettled([
      callRaw(ctx.chain, ctx.deployment.xr, encodeCall(artifact("xr").abi, "setXrayhash", [p.part, p.sha256]), p.from),
      recordedHashes(ctx, p.sha256),
    ]);
    if (dryRun.status === "rejected") {
      const err = dryRun.reason;
      throw err instanceof RevertError ? explainRevert(err, "setXrayhash", ctx.deployment) : err;
    }
    if (recorded.status === "rejected") throw recorded.reason;
    const [first, ...more] = recorded.value.get(p.sha256) ?? [];
    if (first !== undefined) {
      const also = more.length ? ` (and ${more.length} more)` : "";
      throw new XrayError(`${p.sha256} is already recorded as X-ray #${first}${also}: use --allow-duplicate to record it again`, "DUPLICATE");
    }
  }
  return setXrayHash(ctx, { ...p, checked: !p.allowDuplicate });
}

export async function getXrayCount(ctx: XrContext): Promise<number> {
  return Number((await xrCall(ctx, "getXrayhashCount"))[0]);
}

/** Records `start`, `start + 1`, ... (up to `count`), fetched in pages. */
export async function listXrays(ctx: XrContext, p: { start?: number; count?: number } = {}): Promise<XrayRecord[]> {
  const { start = 0, count = Number.MAX_SAFE_INTEGER } = p;
  const out: XrayRecord[] = [];
  const page = 500;
  for (let at = start; out.length < count; ) {
    const want = Math.min(page, count - out.length);
    const [records, names] = (await xrCall(ctx, "getXrayRecords", [at, want])) as [Record<string, unknown>[], string[]];
    records.forEach((r, i) => out.push(toRecord(at + i, r, names[i])));
    if (records.length < want) break;
    at += records.length;
  }
  return out;
}

/** The record at `index`; UsageError (nothing sent) when it does not exist. */
export async function getXray(ctx: XrContext, index: number): Promise<XrayRecord> {
  const [record] = await listXrays(ctx, { start: index, count: 1 }).catch((err) => {
    if ((err as { errorName?: string }).errorName === "IndexOutOfRange") return [];
    throw err;
  });
  if (!record) throw new UsageError(`there is no X-ray record #${index}: ${await getXrayCount(ctx)} recorded`);
  return record;
}

function toRecord(index: number, r: Record<string, unknown>, name: string): XrayRecord {
  const time = Number(r.time);
  return {
    index,
    doctor: name,
    part: String(r.part),
    sha256: String(r.hash).slice(2),
    author: checksumAddress(String(r.author)),
    time,
    date: new Date(time * 1000).toISOString(),
  };
}

/**
 * Record index of every hash on chain (the first, if one was recorded twice), read from the
 * XrayhashSet events, which index the hash: one eth_getLogs instead of thousands of storage
 * reads. `sha256`, when given, narrows the answer to that hash. On the home's embedded chain
 * the events come through the home's cache (hash-index.ts), since Ganache reads every block of
 * the range whatever the filter.
 */
export async function recordedHashes(ctx: XrContext, sha256?: string): Promise<Map<string, number[]>> {
  const topic = eventTopic(artifact("xr").abi, "XrayhashSet");
  if (ctx.chain.key === "embedded") {
    const all = await indexedHashes(ctx, topic);
    if (!sha256) return all;
    const found = all.get(sha256);
    return new Map(found ? [[sha256, found]] : []);
  }
  const logs = await xrLogs(ctx, [topic, null, null, sha256 ? "0x" + sha256 : null]);
  const out = new Map<string, number[]>();
  for (const log of logs) {
    const hash = log.topics[3].slice(2).toLowerCase();
    out.set(hash, [...(out.get(hash) ?? []), Number(BigInt(log.topics[1]))]);
  }
  return out;
}
