import * as fs from "node:fs";
import { authenticate as authenticateImage, checkTarget } from "../../core/authenticate";
import { Keyring } from "../../core/crypto/keyring";
import { encryptFor, type PublicKey } from "../../core/crypto/pgp";
import { xrContext } from "../../core/chain/xr";
import { embedFile } from "../../core/imaging/stego";
import { isDicomFile } from "../../core/dicom/dicom-file";
import { embedDicomOutput, extractAny } from "./stego-dicom";
import { checkOutput, writeOutput } from "../../core/out-file";
import { openIpfs, type IpfsStore } from "../../core/ipfs/store";
import { decryptFromKeyring, publicKeyOf, Unlocker } from "../../core/share";
import { UsageError } from "../../errors";
import { checkInputFile, readInput } from "../../core/in-file";
import { safeText } from "../../core/text";
import { withChain, type Globals } from "../context";
import { table, type CommandOutput } from "../output";
import { passphraseSource } from "../passphrase";
import { keyFor, looksLikeAccount } from "./share";

interface EmbedOptions {
  text?: string;
  textFile?: string;
  out: string;
  encryptTo?: string;
  force?: boolean;
}

/** `xray stego embed`: hides a text in the image's least significant bits, as a PNG. */
export async function embed(g: Globals, image: string, o: EmbedOptions): Promise<CommandOutput> {
  if ((o.text === undefined) === (o.textFile === undefined)) throw new UsageError("give the text to hide: --text <info> or --text-file <file> (one of them)");
  checkInputFile(image, "image");
  const dicom = isDicomFile(image);
  if (dicom && !/\.dcm$/i.test(o.out) && o.out !== "-") throw new UsageError(`--out must be a .dcm file for a DICOM instance (a new, derived instance), got "${o.out}"`);
  if (!dicom && !/\.png$/i.test(o.out) && o.out !== "-") throw new UsageError(`--out must be a .png file (lossless; JPEG would destroy the hidden data), got "${o.out}"`);
  const target = checkOutput(o.out, { force: o.force });
  const text = o.text ?? readText(o.textFile!);
  if (!text) throw new UsageError("the text to hide is empty");
  let payload: Uint8Array = new TextEncoder().encode(text);
  let recipient: string | undefined;
  if (o.encryptTo) {
    const key = await recipientKey(g, o.encryptTo);
    payload = await encryptFor(payload, key);
    recipient = key.getFingerprint();
  }
  if (dicom) return embedDicomOutput(image, o.out, target, text, payload, recipient);
  const r = await embedFile(image, payload, { encrypted: Boolean(o.encryptTo) });
  await writeOutput(target, r.png, { stdout: process.stdout });
  const psnr = r.psnr === null ? "identical" : `${r.psnr.toFixed(2)} dB`;
  return {
    json: { out: o.out, width: r.width, height: r.height, channels: r.channels, bits: r.bits, textBytes: Buffer.byteLength(text), payloadBytes: r.payloadBytes, capacityBytes: r.capacityBytes, encryptedFor: recipient ?? null, maxDiff: r.maxDiff, psnr: r.psnr, convertedFrom: r.convertedFrom ?? null, warnings: r.warnings },
    text: target.kind === "stdout" ? "" : `${safeText(o.out)}: ${r.payloadBytes} of ${r.capacityBytes} bytes hidden${recipient ? ` (encrypted for ${recipient.toUpperCase()})` : ""}; max pixel change ${r.maxDiff}, PSNR ${psnr}`,
    stderr: r.warnings.map((w) => `warning: ${w}`),
  };
}

/** `xray stego extract`: the hidden text (decrypted with the keyring when it was encrypted). */
export async function extract(g: Globals, image: string, o: { out?: string; force?: boolean }): Promise<CommandOutput> {
  const target = o.out === undefined || o.out === "-" ? undefined : checkOutput(o.out, { force: o.force });
  checkInputFile(image, "image");
  const frame = await extractAny(image);
  let payload = frame.payload;
  let decryptedWith: string | undefined;
  if (frame.encrypted) {
    const r = await decryptFromKeyring(new Unlocker(new Keyring(g.home), passphraseSource(g)), frame.payload, "the hidden data");
    payload = r.data;
    decryptedWith = r.decryptedWith;
  }
  const text = new TextDecoder().decode(payload);
  if (target) await writeOutput(target, payload);
  return {
    json: { file: image, text, bytes: payload.length, encrypted: frame.encrypted, decryptedWith: decryptedWith ?? null, format: frame.format, ...(target ? { out: o.out } : {}) },
    text: target ? `${safeText(o.out)}: ${payload.length} bytes${frame.encrypted ? " (decrypted)" : ""}` : text,
  };
}

/** `xray authenticate`: the two cases, both reported; exit 1 when either fails. */
export async function authenticate(g: Globals, target: string): Promise<CommandOutput> {
  checkTarget(target);
  const unlocker = new Unlocker(new Keyring(g.home), passphraseSource(g));
  return withChain(g, async (chain) => {
    // IPFS is opened only for a CID: a local file needs none.
    let store: IpfsStore | undefined;
    try {
      const a = await authenticateImage({ ctx: xrContext(chain), store: async () => (store ??= await openIpfs({ home: g.home, ipfs: g.ipfs })), unlocker, target });
      const verdict = a.ok ? "authentic" : "NOT authentic: any further processing of this image is not allowed";
      return {
        json: a,
        text: table([
          ["image", a.target],
          ["1 checksum", `${a.checksum.ok ? "ok" : "FAILED"}: ${a.checksum.reason}`],
          ["2 hidden data", `${a.hidden.ok ? "ok" : "FAILED"}: ${a.hidden.reason}`],
          ["verdict", verdict],
        ]),
        exitCode: a.ok ? 0 : 1,
      };
    } finally {
      await store?.close();
    }
  });
}

async function recipientKey(g: Globals, spec: string): Promise<PublicKey> {
  const keyring = new Keyring(g.home);
  if (looksLikeAccount(spec) && !fs.existsSync(spec)) return withChain(g, async (chain) => (await keyFor(chain, xrContext(chain), keyring, spec)).key);
  return (await publicKeyOf(keyring, spec)).key;
}

function readText(file: string): string {
  return readInput(file, "text file").toString("utf8");
}
