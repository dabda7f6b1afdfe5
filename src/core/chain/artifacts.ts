import * as fs from "node:fs";
import * as path from "node:path";
import { XrayError } from "../../errors";
import { packageRoot } from "../paths";

export type AbiParameter = { name: string; type: string; internalType?: string; components?: AbiParameter[]; indexed?: boolean };
export type AbiItem = {
  type: "function" | "event" | "error" | "constructor" | "fallback" | "receive";
  name?: string;
  inputs?: AbiParameter[];
  outputs?: AbiParameter[];
  stateMutability?: string;
  anonymous?: boolean;
};

export interface Artifact {
  abi: AbiItem[];
  bytecode: string;
  deployedBytecode: string;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
}

export type ContractName = "xr" | "strlib" | "hospital" | "xrpatient";

let cache: Record<string, Artifact> | undefined;
let hashes: Record<string, string> = {};

/** The compiled contracts (build/xray-artifacts.json, made by `npm run build`). */
export function loadArtifacts(): Record<string, Artifact> {
  if (cache) return cache;
  const file = path.join(packageRoot(), "build", "xray-artifacts.json");
  if (!fs.existsSync(file)) {
    throw new XrayError(`compiled contracts not found at ${file}: run \`npm run build\``, "NOT_BUILT");
  }
  const built = JSON.parse(fs.readFileSync(file, "utf8")) as { contracts: Record<string, Artifact>; hashes?: Record<string, string> };
  hashes = built.hashes ?? {};
  cache = built.contracts;
  return cache;
}

/**
 * keccak-256 of the contracts' function, event and error signatures, computed when they were
 * compiled ("setXrayhash(string,string)" → 0x...); empty for artifacts built before they were.
 */
export function signatureHashes(): Record<string, string> {
  loadArtifacts();
  return hashes;
}

export function artifact(name: ContractName): Artifact {
  return loadArtifacts()[name];
}

/** Puts deployed library addresses into bytecode placeholders (what `deployer.link` does). */
export function linkBytecode(art: Artifact, libraries: Record<string, string>): string {
  let code = art.bytecode.slice(2);
  for (const byLib of Object.values(art.linkReferences)) {
    for (const [lib, refs] of Object.entries(byLib)) {
      const address = libraries[lib];
      if (!address) throw new XrayError(`library ${lib} has no address to link`, "LINK_FAILED");
      for (const { start, length } of refs) {
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2);
      }
    }
  }
  return "0x" + code;
}
