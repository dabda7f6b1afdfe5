import { resolveAccount } from "../../core/chain/accounts";
import {
  ACCESS_KINDS,
  accessOf,
  auditTrail,
  denyAccess,
  EVENT_KINDS,
  requestAccess,
  revokeAccess,
  traceAccess,
  type AuditEvent,
  type EventKind,
} from "../../core/chain/actions/access";
import type { Chain } from "../../core/chain/chain";
import { xrContext, type XrContext } from "../../core/chain/xr";
import { Keyring } from "../../core/crypto/keyring";
import { publicKeyBytes } from "../../core/crypto/pgp";
import { approveRequester, Unlocker } from "../../core/share";
import { UsageError } from "../../errors";
import { senderFor, withChain, withIpfs, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";
import { passphraseSource } from "../passphrase";
import { safeText } from "../../core/text";
import { cidVersionOf, keyFor } from "./share";

/** Runs `work` with the xr contract and a resolved requester account. */
function withRequester<T>(g: Globals, requester: string, work: (ctx: XrContext, requester: string, chain: Chain) => Promise<T>): Promise<T> {
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    return work(ctx, await resolveAccount(chain, requester, ctx.deployment), chain);
  });
}

export async function request(g: Globals, patient: string, o: { key?: string; notes: string }): Promise<CommandOutput> {
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const target = await resolveAccount(chain, patient, ctx.deployment);
    if (target.toLowerCase() !== ctx.deployment.roles.patient.toLowerCase()) {
      throw new UsageError(`${target} is not this contract's patient (${ctx.deployment.roles.patient}): requests go to the patient's contract`);
    }
    if (!g.from && !chain.signer) throw new UsageError("who is asking? --from <account> (or sign with --private-key/--keystore)");
    const from = await senderFor(g, chain, ctx.deployment, "gov");
    const keyring = new Keyring(g.home);
    if (!o.key && !keyring.forAccount(from)) throw new UsageError(`--key <public key file or keyring key> is needed: ${from} has no key in the keyring`);
    const { key } = await keyFor(chain, ctx, keyring, o.key ?? from);
    const out = await requestAccess(ctx, { publicKey: publicKeyBytes(key), notes: o.notes, from });
    return {
      json: { requester: from, patient: target, key: key.getFingerprint(), notes: o.notes, tx: txJson(out) },
      text: `${from} asked ${target} for access, key ${key.getFingerprint().toUpperCase()}`,
      details: txText(out),
    };
  });
}

export async function approve(g: Globals, requester: string, o: { image?: string[]; cidVersion: string }): Promise<CommandOutput> {
  const cidVersion = cidVersionOf(o.cidVersion);
  return withRequester(g, requester, async (ctx, who, chain) => {
    const patient = await senderFor(g, chain, ctx.deployment, "patient");
    const unlocker = new Unlocker(new Keyring(g.home), passphraseSource(g));
    const r = await withIpfs(g, (store) => approveRequester({ ctx, store, unlocker, requester: who, patient, images: o.image, cidVersion }));
    return {
      json: { requester: who, patient, copies: r.copies, tx: txJson(r.outcome) },
      text: [`approved ${who}: ${r.copies.length} image(s) re-encrypted for their key`, ...r.copies.map((c) => `  ${safeText(c.source)} -> ${c.cid}  sha256 ${c.sha256}`)].join("\n"),
      details: txText(r.outcome),
    };
  });
}

export async function deny(g: Globals, requester: string, o: { reason: string }): Promise<CommandOutput> {
  if (!o.reason.trim()) throw new UsageError("--reason must not be empty");
  return withRequester(g, requester, async (ctx, who, chain) => {
    const from = await senderFor(g, chain, ctx.deployment, "patient");
    await expectState(ctx, who, "requested", "deny");
    const out = await denyAccess(ctx, { requester: who, reason: o.reason, from });
    return { json: { requester: who, reason: o.reason, tx: txJson(out) }, text: `denied ${who}: ${safeText(o.reason)}`, details: txText(out) };
  });
}

export async function revoke(g: Globals, requester: string): Promise<CommandOutput> {
  return withRequester(g, requester, async (ctx, who, chain) => {
    const from = await senderFor(g, chain, ctx.deployment, "patient");
    await expectState(ctx, who, "approved", "revoke");
    const out = await revokeAccess(ctx, { requester: who, from });
    return { json: { requester: who, tx: txJson(out) }, text: `revoked the access of ${who}`, details: txText(out) };
  });
}

/** A clear sentence before the contract would refuse (the contract checks it again). */
async function expectState(ctx: XrContext, who: string, want: string, verb: string) {
  const state = await accessOf(ctx, who);
  if (state !== want) throw new UsageError(`cannot ${verb} ${who}: their access is ${state}, not ${want}`);
}

export async function trace(g: Globals, requester: string, o: { record: boolean }): Promise<CommandOutput> {
  return withRequester(g, requester, async (ctx, who, chain) => {
    let state = await accessOf(ctx, who);
    let authorized = state === "approved";
    let tx;
    if (o.record) {
      tx = await traceAccess(ctx, { requester: who, from: await senderFor(g, chain, ctx.deployment, "gov") });
      authorized = tx.authorized;
      state = await accessOf(ctx, who);
    }
    return {
      json: { requester: who, authorized, access: state, ...(tx ? { tx: txJson(tx) } : {}) },
      text: `${authorized ? "AUTHORIZED" : "NOT AUTHORIZED"}  ${who} (access: ${state})`,
      details: tx ? txText(tx) : undefined,
      exitCode: authorized ? 0 : 1,
    };
  });
}

function parseKinds(text: string | undefined, all: boolean): EventKind[] {
  if (all) return Object.keys(EVENT_KINDS) as EventKind[];
  if (!text) return ACCESS_KINDS;
  const kinds = text.split(",").map((k) => k.trim().toLowerCase());
  for (const k of kinds) {
    if (!(k in EVENT_KINDS)) throw new UsageError(`unknown event kind "${k}": one of ${Object.keys(EVENT_KINDS).join(", ")}`);
  }
  return kinds as EventKind[];
}

/** One event for people: every argument escaped (any account can write notes and descriptions). */
function eventLine(e: AuditEvent): string {
  const a = Object.fromEntries(Object.entries(e.args).map(([k, v]) => [k, typeof v === "string" ? safeText(v) : v]));
  const what: Record<string, () => string> = {
    shared: () => `${a.sender} shared ${a.cid} with ${a.receiver}: "${a.description}", sha256 ${a.sha256}`,
    requested: () => `${a.requester} requested access (key ${a.publicKey}): "${a.notes}"`,
    approved: () => `${a.requester} approved: copy ${a.cid} of sha256 ${a.sha256}`,
    denied: () => `${a.requester} denied: "${a.reason}"`,
    traced: () => `${a.requester} traced by ${a.by}: authorization ${a.authorized ? "success" : "failed"}`,
    revoked: () => `${a.requester} removed (access revoked)`,
  };
  const text = what[e.kind]?.() ?? Object.entries(a).map(([k, v]) => `${k}=${safeText(v)}`).join(" ");
  return `${new Date(e.time * 1000).toISOString()}  block ${e.block}  ${e.kind.padEnd(9)} ${text}`;
}

export async function events(g: Globals, o: { kind?: string; account?: string; all?: boolean }): Promise<CommandOutput> {
  const kinds = parseKinds(o.kind, Boolean(o.all));
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const account = o.account ? await resolveAccount(chain, o.account, ctx.deployment) : undefined;
    const list = await auditTrail(ctx, { kinds, account });
    return {
      json: { kinds, ...(account ? { account } : {}), events: list.map((e) => ({ ...e, time: new Date(e.time * 1000).toISOString() })) },
      text: list.map(eventLine).join("\n"),
      summary: list.length ? `${list.length} event(s)` : `no ${kinds.join("/")} events${account ? ` naming ${account}` : ""}`,
    };
  });
}
