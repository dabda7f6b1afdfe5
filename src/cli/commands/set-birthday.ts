import { setBirthday } from "../../core/chain/actions/profile";
import { xrContext } from "../../core/chain/xr";
import { parseDate } from "../../core/validate";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";

export async function run(g: Globals, birthdayText: string): Promise<CommandOutput> {
  const birthday = parseDate(birthdayText);
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const out = await setBirthday(ctx, { birthday, from: await senderFor(g, chain, ctx.deployment, "host") });
    return { json: { birthday, tx: txJson(out) }, text: `birthday set to ${birthday}`, details: txText(out) };
  });
}
