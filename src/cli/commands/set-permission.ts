import { resolveAccount } from "../../core/chain/accounts";
import { setPermission } from "../../core/chain/actions/permissions";
import { GRANTABLE, USER_TYPES } from "../../core/chain/roles";
import { permissionContext } from "../../core/chain/xr";
import { checkText, parseEnum } from "../../core/validate";
import { UsageError } from "../../errors";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";

export async function run(g: Globals, account: string, name: string, userTypeText: string, o: { disable?: boolean }): Promise<CommandOutput> {
  const userType = parseEnum(userTypeText, USER_TYPES, "user type");
  if (!GRANTABLE.includes(USER_TYPES[userType])) {
    throw new UsageError(`user type ${USER_TYPES[userType]} cannot be granted: use doctor (1) or host (2)`);
  }
  checkText(name, "name");
  return withChain(g, async (chain) => {
    const ctx = permissionContext(chain);
    const [target, from] = await Promise.all([resolveAccount(chain, account, ctx.deployment), senderFor(g, chain, ctx.deployment, "gov")]);
    const out = await setPermission(ctx, { account: target, name, userType, enabled: !o.disable, from });
    const state = o.disable ? "disabled" : "enabled";
    return {
      json: { account: target, name, userType: USER_TYPES[userType], enabled: !o.disable, tx: txJson(out) },
      text: `${target} is now ${USER_TYPES[userType]} "${name}" (${state})`,
      details: txText(out),
    };
  });
}
