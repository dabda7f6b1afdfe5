import { setContact } from "../../core/chain/actions/profile";
import { xrContext } from "../../core/chain/xr";
import { checkText } from "../../core/validate";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";

export async function run(g: Globals, contact: string): Promise<CommandOutput> {
  checkText(contact, "contact", "the contact", { allowEmpty: true });
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const out = await setContact(ctx, { contact, from: await senderFor(g, chain, ctx.deployment, "host") });
    return { json: { contact, tx: txJson(out) }, text: `contact set to "${contact}"`, details: txText(out) };
  });
}
