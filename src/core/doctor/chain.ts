import * as fs from "node:fs";
import { ChainBusyError, XrayError } from "../../errors";
import { homePaths } from "../home";
import { openEmbedded } from "../chain/embedded";
import { damagedFix } from "../chain/db-errors";
import type { Deployment } from "../chain/deployment";
import type { Provider } from "../chain/provider";
import { groupDigits } from "../text";
import { ok, problem, reason, warning, type Check } from "./check";

/**
 * Opens the home's chain (through its `xray node` when one serves it), reads the block
 * number and, when a deployment is recorded, whether its contracts have code on the chain.
 * Nothing is written: a home without a chain folder is reported, not created.
 */
export async function checkChain(home: string, deployment: Deployment | undefined, waitMs: number, idleSeconds?: number): Promise<Check[]> {
  const paths = homePaths(home);
  if (!fs.existsSync(paths.chainDb)) {
    return [warning("chain", `no chain database in ${paths.root} yet`, "`xray init` creates it and deploys the contracts")];
  }
  let provider: Provider;
  try {
    provider = await openEmbedded(home, { waitMs, idleSeconds, command: "xray doctor" });
  } catch (err) {
    if (err instanceof ChainBusyError) return [warning("chain", `not checked: ${err.message}`, "run `xray doctor` again when it finishes, or with --wait <seconds>")];
    if (err instanceof XrayError && err.code === "DISK_FULL") return [problem("chain", err.message, "free some space on that disk")];
    return [problem("chain", `the chain database ${paths.chainDb} does not open: ${err instanceof XrayError ? err.details ?? err.message : reason(err)}`, damagedFix(paths))];
  }
  try {
    const checks: Check[] = [];
    const block = Number(BigInt(await provider.request<string>("eth_blockNumber")));
    checks.push(ok("chain", `${provider.description} opens; block ${groupDigits(block)}`));
    if (deployment) checks.push(await checkContracts(provider, deployment, paths.deployments));
    if (deployment?.hospital) {
      const { checkRegister } = require("../hospital/consistency") as typeof import("../hospital/consistency");
      checks.push(await checkRegister(provider, home, deployment, waitMs));
    }
    return checks;
  } catch (err) {
    return [problem("chain", `${provider.description} opens but fails to answer: ${err instanceof XrayError ? err.details ?? err.message : reason(err)}`, damagedFix(paths))];
  } finally {
    await provider.close().catch(() => undefined);
  }
}

async function checkContracts(provider: Provider, d: Deployment, file: string): Promise<Check> {
  const missing: string[] = [];
  for (const [name, address] of [["xr", d.xr], ["strlib", d.strlib]] as const) {
    const code = await provider.request<string>("eth_getCode", [address, "latest"]);
    if (!code || code === "0x") missing.push(`${name} ${address}`);
  }
  if (missing.length) {
    return problem(
      "contracts",
      `no contract code at ${missing.join(", ")}, which ${file} records: the chain was reset or lost data`,
      "restore the home's chain folder from the backup that matches deployments.json, or deploy again with `xray init --force`",
    );
  }
  return ok("contracts", `xr ${d.xr} and strlib ${d.strlib} have code on the chain`);
}
