import { checksumAddress } from "../../core/chain/accounts";
import { getPermission } from "../../core/chain/actions/permissions";
import { readDeployment, ROLE_NAMES, DEFAULT_ROLE_INDEX } from "../../core/chain/deployment";
import { permissionContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const deployment = readDeployment(chain.home, chain.key);
    const accounts = await chain.accounts();
    const ctx = deployment ? permissionContext(chain) : undefined;
    const rows = await Promise.all(
      accounts.map(async (raw, index) => {
        const address = checksumAddress(raw);
        const balance = BigInt(await chain.provider.request<string>("eth_getBalance", [address, "latest"]));
        const role =
          ROLE_NAMES.find((r) => (deployment ? deployment.roles[r].toLowerCase() === raw.toLowerCase() : DEFAULT_ROLE_INDEX[r] === index)) ?? null;
        const permission = ctx ? await getPermission(ctx, address) : undefined;
        return {
          index,
          address,
          role,
          balanceEth: Number(balance / 10n ** 14n) / 1e4,
          ...(permission && permission.userType !== "none" ? { permission: { name: permission.name, userType: permission.userType, enabled: permission.enabled } } : {}),
          ...(permission?.removed ? { removed: permission.removed } : {}),
        };
      }),
    );
    const text = rows
      .map((r) => {
        const perm = r.permission ? ` ${r.permission.userType}${r.permission.name ? ` "${r.permission.name}"` : ""}${r.permission.enabled ? "" : " (disabled)"}` : "";
        const removed = r.removed ? ` (${r.removed} permission removed)` : "";
        return `${String(r.index).padStart(2)}  ${r.address}  ${(r.role ?? "").padEnd(7)} ${r.balanceEth.toFixed(2).padStart(10)} ETH${perm}${removed}`;
      })
      .join("\n");
    return { json: { chain: chain.provider.description, accounts: rows }, text: text || "no accounts" };
  });
}
