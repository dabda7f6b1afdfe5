import { latestPrediction } from "../../core/chain/actions/predictions";
import { getProfile } from "../../core/chain/actions/profile";
import { getXrayCount } from "../../core/chain/actions/records";
import { predictionJson } from "../records";
import { xrContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import { predictionText, table, type CommandOutput } from "../output";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const [p, records, prediction] = await Promise.all([getProfile(ctx), getXrayCount(ctx), latestPrediction(ctx)]);
    return {
      json: { ...p, xrays: records, prediction: predictionJson(prediction), contract: ctx.deployment.xr },
      text: table([
        ["name", p.name],
        ["patient", p.patient],
        ["age", p.age],
        ["gender", p.gender],
        ["blood type", p.bloodType],
        ["birthday", p.birthday],
        ["contact", p.contact],
        ["x-rays", records],
        ["prediction", prediction ? `X-ray #${prediction.index}: ${predictionText(prediction)}` : "-"],
        ["updated", prediction?.date],
      ]),
    };
  });
}
