import * as fs from "node:fs";
import type { StegoFrame } from "../../core/imaging/stego";
import { writeOutput, type OutputTarget } from "../../core/out-file";
import { safeText } from "../../core/text";
import type { CommandOutput } from "../output";

/** `xray stego embed` of a DICOM instance: a new, derived instance; the source file is only read. */
export async function embedDicomOutput(image: string, out: string, target: OutputTarget, text: string, payload: Uint8Array, recipient?: string): Promise<CommandOutput> {
  const { embedDicom } = require("../../core/dicom/stego") as typeof import("../../core/dicom/stego");
  const r = await embedDicom(fs.readFileSync(image), payload, { encrypted: recipient !== undefined });
  await writeOutput(target, r.bytes, { stdout: process.stdout });
  const digests = (d: typeof r.source) => ({ sopInstanceUid: d.sopInstanceUid, contentSha256: d.contentSha256, identitySha256: d.identitySha256 });
  return {
    json: { out, textBytes: Buffer.byteLength(text), payloadBytes: r.payloadBytes, capacityBytes: r.capacityBytes, encryptedFor: recipient ?? null, maxDiff: r.maxDiff, psnr: r.psnr, source: digests(r.source), derived: digests(r.derived), imageType: "DERIVED\\SECONDARY" },
    text:
      target.kind === "stdout"
        ? ""
        : `${safeText(out)}: a derived instance ${r.derived.sopInstanceUid} of ${r.source.sopInstanceUid} (unchanged); ${r.payloadBytes} of ${r.capacityBytes} bytes hidden${recipient ? ` (encrypted for ${recipient.toUpperCase()})` : ""}; max sample change ${r.maxDiff}`,
  };
}

/** The hidden frame of a PNG (or other image) or of a DICOM instance's pixels. */
export async function extractAny(image: string): Promise<StegoFrame & { format: string }> {
  const { extractAny: extract } = require("../../core/dicom/stego") as typeof import("../../core/dicom/stego");
  return extract(image);
}
