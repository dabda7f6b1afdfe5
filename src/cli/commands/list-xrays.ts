import { listXrays } from "../../core/chain/actions/records";
import { xrContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const records = await listXrays(xrContext(chain));
    const text = records.map((r) => `${String(r.index).padStart(4)}  ${r.date}  ${r.part.padEnd(10)} ${r.sha256}  ${r.doctor}`).join("\n");
    return { json: { count: records.length, records }, text: text || "no X-ray records" };
  });
}
