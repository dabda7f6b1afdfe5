import { setXrayHash } from "../../core/chain/actions/records";
import { sha256File } from "../../core/hash/sha256";
import { xrContext } from "../../core/chain/xr";
import { parseSha256 } from "../../core/validate";
import { UsageError } from "../../errors";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";

export async function run(g: Globals, part: string, hashText: string | undefined, o: { file?: string }): Promise<CommandOutput> {
  if (!part.trim()) throw new UsageError("the body part must not be empty");
  if (Buffer.byteLength(part) > 32) throw new UsageError(`the body part must be at most 32 bytes, got ${Buffer.byteLength(part)}`);
  if (hashText && o.file) throw new UsageError("give either a SHA-256 or --file, not both");
  let sha256: string;
  if (o.file) {
    sha256 = await sha256File(o.file).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${o.file}: ${err.code ?? err.message}`);
    });
  } else if (hashText) {
    sha256 = parseSha256(hashText);
  } else {
    throw new UsageError("missing the SHA-256: give 64 hex digits or --file <image>");
  }
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const from = await senderFor(g, chain, ctx.deployment, "doctor");
    const out = await setXrayHash(ctx, { part, sha256, from });
    return {
      json: { index: out.index, part, sha256, ...(o.file ? { file: o.file } : {}), tx: txJson(out) },
      text: `recorded X-ray #${out.index}: ${part} ${sha256}\n${txText(out)}`,
    };
  });
}
