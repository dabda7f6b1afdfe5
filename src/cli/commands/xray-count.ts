import { getXrayCount } from "../../core/chain/actions/records";
import { xrContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const count = await getXrayCount(xrContext(chain));
    return { json: { count }, text: String(count) };
  });
}
