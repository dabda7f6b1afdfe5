import { latestPrediction } from "../../core/chain/actions/predictions";
import { getProfile } from "../../core/chain/actions/profile";
import { getXrayCount } from "../../core/chain/actions/records";
import { predictionJson } from "../records";
import { xrContext } from "../../core/chain/xr";
import { withChain, type Globals } from "../context";
import { predictionText, table, type CommandOutput } from "../output";

const NOT_HERE = "committed, not disclosed here";

export async function run(g: Globals): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const [p, records, prediction] = await Promise.all([getProfile(ctx), getXrayCount(ctx), latestPrediction(ctx)]);
    const { committedProfile } = require("../../core/hospital/profile") as typeof import("../../core/hospital/profile");
    const committed = chain.patient ? await committedProfile(chain, chain.patient) : null;
    const shown = (field: string, clear: unknown) => {
      if (!committed) return clear;
      const f = committed.find((c) => c.field === field)!;
      return f.value === null ? NOT_HERE : f.value || "-";
    };
    const json = committed
      ? { patient: p.patient, mrn: chain.patient!.mrn, committed: Object.fromEntries(committed.map((c) => [c.field, { value: c.value, commitment: c.commitment }])) }
      : p;
    return {
      json: { ...json, xrays: records, prediction: predictionJson(prediction), contract: ctx.deployment.xr },
      text: table([
        ["name", shown("name", p.name)],
        ["patient", p.patient],
        ["age", shown("age", p.age)],
        ["gender", shown("gender", p.gender)],
        ["blood type", shown("bloodType", p.bloodType)],
        ["birthday", shown("birthday", p.birthday)],
        ["contact", shown("contact", p.contact)],
        ["x-rays", records],
        ["prediction", prediction ? `X-ray #${prediction.index}: ${predictionText(prediction)}` : "-"],
        ["updated", prediction?.date],
      ]),
    };
  });
}
