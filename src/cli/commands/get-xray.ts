import { getPrediction } from "../../core/chain/actions/predictions";
import { getXray } from "../../core/chain/actions/records";
import { xrContext } from "../../core/chain/xr";
import { parseIndex } from "../../core/validate";
import { withChain, type Globals } from "../context";
import { predictionText, table, type CommandOutput } from "../output";
import { predictionJson, recordJson } from "../records";

export async function run(g: Globals, indexText: string): Promise<CommandOutput> {
  const index = parseIndex(indexText, "record index");
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const r = await getXray(ctx, index);
    const prediction = await getPrediction(ctx, index);
    return {
      json: { ...recordJson(r), prediction: predictionJson(prediction) },
      text: table([
        ["record", r.index],
        ["doctor", r.doctor || "(unnamed)"],
        ["part", r.part],
        ["sha256", r.sha256],
        ["written by", r.author],
        ["at", r.date],
        ["prediction", predictionText(prediction)],
      ]),
    };
  });
}
