import * as fs from "node:fs";
import * as path from "node:path";
import { homePaths, readJsonFile } from "../home";
import { describeHolder, holderAlive, removeIfUnchanged } from "../holder";
import { readLock } from "../lock";
import { nodeAnswers, type NodeInfo } from "../chain/embedded";
import type { Deployment } from "../chain/deployment";
import { groupDigits } from "../text";
import { ok, problem, reason, warning, type Check } from "./check";

const FIX_STALE = "`xray doctor --fix` removes it (xray commands also take it over by themselves)";

/** The chain lock: none, held by a live process, or stale (its process gone or its pid reused). */
export function checkLock(home: string, fix: boolean): Check {
  const file = homePaths(home).chainLock;
  const lock = readLock(file);
  if (!lock) return ok("lock", "no process holds the embedded chain");
  if (lock.holder && holderAlive(lock.holder)) return ok("lock", `the embedded chain is in use by ${describeHolder(lock.holder)}`);
  const who = lock.holder ? `left by ${describeHolder(lock.holder)}, which is gone` : "with unreadable content";
  if (fix && removeIfUnchanged(file, lock.text)) return ok("lock", `removed a stale lock ${who}`);
  return warning("lock", `stale lock ${file} ${who}`, FIX_STALE);
}

/** node.json: absent, a node that runs and answers, or stale (gone, pid reused, nothing listening). */
export async function checkNode(home: string, fix: boolean): Promise<{ check: Check; url?: string }> {
  const file = homePaths(home).nodeInfo;
  let info: NodeInfo | undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
    info = readJsonFile<NodeInfo>(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { check: ok("node", "no xray node serves this home") };
    return { check: problem("node", reason(err), `remove ${file} (only xray node writes it)`) };
  }
  if (!info) return { check: ok("node", "no xray node serves this home") };
  const alive = holderAlive(info);
  const answer = alive ? await nodeAnswers(info.url, 2_000) : "refused";
  if (alive && answer === "ok") return { check: ok("node", `xray node (process ${info.pid}) serves this home at ${info.url}`), url: info.url };
  if (alive && answer === "silent") {
    return { check: warning("node", `xray node (process ${info.pid}) runs but does not answer at ${info.url} within 2 s`, `wait for it, or stop it (kill ${info.pid})`) };
  }
  const why = alive ? `nothing answers at ${info.url}` : `process ${info.pid} is gone`;
  if (fix && removeIfUnchanged(file, text)) return { check: ok("node", `removed a stale node file (${why})`) };
  return { check: warning("node", `stale node file ${file}: ${why}`, FIX_STALE) };
}

/** deployments.json: valid JSON, each entry with addresses. Returns the embedded chain's deployment. */
export function checkDeployments(home: string): { check: Check; embedded?: Deployment } {
  const file = homePaths(home).deployments;
  let all: Record<string, Deployment> | undefined;
  try {
    all = readJsonFile<Record<string, Deployment>>(file);
  } catch (err) {
    return { check: problem("deployments", reason(err).replace(/: restore it.*$/, ""), `restore it from a backup, or move it aside and deploy again with \`xray init\``) };
  }
  if (!all) return { check: warning("deployments", "no deployment recorded", "`xray init` deploys the contracts") };
  const isAddress = (a: unknown) => typeof a === "string" && /^0x[0-9a-fA-F]{40}$/.test(a);
  const bad = Object.entries(all).filter(([, d]) => !d || !isAddress(d.xr) || !isAddress(d.strlib));
  if (bad.length) {
    return { check: problem("deployments", `${file}: the deployment for ${bad.map(([k]) => k).join(", ")} lacks contract addresses`, "restore it from a backup, or deploy again with `xray init --force`") };
  }
  const keys = Object.keys(all);
  return { check: ok("deployments", `${keys.length} deployment${keys.length === 1 ? "" : "s"} recorded (${keys.join(", ")})`), embedded: all.embedded };
}

/** keys/keyring.json valid, and every key file it lists present. */
export function checkKeyring(home: string): Check {
  const dir = path.join(path.resolve(home), "keys");
  const index = path.join(dir, "keyring.json");
  let file: { format?: string; keys?: { fingerprint: string; hasPrivate?: boolean }[] } | undefined;
  try {
    file = readJsonFile(index);
  } catch (err) {
    return problem("keyring", `${index} is damaged`, "restore it from a backup; `xray keys import` adds keys again from their files");
  }
  if (!file) return ok("keyring", "no keys");
  if (file.format !== "xray-keyring/1" || !Array.isArray(file.keys)) return problem("keyring", `${index} is not an xray keyring index`, "restore it from a backup");
  const missing = file.keys.flatMap((k) => [
    ...(fs.existsSync(path.join(dir, `${k.fingerprint}.pub.asc`)) ? [] : [`${k.fingerprint}.pub.asc`]),
    ...(k.hasPrivate && !fs.existsSync(path.join(dir, `${k.fingerprint}.sec.asc`)) ? [`${k.fingerprint}.sec.asc`] : []),
  ]);
  if (missing.length) return problem("keyring", `${missing.length} key file${missing.length === 1 ? "" : "s"} listed in ${index} missing: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""}`, "restore them from a backup, or import the keys again with `xray keys import`");
  return ok("keyring", `${file.keys.length} key${file.keys.length === 1 ? "" : "s"}, every key file present`);
}

/** The embedded IPFS block store: readable, and how many blocks. */
export function checkIpfs(home: string): Check {
  const dir = path.join(path.resolve(home), "ipfs", "blocks");
  if (!fs.existsSync(dir)) return ok("ipfs", "no embedded IPFS store yet");
  try {
    let blocks = 0;
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith(".data")) blocks++;
      }
    };
    walk(dir);
    return ok("ipfs", `${groupDigits(blocks)} block${blocks === 1 ? "" : "s"} in ${dir}`);
  } catch (err) {
    return problem("ipfs", `cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? reason(err)}`, "check the folder's owner and mode");
  }
}
