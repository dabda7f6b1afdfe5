import { resolveAccount } from "../../core/chain/accounts";
import { getPermission, removePermission, type Permission } from "../../core/chain/actions/permissions";
import { GRANTABLE, userTypeName } from "../../core/chain/roles";
import { permissionContext } from "../../core/chain/xr";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";
import { canPrompt, CancelledError, prompter } from "../prompts";

export interface RemovePermissionOptions {
  /** Do not ask for confirmation on a terminal. */
  yes?: boolean;
}

export async function run(g: Globals, account: string, o: RemovePermissionOptions = {}): Promise<CommandOutput> {
  if (canPrompt(g) && !o.yes) await confirm(g, account);
  return withChain(g, async (chain) => {
    const ctx = permissionContext(chain);
    const [target, from] = await Promise.all([resolveAccount(chain, account, ctx.deployment), senderFor(g, chain, ctx.deployment, "gov")]);
    const out = await removePermission(ctx, { account: target, from });
    const role = userTypeName(out.events.find((e) => e.name === "PermissionRevoked")?.args.userType);
    return {
      json: { account: target, removed: role, tx: txJson(out) },
      text: `removed the ${role} permission of ${target}`,
      details: txText(out),
    };
  });
}

/**
 * "Remove doctor permission of Dr.Lee (0x...)? (y/N)"; anything but yes cancels, nothing sent.
 * The permission is read first and the chain let go while the person decides. An account with
 * nothing to remove is not asked about: the contract's refusal says why.
 */
async function confirm(g: Globals, account: string): Promise<void> {
  const permission: Permission = await withChain(g, async (chain) => {
    const ctx = permissionContext(chain);
    return getPermission(ctx, await resolveAccount(chain, account, ctx.deployment));
  });
  if (!GRANTABLE.includes(permission.userType)) return;
  const who = permission.name ? `${permission.name} (${permission.account})` : permission.account;
  const nothingDone = "nothing removed";
  const yes = await prompter(nothingDone).confirm({ message: `Remove ${permission.userType} permission of ${who}?`, default: false });
  if (!yes) throw new CancelledError(nothingDone);
}
