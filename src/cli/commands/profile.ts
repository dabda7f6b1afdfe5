import { getProfile } from "../../core/chain/actions/profile";
import { getXrayCount } from "../../core/chain/actions/records";
import { xrContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import { table, type CommandOutput } from "../output";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const [p, records] = await Promise.all([getProfile(ctx), getXrayCount(ctx)]);
    return {
      json: { ...p, xrays: records, contract: ctx.deployment.xr },
      text: table([
        ["name", p.name],
        ["patient", p.patient],
        ["age", p.age],
        ["gender", p.gender],
        ["blood type", p.bloodType],
        ["birthday", p.birthday],
        ["contact", p.contact],
        ["x-rays", records],
      ]),
    };
  });
}
