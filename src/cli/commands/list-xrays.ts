import { listXrays } from "../../core/chain/actions/records";
import { xrContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { recordJson, recordLine } from "../records";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const records = await listXrays(xrContext(chain));
    return {
      json: { count: records.length, records: records.map(recordJson) },
      text: records.map(recordLine).join("\n"),
      summary: `${records.length} X-ray record${records.length === 1 ? "" : "s"}`,
    };
  });
}
