import * as fs from "node:fs";
import { resolveAccount } from "../../core/chain/accounts";
import type { Chain } from "../../core/chain/chain";
import { xrContext, type XrContext } from "../../core/chain/xr";
import type { PublicKey } from "../../core/crypto/pgp";
import { Keyring } from "../../core/crypto/keyring";
import { encodePatientInfo, ledgerInfo } from "../../core/authenticate";
import { embedFile } from "../../core/imaging/stego";
import { downloadImage, publicKeyOf, Unlocker, uploadImage } from "../../core/share";
import { UsageError } from "../../errors";
import { senderFor, withChain, withIpfs, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";
import { passphraseSource } from "../passphrase";
import { formatBytes } from "../progress";

/** An account spec (address, index, role name) rather than a key (file, fingerprint, name). */
export const looksLikeAccount = (s: string) => /^0x[0-9a-fA-F]{40}$/.test(s) || /^\d{1,3}$/.test(s) || /^(gov|host|doctor|patient)$/i.test(s);

/**
 * A public key given as an account (address, index, role name: the key bound to it in the
 * keyring), a key file, or a keyring key (fingerprint, key ID, name); with its account if bound.
 */
export async function keyFor(chain: Chain, ctx: XrContext, keyring: Keyring, spec: string): Promise<{ key: PublicKey; account?: string }> {
  if (looksLikeAccount(spec) && !fs.existsSync(spec)) {
    const account = await resolveAccount(chain, spec, ctx.deployment);
    const entry = keyring.forAccount(account);
    if (!entry) throw new UsageError(`${spec} (${account}) has no key in ${keyring.dir}: import theirs with \`xray keys import <file> --account ${spec}\``);
    return { key: await keyring.readPublic(entry), account };
  }
  const found = await publicKeyOf(keyring, spec);
  return { key: found.key, account: found.entry?.account };
}

export function cidVersionOf(text: string): 0 | 1 {
  if (text !== "0" && text !== "1") throw new UsageError(`--cid-version must be 0 or 1, got "${text}"`);
  return Number(text) as 0 | 1;
}

interface UploadOptions {
  to: string;
  part: string;
  modality: string;
  description?: string;
  signKey?: string;
  cidVersion: string;
  embed?: boolean;
}

export async function upload(g: Globals, image: string, o: UploadOptions): Promise<CommandOutput> {
  const cidVersion = cidVersionOf(o.cidVersion);
  if (!o.part.trim()) throw new UsageError("--part must not be empty");
  if (!fs.statSync(image, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`no such file: ${image}`);
  const keyring = new Keyring(g.home);
  const description = `${o.modality}, ${o.part}${o.description ? `: ${o.description}` : ""}`;
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const from = await senderFor(g, chain, ctx.deployment, "doctor");
    const found = await keyFor(chain, ctx, keyring, o.to);
    const recipient = found.key;
    const receiver = found.account ?? ctx.deployment.roles.patient;
    const signer = o.signKey ? keyring.find(o.signKey, { private: true }) : keyring.forAccount(from);
    if (!signer?.hasPrivate) {
      throw new UsageError(`the sender ${from} has no private key to sign with: \`xray keys generate --name <name> --account ${from}\`, or --sign-key <key>`);
    }
    // --embed: the ledger's patient data hidden in the pixels before encryption (a PNG).
    const embedded = o.embed ? await embedFile(image, encodePatientInfo(await ledgerInfo(ctx, description))) : undefined;
    const r = await withIpfs(g, (store) =>
      uploadImage({ ctx, store, unlocker: new Unlocker(keyring, passphraseSource(g)), image, data: embedded?.png, recipient, signer, receiver, description, from, cidVersion }),
    );
    const hidden = embedded && { payloadBytes: embedded.payloadBytes, capacityBytes: embedded.capacityBytes, maxDiff: embedded.maxDiff, psnr: embedded.psnr, convertedFrom: embedded.convertedFrom ?? null };
    return {
      json: { cid: r.cid, sha256: r.sha256, size: r.size, encryptedSize: r.encryptedSize, receiver, description, recipientKey: r.recipientKey, signerKey: r.signerKey, ...(hidden ? { embedded: hidden } : {}), ms: r.ms, tx: txJson(r.outcome) },
      stderr: embedded?.warnings.filter((w) => !/input is a JPEG/.test(w)).map((w) => `warning: ${w}`),
      text:
        (hidden ? `patient data hidden in the pixels: ${hidden.payloadBytes} bytes, max pixel change ${hidden.maxDiff}, PSNR ${hidden.psnr?.toFixed(2) ?? "-"} dB (uploaded as PNG)\n` : "") +
        `${r.cid}\n${image}: ${formatBytes(r.size)} encrypted for ${r.recipientKey.toUpperCase()} (${receiver}), signed by ${r.signerKey.toUpperCase()}, ` +
        `${formatBytes(r.encryptedSize)} on IPFS; sha256 ${r.sha256} recorded as "${description}"\n${txText(r.outcome)}`,
    };
  });
}

export async function download(g: Globals, spec: string, o: { out: string }): Promise<CommandOutput> {
  if (fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out ${o.out} is a folder; give a file name`);
  const keyring = new Keyring(g.home);
  return withChain(g, (chain) =>
    withIpfs(g, async (store) => {
      const r = await downloadImage({ ctx: xrContext(chain), store, unlocker: new Unlocker(keyring, passphraseSource(g)), spec, out: o.out });
      const sig = r.signature;
      const signed =
        sig.status === "valid"
          ? `signature valid (key ${sig.keyId!.toUpperCase()}${sig.account ? `, ${sig.account}` : ""})`
          : sig.status === "unknown"
            ? `signature not checked: key ${sig.keyId!.toUpperCase()} is not in the keyring`
            : "not signed";
      return {
        json: { out: o.out, cid: r.image.cid, kind: r.image.kind, sha256: r.image.sha256, size: r.data.length, verified: true, signature: sig, recipient: r.image.recipient, description: r.image.description },
        text: `${o.out}: ${formatBytes(r.data.length)} from ${r.image.cid}, decrypted; sha256 ${r.image.sha256} matches the chain; ${signed}`,
        stderr: sig.status === "valid" ? [] : [`warning: ${signed}`],
      };
    }),
  );
}
