/**
 * Which global options a command's --help lists: only those that change what that command
 * does. A command not named here lists them all (better too many than a missing one).
 */
import type { Command, Option } from "commander";

const COMMON = ["home", "json", "quiet", "verbose"];
const CHAIN = ["rpc", "from", "private-key", "keystore", "password-file", "wait"];
const IPFS = ["ipfs"];
const PGP = ["passphrase-file"];
/** Per-patient commands: on a hospital home, --patient picks the patient. */
const P = [...CHAIN, "patient"];

const APPLY: Record<string, string[]> = {
  init: CHAIN, node: [], accounts: CHAIN, "set-permission": CHAIN, "remove-permission": CHAIN,
  "set-xray-hash": P, "xray-count": P, "get-xray": P, "list-xrays": P, console: P,
  "set-birthday": P, "set-contact": P, profile: P, hash: [], anchor: P, verify: P,
  dataset: [], deid: [], "pacs push": [], bench: CHAIN, completion: [], doctor: [...CHAIN, ...IPFS],
  "ipfs add": IPFS, "ipfs get": IPFS, "ipfs cat": IPFS, "ipfs export": IPFS, "ipfs import": IPFS, "ipfs gc": [...CHAIN, ...IPFS], "ipfs verify": IPFS,
  "keys generate": [...CHAIN, ...PGP], "keys list": [], "keys export": [], "keys import": [...CHAIN, ...PGP],
  upload: [...P, ...IPFS, ...PGP], download: [...P, ...IPFS, ...PGP], approve: [...P, ...IPFS, ...PGP],
  "request-access": P, deny: P, trace: P, revoke: P, events: P, classify: P,
  "hospital init": CHAIN, "patients add": CHAIN, "patients import": CHAIN, "patients list": CHAIN, "patients show": CHAIN,
  "patients use": CHAIN, "patients disclose": CHAIN, "patients check-disclosure": CHAIN,
  "stego embed": P, "stego extract": PGP, authenticate: [...P, ...IPFS, ...PGP],
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
