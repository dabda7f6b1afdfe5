import * as fs from "node:fs";
import { resolveAccount } from "../../core/chain/accounts";
import type { Chain } from "../../core/chain/chain";
import { xrContext, type XrContext } from "../../core/chain/xr";
import type { KeyEntry } from "../../core/crypto/keyring";
import type { IpfsStore } from "../../core/ipfs/store";
import type { DicomUpload } from "../../core/dicom/share";
import type { PublicKey } from "../../core/crypto/pgp";
import { Keyring } from "../../core/crypto/keyring";
import { encodePatientInfo, ledgerInfo } from "../../core/authenticate";
import { embedFile } from "../../core/imaging/stego";
import { checkOutput } from "../../core/out-file";
import { publicKeyOf, Unlocker } from "../../core/share";
import { downloadImage } from "../../core/share-download";
import { uploadImage, type UploadProgress, type UploadResult } from "../../core/share-upload";
import { isDicomFile } from "../../core/dicom/dicom-file";
import { dicomUploadExtra } from "./share-dicom";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import { senderFor, withChain, withIpfs, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";
import { passphraseSource } from "../passphrase";
import { formatBytes, progressBar, type Progress } from "../progress";

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

export interface UploadOptions {
  to: string;
  part: string;
  modality: string;
  description?: string;
  signKey?: string;
  cidVersion: string;
  embed?: boolean;
  again?: boolean;
  deidentify?: boolean;
  acceptBurnedIn?: boolean;
}

/** A progress bar per phase of a long single-file step (stderr, a terminal, not --json). */
function phases(g: Globals) {
  let current: { label: string; bar: Progress } | undefined;
  return {
    update(label: string, bytes: number, total: number) {
      if (current?.label !== label) {
        current?.bar.done();
        current = { label, bar: progressBar(label, total, !g.json && total >= PROGRESS_MIN_BYTES, formatBytes) };
      }
      current.bar.update(bytes);
    },
    done: () => current?.bar.done(),
  };
}

/** Below this size a step is over before a bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 16 << 20;

/** What every share of one upload command has in common: sender, receiver, keys, the hidden payload of --embed. */
export interface UploadSetup {
  ctx: XrContext;
  from: string;
  recipient: PublicKey;
  receiver: string;
  signer: KeyEntry;
  unlocker: Unlocker;
  description: string;
  payload?: Uint8Array;
}

/** Checks the options and each file before any work; returns the CID version. */
export function checkUpload(images: string[], o: UploadOptions): 0 | 1 {
  const cidVersion = cidVersionOf(o.cidVersion);
  if (!o.part.trim()) throw new UsageError("--part must not be empty");
  if (o.acceptBurnedIn && !o.deidentify) throw new UsageError("--accept-burned-in goes with --deidentify");
  if (o.deidentify && o.embed) throw new UsageError("--embed hides the patient's data in the pixels, --deidentify removes it: give one of them");
  for (const image of images) {
    if (!fs.existsSync(image)) throw new UsageError(`no such file: ${image}`);
    if (o.deidentify && !(fs.statSync(image).isFile() && isDicomFile(image))) throw new UsageError(`--deidentify takes a DICOM instance; ${image} is not one`);
  }
  return cidVersion;
}

export async function uploadSetup(g: Globals, chain: Chain, o: UploadOptions): Promise<UploadSetup> {
  const keyring = new Keyring(g.home);
  const description = `${o.modality}, ${o.part}${o.description ? `: ${o.description}` : ""}`;
  const ctx = xrContext(chain);
  const from = await senderFor(g, chain, ctx.deployment, "doctor");
  const found = await keyFor(chain, ctx, keyring, o.to);
  const signer = o.signKey ? keyring.find(o.signKey, { private: true }) : keyring.forAccount(from);
  if (!signer?.hasPrivate) {
    throw new UsageError(`the sender ${from} has no private key to sign with: \`xray keys generate --name <name> --account ${from}\`, or --sign-key <key>`);
  }
  const payload = o.embed ? encodePatientInfo(await ledgerInfo(ctx, description)) : undefined;
  return { ctx, from, recipient: found.key, receiver: found.account ?? ctx.deployment.roles.patient, signer, unlocker: new Unlocker(keyring, passphraseSource(g)), description, payload };
}

/** Shares one file (DICOM as is, de-identified or derived; another image as is or with --embed): the result and its report's extra parts. */
export async function shareOne(
  g: Globals,
  store: IpfsStore,
  s: UploadSetup,
  image: string,
  o: Omit<UploadOptions, "cidVersion"> & { cidVersion: 0 | 1; onProgress?: (p: UploadProgress) => void; prepared?: DicomUpload; shared?: Map<string, { number?: number; cid: string }> },
): Promise<{ r: UploadResult; extra: { json: Record<string, unknown>; details: string; stderr?: string[] } }> {
  const common = { ...s, store, image, cidVersion: o.cidVersion, again: o.again, shared: o.shared, onProgress: o.onProgress };
  if (o.prepared || isDicomFile(image)) {
    const { shareDicom } = require("../../core/dicom/share") as typeof import("../../core/dicom/share");
    const r = await shareDicom({ ...common, home: g.home, part: o.part, prepared: o.prepared, deidentify: o.deidentify, acceptBurnedIn: o.acceptBurnedIn, embed: s.payload });
    return { r, extra: dicomUploadExtra(r) };
  }
  // --embed: the ledger's patient data hidden in the pixels before encryption (a PNG).
  const embedded = s.payload ? await embedFile(image, s.payload) : undefined;
  const r = await uploadImage({ ...common, data: embedded?.png });
  const hidden = embedded && { payloadBytes: embedded.payloadBytes, capacityBytes: embedded.capacityBytes, maxDiff: embedded.maxDiff, psnr: embedded.psnr, convertedFrom: embedded.convertedFrom ?? null };
  return {
    r,
    extra: {
      json: hidden ? { embedded: hidden } : {},
      stderr: embedded?.warnings.filter((w) => !/input is a JPEG/.test(w)).map((w) => `warning: ${w}`),
      details: hidden ? `patient data hidden in the pixels: ${hidden.payloadBytes} bytes, max pixel change ${hidden.maxDiff}, PSNR ${hidden.psnr?.toFixed(2) ?? "-"} dB (uploaded as PNG)\n` : "",
    },
  };
}

export async function upload(g: Globals, images: string[], o: UploadOptions): Promise<CommandOutput> {
  const cidVersion = checkUpload(images, o);
  if (images.length > 1) {
    const { uploadMany } = require("./upload-many") as typeof import("./upload-many");
    return uploadMany(g, images, { ...o, cidVersion });
  }
  const image = images[0];
  // A DICOM instance is read (and de-identified) before the chain starts: a bad one fails at once.
  const prepared =
    fs.statSync(image).isFile() && isDicomFile(image) && !o.embed
      ? await (require("../../core/dicom/share") as typeof import("../../core/dicom/share")).prepareDicomUpload(image, { home: g.home, deidentify: o.deidentify, acceptBurnedIn: o.acceptBurnedIn })
      : undefined;
  return withChain(g, async (chain) => {
    const s = await uploadSetup(g, chain, o);
    const bars = phases(g);
    const onProgress = (p: UploadProgress) => bars.update(p.phase === "hash" ? "hashing" : "encrypting", p.bytes, p.total);
    const { r, extra } = await withIpfs(g, (store) => shareOne(g, store, s, image, { ...o, cidVersion, onProgress, prepared }).finally(bars.done));
    return uploadOutput(image, r, s.description, extra);
  });
}

/** The upload's report: the CID as the result line; `extra` adds JSON fields and detail lines before the common ones. */
export function uploadOutput(image: string, r: UploadResult, description: string, extra: { json: Record<string, unknown>; details: string; stderr?: string[] }): CommandOutput {
  const s = r.seconds;
  return {
    json: { cid: r.cid, file: image, sha256: r.sha256, size: r.size, encryptedSize: r.encryptedSize, receiver: r.receiver, description, recipientKey: r.recipientKey, signerKey: r.signerKey, ...extra.json, seconds: s, tx: txJson(r.outcome) },
    stderr: extra.stderr,
    text: r.cid,
    details:
      extra.details +
      `${safeText(image)}: ${formatBytes(r.size)} encrypted for ${r.recipientKey.toUpperCase()} (${r.receiver}), signed by ${r.signerKey.toUpperCase()}, ` +
      `${formatBytes(r.encryptedSize)} on IPFS; sha256 ${r.sha256} recorded as "${safeText(description)}"\n${txText(r.outcome)}`,
    summary: `uploaded ${formatBytes(r.size)} in ${(s.hash + s.encrypt + s.ipfs + s.chain).toFixed(2)} s (hash ${s.hash.toFixed(2)} s, encrypt ${s.encrypt.toFixed(2)} s, ipfs ${s.ipfs.toFixed(2)} s, chain ${s.chain.toFixed(2)} s)`,
  };
}

export async function download(g: Globals, specs: string[], o: { out: string; force?: boolean }): Promise<CommandOutput> {
  if (specs.length > 1) return (require("./download-many") as typeof import("./download-many")).downloadMany(g, specs, o);
  const spec = specs[0];
  if (o.out === "-" && g.json) throw new UsageError("--out - writes the image to stdout, where --json would print its document: use one or the other");
  if (fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out ${o.out} is a folder; give a file name`);
  const target = checkOutput(o.out, { force: o.force });
  const keyring = new Keyring(g.home);
  const t0 = performance.now();
  return withChain(g, (chain) =>
    withIpfs(g, async (store) => {
      const bars = phases(g);
      const r = await downloadImage({
        ctx: xrContext(chain), store, unlocker: new Unlocker(keyring, passphraseSource(g)), spec, out: target, home: g.home, stdout: process.stdout,
        onProgress: (bytes, total) => bars.update("decrypting", bytes, total),
      }).finally(bars.done);
      const sig = r.signature;
      const signed =
        sig.status === "valid"
          ? `signature valid (key ${sig.keyId!.toUpperCase()}${sig.account ? `, ${sig.account}` : ""})`
          : sig.status === "unknown"
            ? `signature not checked: key ${sig.keyId!.toUpperCase()} is not in the keyring`
            : "not signed";
      const line = `${safeText(o.out)}: ${formatBytes(r.size)} from ${r.image.cid}, decrypted; sha256 ${r.image.sha256} matches the chain; ${signed}`;
      const toStdout = target.kind === "stdout";
      return {
        json: { out: o.out, cid: r.image.cid, kind: r.image.kind, sha256: r.image.sha256, size: r.size, verified: true, signature: sig, recipient: r.image.recipient, description: r.image.description, seconds: (performance.now() - t0) / 1000 },
        // With --out -, stdout holds the image: the report goes to stderr.
        text: toStdout ? "" : line,
        summary: toStdout ? line : undefined,
        stderr: sig.status === "valid" ? [] : [`warning: ${signed}`],
      };
    }),
  );
}
