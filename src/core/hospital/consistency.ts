/** `xray doctor`: does the patient register agree with the registry on chain? */
import { decodeEvents, eventTopic } from "../chain/abi";
import { artifact } from "../chain/artifacts";
import type { Deployment } from "../chain/deployment";
import type { Provider } from "../chain/provider";
import { ok, problem, reason, warning, type Check } from "../doctor/check";
import { PatientRegister, registerFile } from "./register";

export async function checkRegister(provider: Provider, home: string, d: Deployment, waitMs: number): Promise<Check> {
  const h = d.hospital!;
  let reg: PatientRegister;
  try {
    reg = await PatientRegister.open(registerFile(home, h.registry), { waitMs, command: "xray doctor" });
  } catch (err) {
    return problem("register", reason(err), "restore the register (hospital/*.sqlite) from a backup");
  }
  try {
    const abi = artifact("hospital").abi;
    const logs = await provider.request<{ address: string; topics: string[]; data: string }[]>("eth_getLogs", [
      { address: h.registry, fromBlock: "0x" + h.block.toString(16), toBlock: "latest", topics: [eventTopic(abi, "PatientCreated")] },
    ]);
    const onChain = new Map(decodeEvents(abi, logs).map((e) => [String(e.args.key).toLowerCase(), String(e.args.patient).toLowerCase()]));
    const rows = reg.list();
    const inRegister = new Set(rows.map((r) => r.key));
    const missing = [...onChain.keys()].filter((k) => !inRegister.has(k));
    const lost = rows.filter((r) => r.status === "onchain" && onChain.get(r.key) !== r.contract);
    const unfinished = rows.filter((r) => r.status !== "onchain" && !onChain.has(r.key)).length;
    if (missing.length || lost.length) {
      const parts = [
        missing.length ? `${missing.length} patient(s) on chain missing from the register (first ${onChain.get(missing[0])})` : "",
        lost.length ? `${lost.length} register patient(s) not on chain as recorded (first #${lost[0].n} MRN ${lost[0].mrn})` : "",
      ].filter(Boolean);
      return problem("register", `the register disagrees with the chain: ${parts.join("; ")}`, "restore the register backup that matches the chain (patients on chain cannot be found without it)");
    }
    if (unfinished) return warning("register", `${unfinished} patient(s) not on chain yet (an interrupted add or import)`, "run `xray patients import <file>` (or add) again to finish");
    return ok("register", `the register's ${rows.length} patient(s) agree with the registry's ${onChain.size} on chain`);
  } catch (err) {
    return problem("register", reason(err), "run `xray doctor -v`");
  } finally {
    reg.close();
  }
}
