import { recordXrayHash } from "../../core/chain/actions/records";
import { xrContext } from "../../core/chain/xr";
import { safeText } from "../../core/text";
import { parseSha256 } from "../../core/validate";
import { UsageError } from "../../errors";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";

export async function run(g: Globals, part: string, hashText: string | undefined, o: { file?: string; allowDuplicate?: boolean }): Promise<CommandOutput> {
  if (!part.trim()) throw new UsageError("the body part must not be empty");
  if (Buffer.byteLength(part) > 32) throw new UsageError(`the body part must be at most 32 bytes, got ${Buffer.byteLength(part)}`);
  if (hashText && o.file) throw new UsageError("give either a SHA-256 or --file, not both");
  let sha256: string;
  if (o.file) {
    // the image checks of hash and anchor: a non-empty image, a regular file (never a FIFO)
    // loaded only for --file: hashing needs node:crypto, which a hash given as text does not
    const { hashFileSync } = require("../../core/hash/hash-file") as typeof import("../../core/hash/hash-file");
    const h = hashFileSync(o.file);
    if (!h.ok) throw new UsageError(h.code ? `cannot read ${o.file}: ${h.error}` : `${o.file}: ${h.error}`);
    sha256 = h.sha256;
  } else if (hashText) {
    sha256 = parseSha256(hashText);
  } else {
    throw new UsageError("missing the SHA-256: give 64 hex digits or --file <image>");
  }
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const from = await senderFor(g, chain, ctx.deployment, "doctor");
    const out = await recordXrayHash(ctx, { part, sha256, from, allowDuplicate: o.allowDuplicate });
    return {
      json: { index: out.index, part, sha256, ...(o.file ? { file: o.file } : {}), tx: txJson(out) },
      text: `recorded X-ray #${out.index}: ${safeText(part)} ${sha256}`,
      details: txText(out),
    };
  });
}
