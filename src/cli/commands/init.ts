import { resolveAccount } from "../../core/chain/accounts";
import { deployXr } from "../../core/chain/actions/deploy";
import { BLOOD_TYPES, GENDERS } from "../../core/chain/roles";
import { parseEnum, parseIndex } from "../../core/validate";
import { UsageError } from "../../errors";
import { senderFor, withChain, type Globals } from "../context";
import { table, type CommandOutput } from "../output";

export interface InitOptions {
  name: string;
  patient: string;
  age: string;
  gender: string;
  bloodType: string;
  host: string;
  hostName: string;
  doctor: string;
  force?: boolean;
}

export async function run(g: Globals, o: InitOptions): Promise<CommandOutput> {
  if (!o.name.trim()) throw new UsageError("the patient's name must not be empty");
  const age = parseIndex(o.age, "age");
  if (age > 255) throw new UsageError(`age ${age} is out of range (0-255)`);
  const gender = parseEnum(o.gender, GENDERS, "gender");
  const bloodType = parseEnum(o.bloodType, BLOOD_TYPES, "blood type");
  return withChain(g, async (chain) => {
    const [gov, patient, host, doctor] = await Promise.all([
      senderFor(g, chain, undefined, "gov"),
      resolveAccount(chain, o.patient),
      resolveAccount(chain, o.host),
      resolveAccount(chain, o.doctor),
    ]);
    const { deployment, txs } = await deployXr(chain, {
      name: o.name, patient, age, gender, bloodType, gov, host, hostName: o.hostName, doctor, force: o.force,
    });
    const gas = txs.strlib.gasUsed + txs.xr.gasUsed + txs.host.gasUsed;
    return {
      json: { ...deployment, chain: chain.provider.description, gasUsed: { strlib: txs.strlib.gasUsed, xr: txs.xr.gasUsed, setHost: txs.host.gasUsed } },
      text:
        `deployed on ${chain.provider.description}\n` +
        table([
          ["xr", deployment.xr],
          ["strlib", deployment.strlib],
          ["patient", `${o.name} ${deployment.roles.patient}`],
          ["gov", deployment.roles.gov],
          ["host", `${o.hostName} ${deployment.roles.host}`],
          ["doctor", `${deployment.roles.doctor} (grant with: xray set-permission doctor <name> doctor)`],
          ["gas used", gas.toLocaleString("en-US")],
        ]),
    };
  });
}
