import { listFiles } from "../hash/files";
import type { ClassifyFailure } from "./classify";

/**
 * Expands files and folders into the files to classify. A missing path or an empty folder is
 * a failure of its own, so the batch goes on and the run still ends non-zero.
 */
export function imageInputs(inputs: string[], options: { hidden?: boolean } = {}): { files: string[]; failed: ClassifyFailure[] } {
  const files: string[] = [];
  const failed: ClassifyFailure[] = [];
  for (const input of inputs) {
    const found = listFiles([input], { hidden: options.hidden });
    for (const p of found.problems) failed.push({ file: p.path, code: "NOT_FOUND", error: p.error });
    if (!found.files.length && !found.problems.length) failed.push({ file: input, code: "EMPTY_FOLDER", error: "no files in this folder" });
    files.push(...found.files.map((f) => f.path));
  }
  return { files: [...new Set(files)], failed };
}
