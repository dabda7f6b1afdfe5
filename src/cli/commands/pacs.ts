import { pacsTarget } from "../../core/pacs/client";
import { pushInstances } from "../../core/pacs/push";
import { listFiles } from "../../core/hash/files";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";

interface PacsOptions {
  pacs?: string;
  pacsCredentialsFile?: string;
  hidden?: boolean;
}

/** `xray pacs push`: store DICOM files and folders in the PACS. */
export async function push(g: Globals, paths: string[], o: PacsOptions): Promise<CommandOutput> {
  if (!paths.length) throw new UsageError("give the DICOM files and folders to store in the PACS");
  const target = pacsTarget({ pacs: o.pacs, credentialsFile: o.pacsCredentialsFile });
  const listed = listFiles(paths, { hidden: o.hidden });
  let bar: Progress | undefined;
  const started = Date.now();
  const results = await pushInstances(
    target,
    listed.files.map((f) => f.path),
    { onProgress: (done, total) => (bar ??= progressBar("storing", total, !g.json)).update(done) },
  ).finally(() => bar?.done());
  const seconds = (Date.now() - started) / 1000;
  const failed = [...listed.problems.map((p) => ({ file: p.path, error: p.error })), ...results.filter((r) => r.error).map((r) => ({ file: r.file, error: r.error! }))];
  const stored = results.filter((r) => r.status === "stored").length;
  const already = results.filter((r) => r.status === "already-stored").length;
  return {
    json: { pacs: target.url, stored, alreadyStored: already, failedCount: failed.length, seconds, instances: results.filter((r) => r.id), failed },
    text: `${stored} instances stored in ${safeText(target.url)}, ${already} already there`,
    stderr: failed.map((f) => `${safeText(f.file)}: ${f.error}`),
    summary: `${stored + already} of ${results.length + listed.problems.length} in the PACS; ${seconds.toFixed(1)} s`,
    exitCode: failed.length ? 1 : 0,
  };
}
