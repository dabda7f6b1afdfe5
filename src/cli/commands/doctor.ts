import { runDoctor } from "../../core/doctor";
import { UsageError } from "../../errors";
import type { Globals } from "../context";
import type { CommandOutput } from "../output";

/** One line per check; exit status 1 when any check found a problem. */
export async function run(g: Globals, o: { fix?: boolean }): Promise<CommandOutput> {
  if (g.rpc) throw new UsageError("xray doctor checks a home's embedded chain and files; it cannot be combined with --rpc");
  const { checks, problems } = await runDoctor(g.home, { fix: o.fix, waitMs: g.wait * 1000, idleSeconds: g.chainIdle });
  const width = Math.max(...checks.map((c) => c.check.length));
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  const counts = `${count("ok")} ok, ${count("warning")} warning(s), ${count("problem")} problem(s)`;
  return {
    json: { home: g.home, checks: checks.map((c) => ({ check: c.check, status: c.status, message: c.message, fix: c.fix ?? null })) },
    text: checks.map((c) => `${c.check.padEnd(width)}  ${c.status.padEnd(7)}  ${c.message}${c.fix ? `\n${" ".repeat(width + 11)}fix: ${c.fix}` : ""}`).join("\n"),
    summary: `${g.home}: ${counts}`,
    exitCode: problems ? 1 : 0,
  };
}
