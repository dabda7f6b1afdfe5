/**
 * Prepares the training data for train.py: every image of ../shared/data (cxr and non-cxr)
 * through xray's own preprocessing (`loadPixels`, the function `xray classify` uses), so the
 * network trains on exactly the pixels it will see. Writes
 *   <out>.bin   N x H x W uint8 grey pixels
 *   <out>.json  { width, height, channels, items: [{ file, label, source, group }] }
 * `source` is the data set an image comes from (cohen, hannover, kermany, nih, wallpaper) and
 * `group` keeps related images in one split: for chest X-rays the patient within its source
 * (labels.csv's `group`), for wallpapers the wallpaper a crop was cut from.
 *
 * Usage: node dist/models/train/prepare.js [--data ../shared/data] [--out models/train/.cache/cxr4-112] [--size 112]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mapLimit } from "../../src/core/concurrent";
import { loadPixels } from "../../src/core/model/preprocess";

interface Item {
  file: string;
  label: string;
  source: string;
  group: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** `file,label,source,...` rows; fields may be quoted and contain commas. */
function readCsv(file: string): string[][] {
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/).filter(Boolean).slice(1);
  return lines.map((line) => [...line.matchAll(/"((?:[^"]|"")*)"|([^,]*)/g)].filter((m, i, all) => m.index === 0 || line[m.index - 1] === ",").map((m) => (m[1] ?? m[2] ?? "").replace(/""/g, '"')));
}

/** A chest X-ray's patient (labels.csv `group`, already prefixed by its source); a wallpaper's picture. */
function groupOf(set: string, row: string[]): string {
  return set === "non-cxr" ? `wallpaper:${row[2]}` : row[3];
}

async function main() {
  const data = arg("--data", path.join(__dirname, "../../../../shared/data"));
  const out = arg("--out", path.join(__dirname, "../../../models/train/.cache/cxr4-112"));
  const size = Number(arg("--size", "112"));
  const items: Item[] = [];
  for (const set of ["cxr", "non-cxr"]) {
    for (const row of readCsv(path.join(data, set, "labels.csv"))) {
      const [file, label, source] = row;
      if (!groupOf(set, row)) throw new Error(`${set}/labels.csv: no group for ${file}`);
      items.push({ file: `${set}/${file}`, label, source: set === "non-cxr" ? "wallpaper" : source, group: groupOf(set, row) });
    }
  }
  const plane = size * size;
  const pixels = Buffer.alloc(items.length * plane);
  let done = 0;
  await mapLimit(items, 2, async (item, i) => {
    const p = await loadPixels(path.join(data, item.file), { channels: 1, width: size, height: size });
    pixels.set(p.data, i * plane);
    if (++done % 200 === 0) process.stderr.write(`${done}/${items.length}\n`);
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.bin`, pixels);
  fs.writeFileSync(`${out}.json`, JSON.stringify({ width: size, height: size, channels: 1, items }, null, 1));
  const counts: Record<string, number> = {};
  for (const it of items) counts[it.label] = (counts[it.label] ?? 0) + 1;
  console.log(`${items.length} images (${JSON.stringify(counts)}), ${new Set(items.map((i) => i.group)).size} groups -> ${out}.bin`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
