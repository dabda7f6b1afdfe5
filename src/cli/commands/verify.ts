import * as fs from "node:fs";
import { proofIndexOf, verifyHashOnChain, type HashOnChain } from "../../core/chain/actions/verify-hash";
import { xrContext } from "../../core/chain/xr";
import { auditManifest, type AuditResult } from "../../core/hash/audit";
import { hashFiles } from "../../core/hash/hash-files";
import { proofsFileFor, readProofs } from "../../core/hash/proofs";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";
import { recordJson } from "../records";
import { allDicom, verifyDicom } from "./verify-dicom";

interface VerifyOptions {
  manifest?: string;
  proofs?: string;
}

export async function run(g: Globals, paths: string[], o: VerifyOptions): Promise<CommandOutput> {
  if (o.manifest && !o.proofs && paths.length <= 1 && (paths.length === 0 || fs.statSync(paths[0], { throwIfNoEntry: false })?.isDirectory())) {
    return audit(g, o.manifest, paths[0]);
  }
  if (paths.length === 0) throw new UsageError("give the files to check on chain, or --manifest <file> to audit a folder");
  if (o.manifest && !o.proofs && allDicom(paths)) return verifyDicom(o.manifest, paths);
  const proofsFile = o.proofs ?? (o.manifest && fs.existsSync(proofsFileFor(o.manifest)) ? proofsFileFor(o.manifest) : undefined);
  const proofs = proofsFile ? readProofs(proofsFile) : undefined;
  const hashes = await hashFiles(paths, { anyFile: true });
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const index = proofIndexOf(ctx);
    const results = await Promise.all(
      hashes.map(async (h, i) => (h.ok ? { file: paths[i], ...(await verifyHashOnChain(ctx, h.sha256, { proofs, index })) } : { file: paths[i], anchored: false as const, error: h.error })),
    );
    const bad = results.filter((r) => !r.anchored).length;
    return {
      json: {
        anchored: results.length - bad,
        notAnchored: bad,
        ...(proofsFile ? { proofs: proofsFile } : {}),
        files: results.map((r) => ("error" in r ? r : { ...r, records: r.records.map(recordJson), ...(r.batch ? { batch: { ...r.batch, time: isoTime(r.batch.time) } } : {}) })),
      },
      text: results.map((r) => ("error" in r ? `FAILED        ${safeText(r.file)}: ${r.error}` : verdictText(r.file, r))).join("\n"),
      summary: bad ? `${bad} of ${results.length} files are not anchored on ${chain.provider.description}` : `${results.length} of ${results.length} files anchored`,
      exitCode: bad ? 1 : 0,
    };
  });
}

const isoTime = (seconds: number) => (seconds ? new Date(seconds * 1000).toISOString() : null);

/** "ANCHORED      scan.png  sha256 …" and one line per record or batch proof; on-chain text escaped. */
function verdictText(file: string, r: HashOnChain): string {
  const b = r.batch;
  const label = b?.label ? ` "${safeText(b.label)}"` : "";
  const how = [
    ...r.records.map((rec) => `record #${rec.index} by ${safeText(rec.doctor) || "?"} (${rec.author}), ${rec.date}`),
    ...(b?.anchored ? [`batch${label} ${b.root} of ${b.count} images by ${b.author}, ${isoTime(b.time)}; proof ${r.proofFrom === "index" ? "from the home's index, " : ""}checked by xr.verifyAnchored`] : []),
    ...(b && !b.anchored ? [`proof for batch ${b.root} ${!b.proofValid ? "is invalid" : b.author ? "was refused by the contract" : "names a root that is not on chain"}`] : []),
  ];
  return `${r.anchored ? "ANCHORED     " : "NOT ANCHORED "} ${safeText(file)}  sha256 ${r.sha256}${how.length ? "\n  " + how.join("\n  ") : ""}`;
}

async function audit(g: Globals, manifest: string, folder: string | undefined): Promise<CommandOutput> {
  let bar: Progress | undefined;
  const r: AuditResult = await auditManifest(manifest, {
    folder,
    onProgress: (done, _bytes, total) => (bar ??= progressBar("auditing", total, !g.json)).update(done),
  }).finally(() => bar?.done());
  const reencoded = r.reencoded.length ? `, ${r.reencoded.length} re-encoded (same image)` : "";
  const counts = `${r.matched} matched${reencoded}, ${r.changed.length} changed, ${r.missing.length} missing, ${r.moved.length} moved, ${r.new.length} new, ${r.unreadable.length} unreadable`;
  const lines = [
    `audit ${r.ok ? "passed" : "FAILED"}: ${counts}`,
    ...r.changed.map((c) => `changed:    ${safeText(c.path)} (${c.verdict === "identity-changed" ? `same image, identity changed: ${c.attributes?.join(", ")}` : c.verdict === "image-changed" ? "image changed" : `expected ${c.expected}, found ${c.actual}`})`),
    ...r.reencoded.map((p) => `re-encoded: ${safeText(p)} (same image, file re-encoded)`),
    ...r.missing.map((p) => `missing:    ${safeText(p)}`),
    ...r.moved.map((m) => `moved:      ${safeText(m.from)} -> ${safeText(m.to)}`),
    ...r.new.map((p) => `new:        ${safeText(p)}`),
    ...r.unreadable.map((u) => `unreadable: ${safeText(u.path)}: ${u.error}`),
  ];
  return {
    json: r,
    text: lines.join("\n"),
    stderr: r.ok ? [] : [`audit of ${safeText(manifest)} failed: ${counts}`],
    exitCode: r.ok ? 0 : 1,
  };
}
