import * as fs from "node:fs";
import * as path from "node:path";
import { generateKaggleDataset } from "../../core/imaging/kaggle-dataset";
import { packageRoot } from "../../core/paths";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes, progressBar, type Progress } from "../progress";

/** The shared chest X-rays beside the project, when no --source is given. */
export function defaultSource(): string | undefined {
  const candidates = [process.env.XRAY_CXR_DATA, path.join(packageRoot(), "..", "shared", "data", "cxr")].filter(Boolean) as string[];
  return candidates.find((c) => fs.existsSync(path.join(c, "images")));
}

export async function run(g: Globals, out: string, o: { source?: string; seed: string; scale: string }): Promise<CommandOutput> {
  const seed = Number(o.seed);
  const scale = Number(o.scale);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, got "${o.seed}"`);
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`--scale must be above 0 and at most 1, got "${o.scale}"`);
  const source = o.source ?? defaultSource();
  if (!source) throw new UsageError("where are the chest X-rays? give --source <cxr folder> (or env XRAY_CXR_DATA)");
  let bar: Progress | undefined;
  const started = Date.now();
  const r = await generateKaggleDataset(out, {
    source,
    seed,
    scale,
    onProgress: (done, total) => (bar ??= progressBar("writing", total, !g.json)).update(done),
  }).finally(() => bar?.done());
  const seconds = (Date.now() - started) / 1000;
  return {
    json: { ...r, source, seed, scale, seconds },
    text: `${r.images} images in ${safeText(out)} (${r.written} written now)`,
    summary: `${formatBytes(r.bytes)}: ${formatBytes(r.minBytes)} to ${formatBytes(r.maxBytes)}, median ${formatBytes(r.medianBytes)}; ${seconds.toFixed(1)} s`,
  };
}
