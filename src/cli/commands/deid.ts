import { checkDeidOut, deidentifyFile, deidSecret } from "../../core/dicom/deid";
import { listFiles } from "../../core/hash/files";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";

interface DeidOptions {
  out?: string;
  acceptBurnedIn?: boolean;
  hidden?: boolean;
}

export async function run(g: Globals, paths: string[], o: DeidOptions): Promise<CommandOutput> {
  if (!o.out) throw new UsageError("give --out <folder> for the de-identified copies (the originals are never changed)");
  if (!paths.length) throw new UsageError("give the DICOM files and folders to de-identify");
  checkDeidOut(o.out);
  const listed = listFiles(paths, { hidden: o.hidden });
  const secret = deidSecret(g.home);
  let bar: Progress | undefined;
  const results = listed.files.map((f, i) => {
    const r = deidentifyFile(f.path, o.out!, secret, { acceptBurnedIn: o.acceptBurnedIn });
    (bar ??= progressBar("de-identifying", listed.files.length, !g.json)).update(i + 1);
    return r;
  });
  bar?.done();
  const failed = [...listed.problems.map((p) => ({ file: p.path, code: "NOT_FOUND", error: p.error })), ...results.filter((r) => r.error).map((r) => ({ file: r.file, code: r.code!, error: r.error! }))];
  const done = results.filter((r) => r.out);
  const written = done.filter((r) => r.written).length;
  return {
    json: { out: o.out, count: done.length, written, failedCount: failed.length, files: done.map((r) => ({ file: r.file, out: r.out, written: r.written })), failed },
    text: done.map((r) => `${safeText(r.file)} -> ${safeText(r.out!)}`).join("\n"),
    stderr: failed.map((f) => `${safeText(f.file)}: ${f.error}`),
    summary: `${done.length} instances de-identified into ${safeText(o.out)} (${written} written now)${failed.length ? `; ${failed.length} refused or failed` : ""}`,
    exitCode: failed.length ? 1 : 0,
  };
}
