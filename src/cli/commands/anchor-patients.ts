import { anchorByPatient } from "../../core/hospital/anchor-patients";
import { openRegister } from "../../core/hospital/choose";
import { hospitalContext } from "../../core/hospital/registry";
import type { Manifest } from "../../core/hash/manifest";
import { UsageError } from "../../errors";
import { chainWait, senderFor, withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";

/** `anchor --patient-from <regex>`: each image on the patient its path names. */
export async function run(g: Globals, manifestFile: string, manifest: Manifest, o: { patientFrom: string; createPatients?: boolean; batch?: boolean; part: string }, window: number): Promise<CommandOutput> {
  if (o.batch) throw new UsageError("--patient-from records each image on its patient: it does not go with --batch");
  let pattern: RegExp;
  try {
    pattern = new RegExp(o.patientFrom);
  } catch (err) {
    throw new UsageError(`--patient-from is not a regular expression: ${(err as Error).message}`);
  }
  return withChain(g, async (chain) => {
    const ctx = hospitalContext(chain);
    const reg = await openRegister(chain, ctx.deployment.hospital.registry, chainWait(g));
    try {
      const [from, host] = await Promise.all([senderFor(g, chain, ctx.deployment, "doctor"), senderFor({ ...g, from: undefined }, chain, ctx.deployment, "host")]);
      let bar: Progress | undefined;
      const started = Date.now();
      const out = await anchorByPatient(ctx, reg, manifestFile, manifest, {
        pattern, createPatients: o.createPatients, from, host, part: o.part, window,
        onProgress: (done, total) => (bar ??= progressBar("anchoring", total, !g.json)).update(done),
      }).finally(() => bar?.done());
      const sent = out.patients.reduce((a, p) => a + p.sent, 0);
      const already = out.patients.reduce((a, p) => a + p.alreadyAnchored, 0);
      return {
        json: { mode: "patients", file: manifestFile, images: manifest.files.length, patients: out.patients, created: out.created, sent, alreadyAnchored: already, gasTotal: out.gas.reduce((a, b) => a + b, 0), seconds: (Date.now() - started) / 1000 },
        text: `anchored ${manifest.files.length} images on ${out.patients.length} patients (${out.created} created): ${sent} recorded now, ${already} already on chain`,
        summary: `${((Date.now() - started) / 1000).toFixed(2)} s`,
      };
    } finally {
      reg.close();
    }
  });
}
