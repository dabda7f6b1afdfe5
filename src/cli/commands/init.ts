import { checksumAddress, resolveAccount } from "../../core/chain/accounts";
import { deployXr, refuseIfDeployed } from "../../core/chain/actions/deploy";
import { DEFAULT_ROLE_INDEX } from "../../core/chain/deployment";
import { BLOOD_TYPES, GENDERS } from "../../core/chain/roles";
import { checkText, parseEnum, parseIndex } from "../../core/validate";
import { UsageError } from "../../errors";
import { groupDigits } from "../../core/text";
import { senderFor, withChain, type Globals } from "../context";
import { table, type CommandOutput } from "../output";
import { canPrompt, prompter, validateWith, type Choice } from "../prompts";

/** init's own flags; every one optional (main.ts gives none a default, so "no flags" can be seen). */
export interface InitOptions {
  name?: string;
  patient?: string;
  age?: string;
  gender?: string;
  bloodType?: string;
  host?: string;
  hostName?: string;
  doctor?: string;
  force?: boolean;
}

type Answers = Required<Omit<InitOptions, "force">> & { force?: boolean; gov?: string };

/** The paper's patient, xr('Ken', patient, 25, 0, 1), with gov, host, doctor, patient at accounts 0-3. */
export const INIT_DEFAULTS = {
  name: "Ken",
  patient: String(DEFAULT_ROLE_INDEX.patient),
  age: "25",
  gender: "male",
  bloodType: "B",
  host: String(DEFAULT_ROLE_INDEX.host),
  hostName: "Host",
  doctor: String(DEFAULT_ROLE_INDEX.doctor),
} as const;

const parseName = (name: string) => checkText(name, "name", "the patient's name");
const parseAge = (text: string) => {
  const age = parseIndex(text, "age");
  if (age > 255) throw new UsageError(`age ${age} is out of range (0-255)`);
  return age;
};

/**
 * Deploys the contracts with the flags' values (defaults for those not given). With no flag of
 * its own, on a terminal and without --json, asks for each value instead, the defaults shown.
 */
export async function run(g: Globals, own: InitOptions = {}): Promise<CommandOutput> {
  const o: InitOptions = { ...own, patient: own.patient ?? g.patient };
  const noFlags = Object.values(o).every((v) => v === undefined);
  const a: Answers = noFlags && canPrompt(g) ? await ask(g) : { ...INIT_DEFAULTS, ...definedOnly(o) };
  const name = parseName(a.name);
  const age = parseAge(a.age);
  const gender = parseEnum(a.gender, GENDERS, "gender");
  const bloodType = parseEnum(a.bloodType, BLOOD_TYPES, "blood type");
  checkText(a.hostName, "name", "the host's name");
  return withChain(g, async (chain) => {
    const [gov, patient, host, doctor] = await Promise.all([
      a.gov ? resolveAccount(chain, a.gov) : senderFor(g, chain, undefined, "gov"),
      resolveAccount(chain, a.patient),
      resolveAccount(chain, a.host),
      resolveAccount(chain, a.doctor),
    ]);
    const { deployment, txs } = await deployXr(chain, {
      name, patient, age, gender, bloodType, gov, host, hostName: a.hostName, doctor, force: a.force,
    });
    const gas = txs.strlib.gasUsed + txs.xr.gasUsed + txs.host.gasUsed;
    return {
      json: { ...deployment, chain: chain.provider.description, gasUsed: { strlib: txs.strlib.gasUsed, xr: txs.xr.gasUsed, setHost: txs.host.gasUsed } },
      text:
        `deployed on ${chain.provider.description}\n` +
        table([
          ["xr", deployment.xr],
          ["strlib", deployment.strlib],
          ["patient", `${name} ${deployment.roles.patient}`],
          ["gov", deployment.roles.gov],
          ["host", `${a.hostName} ${deployment.roles.host}`],
          ["doctor", `${deployment.roles.doctor} (grant with: xray set-permission doctor <name> doctor)`],
        ]),
      details: `gas used ${groupDigits(gas)} (strlib ${groupDigits(txs.strlib.gasUsed)}, xr ${groupDigits(txs.xr.gasUsed)}, host grant ${groupDigits(txs.host.gasUsed)})`,
    };
  });
}

const definedOnly = (o: InitOptions): Partial<Answers> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** What the questions need from the chain: its accounts and the default ones. */
interface ChainFacts {
  accounts: string[];
  defaults: { gov: string; patient: string; host: string; doctor: string };
  /** A local signer sends: gov can only be its account, so it is not asked. */
  signer: boolean;
}

/**
 * Reads the chain, then lets it go before asking (the embedded chain is locked while open,
 * and other xray commands should not wait on a person typing).
 */
function readFacts(g: Globals): Promise<ChainFacts> {
  return withChain(g, async (chain) => {
    await refuseIfDeployed(chain);
    const [accounts, gov, patient, host, doctor] = await Promise.all([
      chain.accounts(),
      senderFor(g, chain, undefined, "gov"),
      resolveAccount(chain, INIT_DEFAULTS.patient),
      resolveAccount(chain, INIT_DEFAULTS.host),
      resolveAccount(chain, INIT_DEFAULTS.doctor),
    ]);
    return { accounts: accounts.map(checksumAddress), defaults: { gov, patient, host, doctor }, signer: Boolean(chain.signer) };
  });
}

/** The questions, in the order of the paper's xr('Ken', patient, 25, 0, 1), then the roles. */
async function ask(g: Globals): Promise<Answers> {
  const facts = await readFacts(g);
  const q = prompter("nothing was deployed");
  const accountChoices: Choice<string>[] = facts.accounts.map((address, i) => ({ name: `${address}  account ${i}`, value: address, short: address }));
  const account = (message: string, fallback: string) => {
    // --from may name an account the node does not list: it stays the default all the same
    const choices = accountChoices.some((c) => c.value === fallback) ? accountChoices : [...accountChoices, { name: fallback, value: fallback }];
    return q.select({ message, choices, default: fallback, pageSize: Math.min(choices.length, 10) });
  };
  const names = (list: readonly string[]) => list.map((n) => ({ name: n, value: n }));

  const name = await q.input({ message: "Patient's name", default: INIT_DEFAULTS.name, validate: validateWith(parseName) });
  const patient = await account("Patient's account", facts.defaults.patient);
  const age = await q.number({ message: "Patient's age", default: Number(INIT_DEFAULTS.age), validate: validateWith((n) => parseAge(String(n ?? ""))) });
  const gender = await q.select({ message: "Gender", choices: names(GENDERS), default: INIT_DEFAULTS.gender });
  const bloodType = await q.select({ message: "Blood type", choices: names(BLOOD_TYPES), default: INIT_DEFAULTS.bloodType });
  const gov = facts.signer ? undefined : await account("Gov (deploys the contracts, grants roles)", facts.defaults.gov);
  const host = await account("Host (hospital, granted the host role)", facts.defaults.host);
  const hostName = await q.input({ message: "Host's name", default: INIT_DEFAULTS.hostName });
  const doctor = await account("Doctor (the account the role name 'doctor' stands for)", facts.defaults.doctor);
  return { name, patient, age: String(age), gender, bloodType, gov, host, hostName, doctor };
}
