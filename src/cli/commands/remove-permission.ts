import { resolveAccount } from "../../core/chain/accounts";
import { removePermission } from "../../core/chain/actions/permissions";
import { userTypeName } from "../../core/chain/roles";
import { xrContext } from "../../core/chain/xr";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";

export async function run(g: Globals, account: string): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const [target, from] = await Promise.all([resolveAccount(chain, account, ctx.deployment), senderFor(g, chain, ctx.deployment, "gov")]);
    const out = await removePermission(ctx, { account: target, from });
    const role = userTypeName(out.events.find((e) => e.name === "PermissionRevoked")?.args.userType);
    return {
      json: { account: target, removed: role, tx: txJson(out) },
      text: `removed the ${role} permission of ${target}\n${txText(out)}`,
    };
  });
}
