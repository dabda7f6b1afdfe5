import * as fs from "node:fs";
import * as path from "node:path";
import { readDeployment } from "../../core/chain/deployment";
import { checkDicomFiles, VERDICT_TEXT, type DicomFileCheck } from "../../core/dicom/verify";
import { openRegister } from "../../core/hospital/choose";
import { registerFile } from "../../core/hospital/register";
import { hospitalContext } from "../../core/hospital/registry";
import { chainWait, withChain, type Globals } from "../context";
import { readManifest } from "../../core/hash/manifest";
import { sniffImage, SNIFF_BYTES } from "../../core/hash/sniff";
import { safeText } from "../../core/text";
import type { CommandOutput } from "../output";

/** True when every path is a DICOM file (by its bytes): `verify --manifest` then compares images offline. */
export function allDicom(paths: string[]): boolean {
  return (
    paths.length > 0 &&
    paths.every((p) => {
      try {
        const fd = fs.openSync(p, "r");
        try {
          const head = Buffer.alloc(SNIFF_BYTES);
          return fs.fstatSync(fd).isFile() && sniffImage(head.subarray(0, fs.readSync(fd, head, 0, SNIFF_BYTES, 0))) === "application/dicom";
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return false;
      }
    })
  );
}

function dicomLine(c: DicomFileCheck): string {
  if (!c.verdict) return `NOT CHECKED       ${safeText(c.file)}  ${c.reason} (SOP Instance UID ${safeText(c.sopInstanceUid)})`;
  const head = { identical: "IDENTICAL        ", "re-encoded": "RE-ENCODED       ", "identity-changed": "IDENTITY CHANGED ", "image-changed": "IMAGE CHANGED    " }[c.verdict];
  const attrs = c.changed.length ? `: ${c.changed.join(", ")}` : "";
  return `${head} ${safeText(c.file)}  ${VERDICT_TEXT[c.verdict]}${attrs}`;
}

/**
 * `xray verify <file.dcm>...` on a hospital home, no manifest: each instance against what
 * `pacs anchor` kept of it in the register and the chain. Undefined on a home without a hospital.
 */
export async function verifyDicomRegister(g: Globals, paths: string[]): Promise<CommandOutput | undefined> {
  return withChain(g, async (chain) => {
    const deployment = readDeployment(chain.home, chain.key);
    if (!deployment?.hospital || !fs.existsSync(registerFile(chain.home, deployment.hospital.registry))) return undefined;
    const { checkFilesWithRegister } = require("../../core/pacs/verify-file") as typeof import("../../core/pacs/verify-file");
    const ctx = hospitalContext(chain);
    const reg = await openRegister(chain, ctx.deployment.hospital.registry, chainWait(g));
    try {
      const checks = await checkFilesWithRegister(ctx, reg, paths);
      if (checks.every((c) => !c.studyUid)) return undefined; // none through the PACS: the chain's records may have them
      const bad = checks.filter((c) => !c.ok).length;
      return {
        json: { register: reg.file, ok: bad === 0, files: checks },
        text: checks.map(dicomLine).join("\n"),
        summary: `${checks.length - bad} of ${checks.length} DICOM files hold the image and identity anchored through the PACS`,
        exitCode: bad ? 1 : 0,
      };
    } finally {
      reg.close();
    }
  });
}

/** `xray verify <file.dcm>... --manifest m.json`: identical, re-encoded, identity changed (which attributes), image changed. */
export async function verifyDicom(manifestFile: string, paths: string[]): Promise<CommandOutput> {
  const m = readManifest(manifestFile);
  const checks = await checkDicomFiles(paths, m.files, path.dirname(path.resolve(manifestFile)));
  const bad = checks.filter((c) => !c.ok).length;
  return {
    json: { manifest: manifestFile, ok: bad === 0, files: checks },
    text: checks.map(dicomLine).join("\n"),
    summary: `${checks.length - bad} of ${checks.length} DICOM files hold the recorded image and identity`,
    exitCode: bad ? 1 : 0,
  };
}
