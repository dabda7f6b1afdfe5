import * as path from "node:path";
import { SignerError, UsageError } from "../errors";
import { resolveAccount } from "../core/chain/accounts";
import { connectChain, type Chain } from "../core/chain/chain";
import { keystoreSigner, privateKeyFromFile, privateKeySigner, readSecret, type LocalSigner } from "../core/chain/signer";
import { readDeployment, type Deployment, type RoleName } from "../core/chain/deployment";
import { openIpfs, type IpfsStore } from "../core/ipfs/store";
import { describeHolder, type Holder } from "../core/holder";

/** Global flags, resolved once: flag, then environment, then default. */
export interface Globals {
  home: string;
  rpc?: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  from?: string;
  privateKey?: string;
  keystore?: string;
  passwordFile?: string;
  /** A Kubo RPC API URL; undefined = the embedded block store. */
  ipfs?: string;
  passphraseFile?: string;
  /** Seconds to wait for another process holding the embedded chain (--wait, XRAY_WAIT; 0 = fail at once). */
  wait: number;
  /** Seconds the background chain process outlives its last command (XRAY_CHAIN_IDLE, default 120; 0 = none). */
  chainIdle: number;
  /** The command running, for lock files and messages: "xray set-xray-hash". */
  command?: string;
  /** On a hospital home, the patient (--patient, XRAY_PATIENT): MRN, #n or contract address. */
  patient?: string;
}

export interface RawGlobals {
  home?: string;
  rpc?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  from?: string;
  privateKey?: string;
  keystore?: string;
  passwordFile?: string;
  ipfs?: string;
  passphraseFile?: string;
  wait?: string;
  command?: string;
  patient?: string;
}

export function resolveGlobals(raw: RawGlobals, env: NodeJS.ProcessEnv = process.env): Globals {
  if (raw.home === "") throw new UsageError("--home is empty: give the xray state folder, e.g. --home ./.xray");
  // xray's own variables first, then the ones Foundry's cast reads
  const rpc = raw.rpc ?? (env.XRAY_RPC || env.ETH_RPC_URL || undefined);
  if (rpc && !/^https?:\/\//.test(rpc)) throw new UsageError(`--rpc must be an http(s) URL, got "${rpc}"`);
  const ipfs = kuboUrl(raw.ipfs ?? (env.XRAY_IPFS || undefined));
  if (raw.privateKey && /^(0x)?[0-9a-fA-F]{64}$/.test(raw.privateKey)) {
    throw new UsageError("refusing a private key on the command line (it would show in ps and shell history): put it in a file for --private-key, or in XRAY_PRIVATE_KEY");
  }
  return {
    home: path.resolve(raw.home ?? (env.XRAY_HOME || ".xray")),
    rpc,
    json: Boolean(raw.json),
    quiet: Boolean(raw.quiet),
    verbose: Boolean(raw.verbose),
    from: raw.from ?? (env.XRAY_FROM || env.ETH_FROM || undefined),
    privateKey: raw.privateKey,
    keystore: raw.keystore ?? (env.XRAY_KEYSTORE || undefined),
    passwordFile: raw.passwordFile ?? (env.XRAY_PASSWORD_FILE || undefined),
    ipfs,
    passphraseFile: raw.passphraseFile ?? (env.XRAY_PASSPHRASE_FILE || undefined),
    wait: waitSeconds(raw.wait ?? (env.XRAY_WAIT || undefined)),
    chainIdle: idleSeconds(env.XRAY_CHAIN_IDLE),
    command: raw.command,
    // init's --patient (the paper patient's account) shares the global flag's name: commander
    // gives it to the program, so init reads it from here; XRAY_PATIENT is never an account
    patient: raw.patient ?? (raw.command === "xray init" ? undefined : env.XRAY_PATIENT || undefined),
  };
}

/** XRAY_CHAIN_IDLE: seconds, default 120, 0 = no background chain process. */
export function idleSeconds(value: string | undefined): number {
  if (value === undefined || value === "") return 120;
  if (!/^\s*\d+\s*$/.test(value)) throw new UsageError(`XRAY_CHAIN_IDLE must be a whole number of seconds (0 = no background chain process), got "${value}"`);
  return Number(value);
}

/** --wait / XRAY_WAIT: seconds, default 60, 0 = fail at once. */
export function waitSeconds(value: string | undefined): number {
  if (value === undefined) return 60;
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !Number.isFinite(n)) {
    throw new UsageError(`--wait must be a number of seconds (0 = do not wait), got "${value}"`);
  }
  return n;
}

/**
 * A Kubo RPC API address as a URL: http(s) URLs as they are, a multiaddr as Kubo prints it
 * (/ip4/127.0.0.1/tcp/5001, /ip6/::1/tcp/5001, /dns4/host/tcp/5001) turned into one.
 */
export function kuboUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/^https?:\/\//.test(value)) return value;
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d{1,5})(\/(http|https))?\/?$/.exec(value);
  if (m) return `${m[5] ?? "http"}://${m[1] === "ip6" ? `[${m[2]}]` : m[2]}:${m[3]}`;
  throw new UsageError(`--ipfs must be a Kubo RPC URL (http://127.0.0.1:5001) or multiaddr (/ip4/127.0.0.1/tcp/5001), got "${value}"`);
}

/** The local signer the flags or environment name, if any. */
export async function resolveSigner(g: Globals, env: NodeJS.ProcessEnv = process.env): Promise<LocalSigner | undefined> {
  if (!g.privateKey && !env.XRAY_PRIVATE_KEY && !g.keystore) return undefined;
  if (g.privateKey) return privateKeyFromFile(g.privateKey);
  if (env.XRAY_PRIVATE_KEY) return privateKeySigner(env.XRAY_PRIVATE_KEY);
  const password = g.passwordFile ? readSecret(g.passwordFile, "password") : env.XRAY_PASSWORD;
  if (password === undefined) {
    throw new SignerError(`the keystore ${g.keystore} needs its password: --password-file <file> or XRAY_PASSWORD`);
  }
  return keystoreSigner(g.keystore!, password);
}

/** Opens the chain the globals name, runs `work`, and always closes it. */
export async function withChain<T>(g: Globals, work: (chain: Chain) => Promise<T>): Promise<T> {
  const signer = await resolveSigner(g);
  const chain = await connectChain({ home: g.home, rpc: g.rpc, signer, ...chainWait(g) });
  try {
    // init's own --patient names the paper patient's account, not a hospital patient; the
    // hospital code (SQLite) loads only on a hospital home or when --patient is given
    if (g.command !== "xray init" && (g.patient || readDeployment(chain.home, chain.key)?.hospital)) {
      const { choosePatient } = require("../core/hospital/choose") as typeof import("../core/hospital/choose");
      chain.patient = await choosePatient(chain, g.patient, chainWait(g));
    }
    return await work(chain);
  } finally {
    await chain.close();
  }
}

/**
 * How a command waits for the embedded chain: --wait seconds, and on a terminal one line
 * saying what it waits for, held by whom and since when (a silent minute looks like a hang).
 */
export function chainWait(g: Globals): { waitMs: number; idleSeconds: number; command?: string; onWait: (holder: Holder, what: string) => void } {
  return {
    waitMs: g.wait * 1000,
    idleSeconds: g.chainIdle,
    command: g.command,
    onWait(holder, what) {
      if (!process.stderr.isTTY || g.quiet || g.wait === 0) return;
      process.stderr.write(`xray: waiting for ${what}, held by ${describeHolder(holder)}… (up to ${g.wait} s; --wait changes it)\n`);
    },
  };
}

/** Opens the IPFS store the globals name (--ipfs, else the embedded one), runs `work`, closes it. */
export async function withIpfs<T>(g: Globals, work: (store: IpfsStore) => Promise<T>): Promise<T> {
  const store = await openIpfs({ home: g.home, ipfs: g.ipfs });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The sending account: --from, else the local signer, else the role the command needs. */
export async function senderFor(g: Globals, chain: Chain, deployment: Deployment | undefined, role: RoleName): Promise<string> {
  if (g.from) return resolveAccount(chain, g.from, deployment);
  if (chain.signer) return chain.signer.address;
  return resolveAccount(chain, role, deployment);
}
