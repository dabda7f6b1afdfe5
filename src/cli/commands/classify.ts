import { UsageError, XrayError } from "../../errors";
import { DEFAULT_MODEL, loadCard, type CardOverrides } from "../../core/model/card";
import { classifyFiles, openClassifier, type Verdict } from "../../core/model/classify";
import { imageInputs } from "../../core/model/inputs";
import { parseIndex } from "../../core/validate";
import { recordPrediction, UNCERTAIN_PREFIX } from "../../core/chain/actions/predictions";
import { xrContext } from "../../core/chain/xr";
import { senderFor, withChain, type Globals } from "../context";
import { txJson, txText, type CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";
import { safeText } from "../../core/text";

interface ClassifyOptions {
  model?: string;
  labels?: string;
  size?: string;
  channels?: string;
  mean?: string;
  std?: string;
  layout?: string;
  batch?: string;
  threads?: string;
  record?: string;
  allowUncertain?: boolean;
  threshold?: string;
  hidden?: boolean;
}

export async function run(g: Globals, paths: string[], o: ClassifyOptions): Promise<CommandOutput> {
  const overrides = parseOverrides(o);
  const batch = o.batch === undefined ? undefined : positive(o.batch, "--batch", 1024);
  const threads = o.threads === undefined ? undefined : positive(o.threads, "--threads", 256);
  const recordIndex = o.record === undefined ? undefined : parseIndex(o.record, "record index");
  const { files, failed } = imageInputs(paths, { hidden: o.hidden });
  if (recordIndex !== undefined && (paths.length !== 1 || files.length !== 1)) throw new UsageError("--record stores one prediction: give exactly one image");
  if (o.allowUncertain && recordIndex === undefined) throw new UsageError("--allow-uncertain goes with --record");

  const classifier = await openClassifier(loadCard(o.model ?? DEFAULT_MODEL, overrides), { batch, threads });
  let bar: Progress | undefined;
  const started = Date.now();
  const result = await classifyFiles(classifier, files, {
    onProgress: (done, total) => (bar ??= progressBar("classifying", total, !g.json)).update(done),
  })
    .finally(() => bar?.done())
    .finally(() => classifier.close());
  const seconds = (Date.now() - started) / 1000;
  failed.push(...result.failed);

  let recorded: CommandOutput | undefined;
  if (recordIndex !== undefined && result.verdicts.length === 1) {
    const verdict = result.verdicts[0];
    if (verdict.uncertain && !o.allowUncertain) {
      throw new XrayError(
        `${safeText(verdict.file)}: the verdict is uncertain (${verdict.top} ${percent(verdict.confidence)}, below the threshold ${percent(classifier.card.threshold)}); nothing recorded (give --allow-uncertain to record it as uncertain)`,
        "VERDICT_UNCERTAIN",
      );
    }
    const label = storedLabel(verdict);
    recorded = await withChain(g, async (chain) => {
      const ctx = xrContext(chain);
      const from = await senderFor(g, chain, ctx.deployment, "doctor");
      const out = await recordPrediction(ctx, { index: recordIndex, file: verdict.file, label, confidence: verdict.confidence, model: classifier.sha256, from });
      return { json: { index: recordIndex, label, uncertain: verdict.uncertain, tx: txJson(out) }, text: `recorded on X-ray #${recordIndex}: ${verdict.uncertain ? `uncertain (${verdict.top})` : verdict.label} ${percent(verdict.confidence)}`, details: txText(out) };
    });
  }

  const card = classifier.card;
  const lines = result.verdicts.map((v) => verdictText(v, card.labels));
  const unsure = result.verdicts.filter((v) => v.uncertain).length;
  const summary = `${result.verdicts.length} classified${unsure ? ` (${unsure} uncertain)` : ""} in ${seconds.toFixed(2)} s with ${card.name}${failed.length ? `; ${failed.length} failed` : ""}`;
  return {
    json: {
      model: { file: card.model, name: card.name, sha256: classifier.sha256, card: card.source, labels: card.labels, input: card.input, temperature: card.temperature, threshold: card.threshold },
      count: result.verdicts.length,
      uncertainCount: unsure,
      failedCount: failed.length,
      seconds,
      results: result.verdicts,
      failed,
      ...(recorded ? { recorded: recorded.json } : {}),
    },
    text: [...lines, ...(recorded ? [recorded.text] : [])].join("\n"),
    details: recorded?.details,
    stderr: failed.map((f) => `${safeText(f.file)}: ${f.error}`),
    summary,
    exitCode: failed.length ? 1 : 0,
  };
}

function verdictText(v: Verdict, labels: string[]): string {
  const all = labels.map((l) => `${l} ${percent(v.probabilities[l])}`).join(", ");
  const verdict = v.uncertain
    ? `uncertain (${v.top} ${percent(v.confidence)}${v.chestXray === false ? ", not a chest X-ray?" : ""})`
    : v.chestXray === false
      ? `not a chest X-ray (${v.label} ${percent(v.confidence)})`
      : `${v.label} ${percent(v.confidence)}`;
  return `${safeText(v.file)}: ${verdict}  [${all}]`;
}

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/** What goes on chain: the label, or "uncertain:<top class>" for an uncertain verdict (see Prediction.uncertain). */
function storedLabel(v: Verdict): string {
  return v.uncertain ? `${UNCERTAIN_PREFIX}${v.top}` : v.label;
}

function parseOverrides(o: ClassifyOptions): CardOverrides {
  const out: CardOverrides = {};
  if (o.labels !== undefined) {
    out.labels = o.labels.split(",").map((l) => l.trim());
    if (out.labels.some((l) => !l)) throw new UsageError(`--labels must be names separated by commas, got "${o.labels}"`);
  }
  if (o.size !== undefined) {
    const m = /^(\d+)(?:x(\d+))?$/.exec(o.size.trim());
    if (!m) throw new UsageError(`--size must be N or WxH (e.g. 224 or 224x224), got "${o.size}"`);
    out.width = positive(m[1], "--size", 8192);
    out.height = m[2] ? positive(m[2], "--size", 8192) : out.width;
  }
  if (o.channels !== undefined) {
    if (o.channels !== "1" && o.channels !== "3") throw new UsageError(`--channels must be 1 (grey) or 3 (RGB), got "${o.channels}"`);
    out.channels = Number(o.channels) as 1 | 3;
  }
  if (o.mean !== undefined) out.mean = numbers(o.mean, "--mean");
  if (o.std !== undefined) {
    out.std = numbers(o.std, "--std");
    if (out.std.some((s) => s <= 0)) throw new UsageError(`--std must be positive, got "${o.std}"`);
  }
  if (o.threshold !== undefined) {
    const t = Number(o.threshold);
    if (!/^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(o.threshold) || !(t >= 0 && t <= 1)) throw new UsageError(`--threshold must be a probability from 0 to 1 (0: never uncertain), got "${o.threshold}"`);
    out.threshold = t;
  }
  if (o.layout !== undefined) {
    const layout = o.layout.toUpperCase();
    if (layout !== "NCHW" && layout !== "NHWC") throw new UsageError(`--layout must be NCHW or NHWC, got "${o.layout}"`);
    out.layout = layout;
  }
  return out;
}

function numbers(text: string, flag: string): number[] {
  const list = text.split(",").map((v) => Number(v.trim()));
  if (!list.length || list.length === 2 || list.length > 3 || list.some((v) => !Number.isFinite(v))) throw new UsageError(`${flag} must be one number or three separated by commas (e.g. 0.485,0.456,0.406), got "${text}"`);
  return list;
}

function positive(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got "${text}"`);
  return n;
}
