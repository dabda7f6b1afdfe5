import { resolveAccount } from "../../core/chain/accounts";
import { DEFAULT_ROLE_INDEX, ROLE_NAMES, type RoleName } from "../../core/chain/deployment";
import { openRegister } from "../../core/hospital/choose";
import { deployHospital } from "../../core/hospital/registry";
import { checkText } from "../../core/validate";
import { groupDigits } from "../../core/text";
import { senderFor, withChain, type Globals } from "../context";
import { table, type CommandOutput } from "../output";

/** `xray hospital init`: deploys the registry, grants the host hospital-wide, creates the register. */
export async function init(g: Globals, o: { host?: string; hostName?: string }): Promise<CommandOutput> {
  const hostName = checkText(o.hostName ?? "Host", "name", "the host's name");
  return withChain(g, async (chain) => {
    const gov = await senderFor(g, chain, undefined, "gov");
    const host = await resolveAccount(chain, o.host ?? String(DEFAULT_ROLE_INDEX.host));
    const roles = Object.fromEntries(await Promise.all(ROLE_NAMES.map(async (r) => [r, r === "gov" ? gov : r === "host" ? host : await resolveAccount(chain, String(DEFAULT_ROLE_INDEX[r]))]))) as Record<RoleName, string>;
    const { deployment, txs } = await deployHospital(chain, { gov, host, hostName, roles });
    const h = deployment.hospital!;
    const reg = await openRegister(chain, h.registry, {}, true);
    const file = reg.file;
    reg.close();
    const gas = Object.fromEntries(Object.entries(txs).map(([k, t]) => [k, t.gasUsed]));
    return {
      json: { ...h, register: file, gov, host, chain: chain.provider.description, txs: Object.fromEntries(Object.entries(txs).map(([k, t]) => [k, { hash: t.hash, block: t.block, gasUsed: t.gasUsed }])) },
      text: `hospital deployed on ${chain.provider.description}\n` + table([["registry", h.registry], ["implementation", h.implementation], ["gov", gov], ["host", `${hostName} ${host} (hospital-wide)`], ["register", file]]),
      details: `gas used ${groupDigits(Object.values(gas).reduce((a, b) => a + b, 0))} (${Object.entries(gas).map(([k, v]) => `${k} ${groupDigits(v)}`).join(", ")})\nkeep a backup of the register: it holds the hospital secret, the medical record numbers and every patient's details`,
    };
  });
}
