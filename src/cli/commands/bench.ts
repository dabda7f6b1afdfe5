import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";
import { defaultSource } from "./dataset";

interface BenchOptions {
  data?: string;
  source?: string;
  sizes: string;
  full: boolean;
  runs: string;
  out?: string;
}

export async function run(g: Globals, o: BenchOptions): Promise<CommandOutput> {
  const sizes = o.sizes.split(",").map(Number);
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) throw new UsageError(`--sizes must be whole numbers like 10,20,100, got "${o.sizes}"`);
  const runs = Number(o.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a whole number of at least 1, got "${o.runs}"`);
  // The benchmark lives in bench/ beside the tests: loaded only by this command.
  const { runAnchorBench } = require("../../../bench/anchor-bench.js") as typeof import("../../../bench/anchor-bench");
  const r = await runAnchorBench({
    data: o.data,
    source: o.source ?? defaultSource(),
    sizes,
    full: o.full,
    runs,
    out: o.out,
    log: g.json ? () => {} : (line) => process.stderr.write(line + "\n"),
  });
  return { json: { ...r.result, files: r.files }, text: r.markdown, details: `written: ${r.files.join(", ")}` };
}
