import { parseAddress } from "../../core/chain/accounts";
import { GENDERS } from "../../core/chain/roles";
import { openRegister } from "../../core/hospital/choose";
import { createPatients, type CreatePatientsResult } from "../../core/hospital/create";
import { checkDisclosure, disclose, parseField } from "../../core/hospital/disclosure";
import { checkPatient, parsePatientsCsv, type PatientInput } from "../../core/hospital/input";
import type { PatientRegister, PatientRow } from "../../core/hospital/register";
import { hospitalContext, type HospitalContext } from "../../core/hospital/registry";
import { findPatient, selectPatient } from "../../core/hospital/select";
import { readInput } from "../../core/in-file";
import { parseIndex } from "../../core/validate";
import { UsageError } from "../../errors";
import { groupDigits } from "../../core/text";
import { chainWait, senderFor, withChain, type Globals } from "../context";
import { table, type CommandOutput } from "../output";
import { progressBar } from "../progress";

/** Opens the hospital and its register, runs `work`, closes both. */
function withRegister<T>(g: Globals, work: (ctx: HospitalContext, reg: PatientRegister) => Promise<T>): Promise<T> {
  return withChain(g, async (chain) => {
    const ctx = hospitalContext(chain);
    const reg = await openRegister(chain, ctx.deployment.hospital.registry, chainWait(g));
    try {
      return await work(ctx, reg);
    } finally {
      reg.close();
    }
  });
}

const PUBLIC_WARNING = "--public-profile: the name, age, gender and blood type go on chain in the clear, readable by everyone who can read the chain (demonstrations only)";

function createdOutput(r: CreatePatientsResult, extra: { warning?: string; text: string }): CommandOutput {
  const gas = r.txs.reduce((a, t) => a + t.gasUsed, 0);
  return {
    json: {
      created: r.created.map(rowJson), skipped: r.skipped, recovered: r.recovered,
      txs: r.txs.map((t) => ({ hash: t.hash, block: t.block, gasUsed: t.gasUsed, from: t.from })),
      gasUsed: gas,
    },
    text: extra.text,
    details: r.txs.length ? `${r.txs.length} transaction(s), gas used ${groupDigits(gas)}${r.created.length ? ` (${groupDigits(Math.round(gas / r.created.length))} a patient)` : ""}` : undefined,
    stderr: extra.warning ? [extra.warning] : undefined,
  };
}

export async function add(g: Globals, o: PatientInput & { publicProfile?: boolean }): Promise<CommandOutput> {
  const p = checkPatient(o);
  return withRegister(g, async (ctx, reg) => {
    const from = await senderFor(g, ctx.chain, ctx.deployment, "host");
    const r = await createPatients(ctx, reg, [p], { from, publicProfile: o.publicProfile });
    const row = r.created.find((c) => c.mrn === p.mrn) ?? reg.byMrn(p.mrn)!;
    reg.transaction(() => reg.setMeta("current", String(row.n)));
    return createdOutput(r, { text: `patient #${row.n} (MRN ${row.mrn}) is ${row.contract} (now the current patient)`, warning: o.publicProfile ? PUBLIC_WARNING : undefined });
  });
}

export async function importCsv(g: Globals, file: string, o: { batch?: string; publicProfile?: boolean }): Promise<CommandOutput> {
  const patients = parsePatientsCsv(readInput(file, "CSV file").toString("utf8"), file);
  const batchSize = o.batch === undefined ? undefined : parseIndex(o.batch, "batch size");
  if (batchSize !== undefined && (batchSize < 1 || batchSize > 200)) throw new UsageError("--batch must be 1 to 200 patients a transaction");
  if (o.publicProfile) throw new UsageError("--public-profile is for `patients add` (one demonstration patient), not imports");
  return withRegister(g, async (ctx, reg) => {
    const from = await senderFor(g, ctx.chain, ctx.deployment, "host");
    let bar: ReturnType<typeof progressBar> | undefined;
    const r = await createPatients(ctx, reg, patients, {
      from, skipExisting: true, batchSize,
      onProgress: (done, total) => (bar ??= progressBar("patients", total, !g.json && !g.quiet)).update(done),
    });
    bar?.done();
    return createdOutput(r, { text: `${r.created.length} patients created, ${r.skipped} already there${r.recovered ? `, ${r.recovered} found on chain after an interrupted run` : ""}; ${reg.count()} in the register` });
  });
}

function rowJson(r: PatientRow) {
  return { n: r.n, mrn: r.mrn, key: r.key, contract: r.contract, account: r.account, status: r.status, public: Boolean(r.public), tx: r.tx, block: r.block };
}

export async function list(g: Globals, o: { after?: string; limit?: string }): Promise<CommandOutput> {
  const after = o.after === undefined ? 0 : parseIndex(o.after.replace(/^#/, ""), "patient number");
  const limit = o.limit === undefined ? -1 : parseIndex(o.limit, "limit");
  return withRegister(g, async (_ctx, reg) => {
    const rows = reg.list({ after, limit });
    const names = new Map(rows.map((r) => [r.n, reg.field(r.n, "name")?.value ?? ""]));
    return {
      json: { patients: rows.map((r) => ({ ...rowJson(r), name: names.get(r.n) })), total: reg.count() },
      text: rows.map((r) => `#${r.n}\t${r.mrn}\t${names.get(r.n)}\t${r.contract ?? "-"}${r.status === "onchain" ? "" : `\t(${r.status})`}`).join("\n"),
      summary: `${rows.length} of ${reg.count()} patients`,
    };
  });
}

function requireRow(reg: PatientRegister, selector: string): PatientRow {
  const row = findPatient(reg, selector);
  if (!row) throw new UsageError(`unknown patient "${selector}": no such medical record number, #n or contract in the register`);
  return row;
}

export async function show(g: Globals, selector: string): Promise<CommandOutput> {
  return withRegister(g, async (_ctx, reg) => {
    const row = requireRow(reg, selector);
    const fields = reg.fields(row.n);
    return {
      json: { ...rowJson(row), fields: Object.fromEntries(fields.map((f) => [f.field, f.value])), commitments: Object.fromEntries(fields.map((f) => [f.field, f.commitment])) },
      text: table([["patient", `#${row.n}`], ["mrn", row.mrn], ["contract", row.contract], ["account", row.account], ["status", row.status], ...fields.map((f) => [f.field, f.value || "-"] as [string, string]), ["profile", row.public ? "public (clear on chain)" : "committed (salted keccak256 on chain)"]]),
    };
  });
}

export async function use(g: Globals, selector: string): Promise<CommandOutput> {
  return withRegister(g, async (ctx, reg) => {
    const p = (await selectPatient(ctx, reg, selector))!;
    reg.transaction(() => reg.setMeta("current", String(p.n)));
    return { json: p, text: `current patient: #${p.n} (MRN ${p.mrn}) ${p.contract}` };
  });
}

export async function discloseCmd(g: Globals, selector: string, o: { field?: string[] }): Promise<CommandOutput> {
  const only = o.field?.map(parseField);
  return withRegister(g, async (_ctx, reg) => {
    const row = requireRow(reg, selector);
    if (!row.contract) throw new UsageError(`patient #${row.n} is not on chain yet`);
    const fields = disclose(reg.fields(row.n), only);
    return {
      json: { contract: row.contract, fields },
      text: fields.map((f) => `${f.field}\t${f.value}\t${f.salt}`).join("\n"),
      details: `check with: xray patients check-disclosure ${row.contract} <field> <value> <salt>`,
    };
  });
}

export async function checkDisclosureCmd(g: Globals, contract: string, field: string, value: string, salt: string): Promise<CommandOutput> {
  const address = parseAddress(contract);
  const f = parseField(field);
  if (f === "gender" && value) value = GENDERS.find((x) => x === value.toLowerCase()) ?? value;
  return withChain(g, async (chain) => {
    const c = await checkDisclosure(chain, address, { field: f, value, salt });
    return { json: { contract: address, ...c }, text: c.valid ? `valid: ${f} of ${address} is "${value}"` : `NOT valid: ${c.reason}`, exitCode: c.valid ? 0 : 1 };
  });
}
