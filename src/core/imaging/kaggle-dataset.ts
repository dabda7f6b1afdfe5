import * as fs from "node:fs";
import * as path from "node:path";
import { mapLimit } from "../concurrent";
import { UsageError } from "../../errors";
import { writeFileAtomic } from "../home";

/** The Kaggle "Chest X-Ray Images (Pneumonia)" layout: 5,856 images. */
export const KAGGLE_LAYOUT: { split: string; label: "NORMAL" | "PNEUMONIA"; count: number }[] = [
  { split: "train", label: "NORMAL", count: 1341 },
  { split: "train", label: "PNEUMONIA", count: 3875 },
  { split: "test", label: "NORMAL", count: 234 },
  { split: "test", label: "PNEUMONIA", count: 390 },
  { split: "val", label: "NORMAL", count: 8 },
  { split: "val", label: "PNEUMONIA", count: 8 },
];

export interface KaggleDatasetOptions {
  /** The shared chest X-rays: a folder with images/normal, images/pneumonia, images/covid. */
  source: string;
  seed?: number;
  /** Fraction of every folder's count (at least one image each): 1 = the full 5,856. */
  scale?: number;
  /** Images encoded at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface KaggleDatasetResult {
  out: string;
  images: number;
  /** Written by this run; the rest were there from an earlier (possibly interrupted) run. */
  written: number;
  bytes: number;
  minBytes: number;
  medianBytes: number;
  maxBytes: number;
}

interface Plan {
  file: string;
  source: string;
  width: number;
  noise: number;
  seed: number;
}

/** mulberry32: a small, fast PRNG; the same seed gives the same data set on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sourcesOf(source: string, label: string): string[] {
  const dirs = label === "NORMAL" ? ["normal"] : ["pneumonia", "covid"];
  const files = dirs.flatMap((d) => {
    const dir = path.join(source, "images", d);
    if (!fs.existsSync(dir)) throw new UsageError(`no ${dir}: --source must be the shared cxr folder (images/normal, images/pneumonia, images/covid)`);
    return fs.readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(dir, f));
  });
  if (!files.length) throw new UsageError(`no images under ${source}/images for ${label}`);
  return files;
}

/**
 * Plans every image: Kaggle-style names, the real X-ray it is made from, its width (1,000 to
 * 2,900 px, aspect kept) and a grain strength chosen so JPEG sizes spread log-uniformly over
 * about 0.3 to 3 MB, like the published set's large scans.
 */
function plan(out: string, o: Required<Pick<KaggleDatasetOptions, "source" | "seed" | "scale">>): Plan[] {
  const rand = prng(o.seed);
  const plans: Plan[] = [];
  let person = 1;
  let normal = 100;
  for (const { split, label, count } of KAGGLE_LAYOUT) {
    const sources = sourcesOf(o.source, label);
    const n = Math.max(1, Math.round(count * o.scale));
    for (let i = 0; i < n; i++) {
      const target = 0.3e6 * Math.pow(10, rand()); // bytes, log-uniform 0.3-3 MB
      const width = Math.round(1000 + 1900 * Math.min(1, Math.max(0, Math.log10(target / 0.3e6) + (rand() - 0.5) * 0.3)));
      const bytesPerPixel = target / (width * width * 1.1);
      const noise = Math.min(40, Math.max(1, Math.round((bytesPerPixel - 0.09) / 0.021)));
      const name =
        label === "NORMAL"
          ? `${rand() < 0.3 ? "NORMAL2-" : ""}IM-${String(normal++).padStart(4, "0")}-0001.jpeg`
          : `person${person}_${rand() < 0.65 ? "bacteria" : "virus"}_${person++ * 3 + Math.floor(rand() * 3)}.jpeg`;
      plans.push({
        file: path.join(out, split, label, name),
        source: sources[Math.floor(rand() * sources.length)],
        width,
        noise,
        seed: Math.floor(rand() * 2 ** 32),
      });
    }
  }
  return plans;
}

async function render(sharp: typeof import("sharp"), p: Plan): Promise<Buffer> {
  const { data, info } = await sharp(p.source).grayscale().resize({ width: p.width, kernel: "lanczos3" }).raw().toBuffer({ resolveWithObject: true });
  // Film grain: uniform integer noise from a seeded generator, so every run writes the same bytes.
  const rand = prng(p.seed);
  const span = 2 * p.noise + 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] + Math.floor(rand() * span) - p.noise;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).jpeg({ quality: 92 }).toBuffer();
}

/**
 * Writes a Kaggle-shaped data set made from the real chest X-rays: deterministic (same seed,
 * same bytes), each image written atomically, and resumable (existing images are kept).
 */
export async function generateKaggleDataset(out: string, options: KaggleDatasetOptions): Promise<KaggleDatasetResult> {
  const { source, seed = 1, scale = 1, concurrency = 2, onProgress } = options;
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`the scale must be above 0 and at most 1, got ${scale}`);
  const sharp = require("sharp") as typeof import("sharp");
  sharp.concurrency(1);
  sharp.cache(false);
  const plans = plan(out, { source, seed, scale });
  const sizes: number[] = new Array(plans.length);
  let done = 0;
  let written = 0;
  await mapLimit(plans, concurrency, async (p, i) => {
    let size = fs.statSync(p.file, { throwIfNoEntry: false })?.size;
    if (!size) {
      const jpeg = await render(sharp, p);
      writeFileAtomic(p.file, jpeg);
      size = jpeg.length;
      written += 1;
    }
    sizes[i] = size;
    onProgress?.(++done, plans.length);
  });
  const sorted = [...sizes].sort((a, b) => a - b);
  const result: KaggleDatasetResult = {
    out,
    images: plans.length,
    written,
    bytes: sizes.reduce((a, b) => a + b, 0),
    minBytes: sorted[0],
    medianBytes: sorted[Math.floor(sorted.length / 2)],
    maxBytes: sorted[sorted.length - 1],
  };
  writeFileAtomic(path.join(out, ".xray-dataset.json"), JSON.stringify({ generator: "xray dataset", seed, scale, ...result, out: undefined }, null, 2) + "\n");
  return result;
}
