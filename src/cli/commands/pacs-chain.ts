/** `xray pacs anchor` and `xray pacs verify`: the PACS's studies on their patients' records. */
import { openRegister } from "../../core/hospital/choose";
import { hospitalContext } from "../../core/hospital/registry";
import type { StudyAnchorResult } from "../../core/pacs/anchor";
import { pacsTarget } from "../../core/pacs/client";
import { pacsJson } from "../../core/pacs/orthanc";
import { verifyPacs, type StudyCheck } from "../../core/pacs/verify";
import { safeText } from "../../core/text";
import { UsageError } from "../../errors";
import { chainWait, senderFor, withChain, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { progressBar, type Progress } from "../progress";

/** A bar on stderr (a terminal only, never with --json) whose total may grow as the PACS names more studies. */
function studyBar(label: string, enabled: boolean) {
  let bar: Progress | undefined;
  let barTotal = 0;
  return {
    update(done: number, total: number) {
      if (total !== barTotal) {
        bar?.done();
        bar = progressBar(label, (barTotal = total), enabled);
      }
      bar!.update(done, "studies");
    },
    done: () => bar?.done(),
  };
}

interface PacsOptions {
  pacs?: string;
  pacsCredentialsFile?: string;
}

const STUDY_TEXT: Record<StudyAnchorResult["status"], string> = {
  anchored: "anchored",
  "already-anchored": "already anchored",
  "not-stable": "not stable yet (a later run anchors it)",
  changed: "changed while being anchored (a later run anchors it)",
  "unknown-patient": "patient not in the register (xray patients add, or --create-patients)",
  gone: "deleted from the PACS meanwhile",
};

/** `xray pacs anchor [--follow] [--create-patients]`. */
export async function anchor(g: Globals, o: PacsOptions & { follow?: boolean; createPatients?: boolean }): Promise<CommandOutput> {
  const target = pacsTarget({ pacs: o.pacs, credentialsFile: o.pacsCredentialsFile });
  await pacsJson(target, "/system"); // an unreachable PACS or refused credentials: one line, before the chain
  return withChain(g, async (chain) => {
    const ctx = hospitalContext(chain);
    const reg = await openRegister(chain, ctx.deployment.hospital.registry, chainWait(g));
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    if (o.follow) for (const s of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.once(s, onSignal);
    try {
      const [from, host] = await Promise.all([senderFor(g, chain, ctx.deployment, "doctor"), senderFor({ ...g, from: undefined }, chain, ctx.deployment, "host")]);
      const started = Date.now();
      const line = (r: StudyAnchorResult) => `${safeText(r.studyUid || "?")}  ${STUDY_TEXT[r.status]}${r.instances !== undefined ? ` (${r.instances} instances, patient #${r.patient})` : ` (Patient ID ${safeText(r.patientId)})`}`;
      // loaded here, not for `pacs verify`: anchoring brings patient creation (web3-utils) and the tree builder
      const { anchorPacs } = require("../../core/pacs/anchor") as typeof import("../../core/pacs/anchor");
      const bar = studyBar("anchoring", !g.json && !o.follow); // --follow prints a line per study instead
      const out = await anchorPacs(target, ctx, reg, {
        from, host, createPatients: o.createPatients, follow: o.follow, signal: stop.signal,
        onStudy: o.follow && !g.json ? (r) => process.stdout.write(line(r) + "\n") : undefined,
        onProgress: bar.update,
      }).finally(bar.done);
      const anchored = out.studies.filter((s) => s.status === "anchored");
      const unknown = out.studies.filter((s) => s.status === "unknown-patient");
      const instances = anchored.reduce((a, s) => a + (s.instances ?? 0), 0);
      const seconds = (Date.now() - started) / 1000;
      const gas = anchored.reduce((a, s) => a + (s.gasUsed ?? 0), 0);
      return {
        json: { pacs: target.url, anchored: anchored.length, instances, created: out.created, cursor: out.cursor, walked: out.walked, gasTotal: gas, seconds, studies: out.studies },
        text: o.follow && !g.json ? `stopped; ${anchored.length} studies anchored` : out.studies.map(line).join("\n") || "nothing new in the PACS",
        summary: `${anchored.length} studies (${instances} instances) anchored, ${out.created} patients created, ${gas} gas; ${seconds.toFixed(1)} s`,
        exitCode: unknown.length ? 1 : 0,
      };
    } finally {
      for (const s of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.removeListener(s, onSignal);
      reg.close();
    }
  });
}

const VERDICTS = ["matched", "re-encoded", "identity-changed", "image-changed", "wrong-instance", "missing", "new", "proof-invalid"] as const;

/** `xray pacs verify [<study-uid>...] [--patient P] [--all]`. */
export async function verify(g: Globals, studies: string[], o: PacsOptions & { all?: boolean }): Promise<CommandOutput> {
  if (!studies.length && !g.patient && !o.all) throw new UsageError("which studies? give Study Instance UIDs, --patient <P> or --all");
  const target = pacsTarget({ pacs: o.pacs, credentialsFile: o.pacsCredentialsFile });
  await pacsJson(target, "/system"); // an unreachable PACS or refused credentials: one line, before the chain
  return withChain(g, async (chain) => {
    const ctx = hospitalContext(chain);
    const patient = g.patient ? chain.patient?.n : undefined;
    const reg = await openRegister(chain, ctx.deployment.hospital.registry, chainWait(g));
    try {
      const started = Date.now();
      const bar = studyBar("verifying", !g.json);
      const checks = await verifyPacs(target, ctx, reg, { studies, patient, all: o.all }, (_c, done, total) => bar.update(done, total)).finally(bar.done);
      const bad = checks.filter((c) => !c.ok);
      const line = (c: StudyCheck) => {
        const head = c.ok ? "OK      " : "CHANGED ";
        const what = !c.anchored ? "not anchored: new in the PACS" : !c.onChain ? "its root is not on the patient's record" : VERDICTS.filter((v) => c.counts[v]).map((v) => `${c.counts[v]} ${v}`).join(", ") || "no instances";
        const detail = c.instances.filter((i) => i.verdict !== "matched" && i.verdict !== "re-encoded").map((i) => `  ${i.verdict.padEnd(16)} ${safeText(i.sopInstanceUid)}${i.changed.length ? ` (${i.changed.join(", ")})` : ""}${i.detail ? `: ${safeText(i.detail)}` : ""}`);
        return [`${head}${safeText(c.studyUid)}  ${what}`, ...detail].join("\n");
      };
      return {
        json: { pacs: target.url, ok: bad.length === 0, studies: checks },
        text: checks.map(line).join("\n") || "no anchored studies to verify",
        summary: `${checks.length - bad.length} of ${checks.length} studies as anchored; ${((Date.now() - started) / 1000).toFixed(1)} s`,
        exitCode: bad.length ? 1 : 0,
      };
    } finally {
      reg.close();
    }
  });
}
