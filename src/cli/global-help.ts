/**
 * Which global options a command's --help lists: only those that change what that command
 * does. A command not named here lists them all (better too many than a missing one).
 */
import type { Command, Option } from "commander";

const COMMON = ["home", "json", "quiet", "verbose"];
const CHAIN = ["rpc", "from", "private-key", "keystore", "password-file", "wait"];
const IPFS = ["ipfs"];
const PGP = ["passphrase-file"];

const APPLY: Record<string, string[]> = {
  init: CHAIN, node: [], accounts: CHAIN, "set-permission": CHAIN, "remove-permission": CHAIN,
  "set-xray-hash": CHAIN, "xray-count": CHAIN, "get-xray": CHAIN, "list-xrays": CHAIN, console: CHAIN,
  "set-birthday": CHAIN, "set-contact": CHAIN, profile: CHAIN, hash: [], anchor: CHAIN, verify: CHAIN,
  dataset: [], bench: CHAIN, completion: [], doctor: [...CHAIN, ...IPFS],
  "ipfs add": IPFS, "ipfs get": IPFS, "ipfs cat": IPFS, "ipfs export": IPFS, "ipfs import": IPFS, "ipfs gc": [...CHAIN, ...IPFS], "ipfs verify": IPFS,
  "keys generate": [...CHAIN, ...PGP], "keys list": [], "keys export": [], "keys import": [...CHAIN, ...PGP],
  upload: [...CHAIN, ...IPFS, ...PGP], download: [...CHAIN, ...IPFS, ...PGP], approve: [...CHAIN, ...IPFS, ...PGP],
  "request-access": CHAIN, deny: CHAIN, trace: CHAIN, revoke: CHAIN, events: CHAIN, classify: CHAIN,
  "hospital init": CHAIN, "patients add": CHAIN, "patients import": CHAIN, "patients list": CHAIN, "patients show": CHAIN,
  "patients use": CHAIN, "patients disclose": CHAIN, "patients check-disclosure": CHAIN,
  "stego embed": CHAIN, "stego extract": PGP, authenticate: [...CHAIN, ...IPFS, ...PGP],
};

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

export const helpConfig = {
  showGlobalOptions: true,
  visibleGlobalOptions(cmd: Command): Option[] {
    const all: Option[] = [];
    for (let c = cmd.parent; c; c = c.parent) all.push(...c.options.filter((o) => !o.hidden));
    const apply = APPLY[commandPath(cmd)];
    if (!apply) return all;
    const keep = new Set([...COMMON, ...apply]);
    return all.filter((o) => keep.has((o.long ?? "").replace(/^--/, "")));
  },
};
