/**
 * `npm run bench:classify`: the shipped classifier's throughput with ONNX Runtime at batch
 * sizes 1, 8 and 32, beside PyTorch CPU running the same network (the ONNX file's own graph
 * and weights, rebuilt in torch by bench/torch_bench.py) on the same preprocessed batch of
 * real test X-rays, in the same run, with the same number of threads. Also: a full-size
 * VGG-16 (torchvision, random weights, 224x224x3) in both, and whole `xray classify`
 * processes on the 1,124 shared chest X-rays. Medians; nothing is asserted.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCard } from "../src/core/model/card";
import { openClassifier, type Classifier } from "../src/core/model/classify";
import { inputShape, loadPixels, normalise } from "../src/core/model/preprocess";
import { BIN, ROOT, finishBench, machine, median, parseBenchArgs, ratio, runMain, summarise, timedRun, type Measurement, type Ratio } from "./lib";

const OUT = path.join(ROOT, "bench", "results");
const DATA = path.join(ROOT, "bench", "data", "classify");
const SHARED = path.join(ROOT, "..", "shared", "data");
const MODEL = path.join(ROOT, "models", "xray-vgg-cxr4.onnx");
const BATCHES = [1, 8, 32];
const THREADS = Math.min(2, os.cpus().length);
const PYTHON = "/usr/bin/python3";
const log = (s: string) => process.stderr.write(s + "\n");

interface Timing {
  runs: number;
  msPerRun: number;
  imagesPerSecond: number;
}

/** Median time of one `session.run` per batch size on the first b images of `data`. */
async function timeOrt(c: Classifier, data: Float32Array, perImage: number, batches: number[], big = false): Promise<Record<string, Timing>> {
  const { Tensor } = await import("onnxruntime-node");
  const out: Record<string, Timing> = {};
  for (const b of batches) {
    const feeds = { [c.session.inputNames[0]]: new Tensor("float32", data.subarray(0, b * perImage), inputShape(c.card.input, b)) };
    const runs = big ? Math.max(3, Math.floor(16 / b)) : Math.max(5, Math.floor(256 / b));
    for (let i = 0; i < 2; i++) await c.session.run(feeds);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await c.session.run(feeds);
      ms.push(performance.now() - t);
    }
    const m = median(ms);
    out[b] = { runs, msPerRun: round(m, 3), imagesPerSecond: round((b * 1000) / m, 2) };
  }
  return out;
}

function torch(args: string[]): any {
  const r = spawnSync(PYTHON, [path.join(ROOT, "bench", "torch_bench.py"), ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`torch_bench.py ${args[0]} failed (needs python3-torch, python3-torchvision, python3-onnx):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

const args = parseBenchArgs();

async function main(): Promise<number> {
  fs.mkdirSync(DATA, { recursive: true });
  const card = JSON.parse(fs.readFileSync(MODEL.replace(/\.onnx$/, ".json"), "utf8"));
  const files: string[] = card.data.split.testFiles.slice(0, Math.max(...BATCHES)).map((f: string) => path.join(SHARED, f));

  // The same preprocessed batch for both runtimes: 32 held-out test images through xray's preprocessing.
  const c = await openClassifier(loadCard(MODEL), { threads: THREADS });
  const spec = c.card.input;
  const perImage = spec.channels * spec.width * spec.height;
  const batch = new Float32Array(files.length * perImage);
  for (let i = 0; i < files.length; i++) normalise(await loadPixels(files[i], spec), spec, batch, i);
  const batchFile = path.join(DATA, "batch32.f32");
  fs.writeFileSync(batchFile, batch);
  const { Tensor } = await import("onnxruntime-node");
  const logits = (await c.session.run({ [c.session.inputNames[0]]: new Tensor("float32", batch, inputShape(spec, files.length)) }))[c.session.outputNames[0]].data as Float32Array;
  const logitsFile = path.join(DATA, "ort-logits.f32");
  fs.writeFileSync(logitsFile, logits);

  log(`small model: ONNX Runtime ${BATCHES.join("/")} ...`);
  const ortSmall = await timeOrt(c, batch, perImage, BATCHES);
  await c.close();
  log("small model: PyTorch ...");
  const torchSmall = torch(["small", MODEL, batchFile, inputShape(spec, files.length).join(","), BATCHES.join(","), String(THREADS), logitsFile]);

  log("VGG-16 224x224x3 (random weights): PyTorch, and the ONNX export once ...");
  const vggFile = path.join(DATA, "vgg16-224.onnx");
  // --quick leaves VGG-16 out (minutes on 2 cores)
  const vggBatches = args.quick ? [] : [1, 8];
  const torchVgg = args.quick ? { batches: {} as Record<number, Timing> } : torch(["vgg16", vggFile, vggBatches.join(","), String(THREADS)]);
  let ortVgg: Record<string, Timing> = {};
  if (!args.quick) {
    log("VGG-16: ONNX Runtime ...");
    const labels = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const vgg = await openClassifier(loadCard(vggFile, { labels, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }), { threads: THREADS });
    const vggPer = 3 * 224 * 224;
    const vggData = Float32Array.from({ length: 8 * vggPer }, (_, i) => Math.sin(i) * 1.5);
    ortVgg = await timeOrt(vgg, vggData, vggPer, vggBatches, true);
    await vgg.close();
  }

  log("xray classify: whole processes ...");
  const cxrImages = path.join(SHARED, "cxr", "images");
  const one = path.join(SHARED, "cxr", "originals", "normal", "00001280_004.png");
  const oneMs: number[] = [];
  for (let i = 0; i < (args.quick ? 3 : 5); i++) oneMs.push((await timedRun(process.execPath, [BIN, "classify", one, "-q"])).ms);
  const allMs: number[] = [];
  let count = 0;
  for (let i = 0; i < (args.quick ? 1 : 3); i++) {
    const r = await timedRun(process.execPath, [BIN, "classify", cxrImages, "--json"]);
    count = JSON.parse(r.stdout).count;
    allMs.push(r.ms);
  }

  const rows = BATCHES.map((b) => ({
    batch: b,
    ortImagesPerSecond: ortSmall[b].imagesPerSecond,
    torchImagesPerSecond: torchSmall.batches[b].imagesPerSecond,
    ratio: round(ortSmall[b].imagesPerSecond / torchSmall.batches[b].imagesPerSecond, 2),
  }));
  const vggRows = vggBatches.map((b) => ({
    batch: b,
    ortSecondsPerImage: round(ortVgg[b].msPerRun / b / 1000, 3),
    torchSecondsPerImage: round(torchVgg.batches[b].msPerRun / b / 1000, 3),
    ratio: round(torchVgg.batches[b].msPerRun / ortVgg[b].msPerRun, 2),
  }));
  const result = {
    machine: machine(),
    threads: THREADS,
    onnxruntime: require("onnxruntime-node/package.json").version,
    torch: torchSmall.torch,
    model: { file: "models/xray-vgg-cxr4.onnx", sha256: card.sha256, input: `${spec.channels}x${spec.height}x${spec.width}` },
    sameNetwork: { maxAbsDiffVsOrt: torchSmall.maxAbsDiffVsOrt, sameLabels: `${torchSmall.sameLabels}/${files.length}` },
    small: { ort: ortSmall, torch: torchSmall.batches, rows },
    vgg16: { ort: ortVgg, torch: torchVgg.batches, rows: vggRows },
    cli: { oneImageMs: round(median(oneMs), 0), folder: { images: count, ms: round(median(allMs), 0), imagesPerSecond: round((count * 1000) / median(allMs), 1) } },
  };
  const out = args.quick ? path.join(OUT, "quick") : OUT;
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "classify-bench.json"), JSON.stringify(result, null, 2) + "\n");
  const md = [
    `# bench:classify (${result.machine}; ${THREADS} threads each; ONNX Runtime ${result.onnxruntime}, PyTorch ${result.torch})`,
    "",
    `Shipped model ${result.model.input}, the same batch of ${files.length} preprocessed test X-rays; PyTorch runs the ONNX file's own graph and weights (max |logit difference| ${result.sameNetwork.maxAbsDiffVsOrt.toExponential(1)}, same label for ${result.sameNetwork.sameLabels}). Median of the runs.`,
    "",
    "| batch | ONNX Runtime img/s | PyTorch img/s | ORT ÷ PyTorch |",
    "|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.batch} | ${r.ortImagesPerSecond} | ${r.torchImagesPerSecond} | ${r.ratio.toFixed(2)}x |`),
    "",
    "Full-size VGG-16 (torchvision layout, random weights, 3x224x224): seconds per image.",
    "",
    "| batch | ONNX Runtime s/image | PyTorch s/image | PyTorch ÷ ORT |",
    "|---:|---:|---:|---:|",
    ...vggRows.map((r) => `| ${r.batch} | ${r.ortSecondsPerImage} | ${r.torchSecondsPerImage} | ${r.ratio.toFixed(2)}x |`),
    "",
    `Whole processes: \`xray classify\` of one image ${result.cli.oneImageMs} ms (start-up, model load, decode, inference; median of 5); of the ${count} shared chest X-rays (cxr/images, up to 320x320) ${(result.cli.folder.ms / 1000).toFixed(2)} s, ${result.cli.folder.imagesPerSecond} img/s (median of 3).`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(out, "classify-bench.md"), md);
  const measurements: Measurement[] = [summarise("classify.one-image", "xray classify, one image, whole process", oneMs), summarise("classify.folder", `xray classify, ${count} images`, allMs)];
  const ratios: Ratio[] = [];
  for (const b of BATCHES) {
    const ort = summarise(`ort.small.batch${b}`, `ONNX Runtime, small model, batch ${b} (ms per run)`, [ortSmall[b].msPerRun]);
    const pt = summarise(`torch.small.batch${b}`, `PyTorch, small model, batch ${b} (ms per run)`, [torchSmall.batches[b].msPerRun]);
    measurements.push(ort, pt);
    ratios.push(ratio(`ort/torch.small.batch${b}`, ort, pt));
  }
  return finishBench("classify-bench", { ...args, json: args.json ?? path.join(ROOT, "bench", "results", `classify-bench.schema${args.quick ? ".quick" : ""}.json`) }, { measurements, ratios, versions: { onnxruntime: result.onnxruntime, torch: String(result.torch) } });
  process.stdout.write(md);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
