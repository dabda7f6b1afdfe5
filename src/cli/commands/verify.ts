import * as fs from "node:fs";
import { verifyHashOnChain } from "../../core/chain/actions/verify-hash";
import { xrContext } from "../../core/chain/xr";
import { auditManifest, type AuditResult } from "../../core/hash/audit";
import { hashFiles } from "../../core/hash/hash-files";
import { proofsFileFor, readProofs } from "../../core/hash/proofs";
import { UsageError } from "../../errors";
import { withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";

interface VerifyOptions {
  manifest?: string;
  proofs?: string;
}

export async function run(g: Globals, paths: string[], o: VerifyOptions): Promise<CommandOutput> {
  if (o.manifest && !o.proofs && paths.length <= 1 && (paths.length === 0 || fs.statSync(paths[0], { throwIfNoEntry: false })?.isDirectory())) {
    return audit(g, o.manifest, paths[0]);
  }
  if (paths.length === 0) throw new UsageError("give the files to check on chain, or --manifest <file> to audit a folder");
  const proofsFile = o.proofs ?? (o.manifest && fs.existsSync(proofsFileFor(o.manifest)) ? proofsFileFor(o.manifest) : undefined);
  const proofs = proofsFile ? readProofs(proofsFile) : undefined;
  const hashes = await hashFiles(paths, { anyFile: true });
  return withChain(g, async (chain) => {
    const ctx = xrContext(chain);
    const results = await Promise.all(
      hashes.map(async (h, i) =>
        h.ok ? { path: paths[i], ...(await verifyHashOnChain(ctx, h.sha256, { proofs })) } : { path: paths[i], anchored: false, error: h.error },
      ),
    );
    const lines = results.map((r) => {
      if ("error" in r) return `FAILED        ${r.path}: ${r.error}`;
      const how = [
        ...r.records.map((rec) => `record #${rec.index} by ${rec.doctor || "?"} (${rec.author}), ${rec.date}`),
        ...(r.batch?.anchored ? [`batch ${r.batch.root} of ${r.batch.count} images by ${r.batch.author}, ${new Date(r.batch.time * 1000).toISOString()}; proof checked by xr.verifyAnchored`] : []),
        ...(r.batch && !r.batch.anchored ? [`proof for batch ${r.batch.root} ${!r.batch.proofValid ? "is invalid" : r.batch.author ? "was refused by the contract" : "names a root that is not on chain"}`] : []),
      ];
      return `${r.anchored ? "ANCHORED     " : "NOT ANCHORED "} ${r.path}  sha256 ${r.sha256}${how.length ? "\n  " + how.join("\n  ") : ""}`;
    });
    const bad = results.filter((r) => !r.anchored).length;
    return {
      json: { anchored: results.length - bad, notAnchored: bad, ...(proofsFile ? { proofs: proofsFile } : {}), files: results },
      text: lines.join("\n"),
      stderr: bad ? [`${bad} of ${results.length} files are not anchored on ${chain.provider.description}`] : [],
      exitCode: bad ? 1 : 0,
    };
  });
}

async function audit(g: Globals, manifest: string, folder: string | undefined): Promise<CommandOutput> {
  let bar: Progress | undefined;
  const r: AuditResult = await auditManifest(manifest, {
    folder,
    onProgress: (done, _bytes, total) => (bar ??= progressBar("auditing", total, !g.json)).update(done),
  }).finally(() => bar?.done());
  const counts = `${r.matched} matched, ${r.changed.length} changed, ${r.missing.length} missing, ${r.moved.length} moved, ${r.new.length} new, ${r.unreadable.length} unreadable`;
  const lines = [
    `audit ${r.ok ? "passed" : "FAILED"}: ${counts}`,
    ...r.changed.map((c) => `changed:    ${c.path} (expected ${c.expected}, found ${c.actual})`),
    ...r.missing.map((p) => `missing:    ${p}`),
    ...r.moved.map((m) => `moved:      ${m.from} -> ${m.to}`),
    ...r.new.map((p) => `new:        ${p}`),
    ...r.unreadable.map((u) => `unreadable: ${u.path}: ${u.error}`),
  ];
  return {
    json: r,
    text: lines.join("\n"),
    stderr: r.ok ? [] : [`audit of ${manifest} failed: ${counts}`],
    exitCode: r.ok ? 0 : 1,
  };
}
