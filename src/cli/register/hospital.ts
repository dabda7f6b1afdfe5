/** The hospital commands: the registry (hospital init) and the patient register (patients ...). */
import type { Command } from "commander";
import { define, from } from "../define";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerHospital(program: Command): void {
  const hospital = program.command("hospital").description("a hospital: one registry of patients, roles granted once for all of them");
  define(hospital, "init", from("hospital", "init"))
    .description("deploy the hospital registry (patients are EIP-1167 clones of xr), grant the host hospital-wide, create the register")
    .option("--host <account>", "hospital account, granted the host role on every patient (default: 1)")
    .option("--host-name <name>", "the host's name (default: Host)")
    .addHelpText("after", "\nThe home keeps the patient register (SQLite, under hospital/): medical record numbers, clear\nvalues and salts, and the hospital secret. Back it up.\n\nExamples:\n  $ xray hospital init\n  $ xray hospital init --host 1 --host-name 'NTU Hospital' --json");

  const patients = program.command("patients").description("the hospital's patients: add, import, list, show, disclose");
  define(patients, "add", from("patients", "add"))
    .description("create a patient (from a host): a clone on chain with salted commitments, the clear values in the register")
    .requiredOption("--mrn <id>", "medical record number (never on chain)")
    .requiredOption("--name <name>", "patient's name")
    .option("--birthday <YYYYMMDD>", "birthday")
    .option("--contact <text>", "contact")
    .option("--age <years>", "age")
    .option("--gender <gender>", "male|female|other or 0-2")
    .option("--blood-type <type>", "A|B|AB|O or 0-3")
    .option("--account <address>", "the patient's own account (approves access to the images)")
    .option("--public-profile", "put name, age, gender, blood type on chain in the clear, as the paper does (demonstrations only)")
    .addHelpText("after", "\nThe new patient becomes the current one (what --patient defaults to).\n\nExamples:\n  $ xray patients add --mrn MRN-0001 --name Ken --birthday 19970522 --gender male --blood-type B\n  $ xray patients add --mrn DEMO-1 --name Ken --age 25 --public-profile --json");
  define(patients, "import", from("patients", "importCsv"))
    .description("create many patients from a CSV (header: mrn,name[,birthday,contact,age,gender,blood_type,account]), batched")
    .argument("<file.csv>", "the patients, one a line")
    .option("--batch <n>", "patients a transaction (default 50)")
    .addHelpText("after", "\nResumable: after an interruption (kill -9 included), run it again; patients already created are skipped,\nnone is created twice.\n\nExamples:\n  $ xray patients import patients.csv\n  $ xray patients import patients.csv --batch 100 --json");
  define(patients, "list", from("patients", "list"))
    .description("list the register's patients: #n, MRN, name, contract")
    .option("--after <n>", "start after patient #n")
    .option("--limit <n>", "at most this many");
  define(patients, "show", from("patients", "show"))
    .description("one patient from the register: clear values, contract, status")
    .argument("<patient>", "medical record number, #n, or contract address");
  define(patients, "use", from("patients", "use"))
    .description("make a patient the current one (what --patient defaults to)")
    .argument("<patient>", "medical record number, #n, or contract address");
  define(patients, "disclose", from("patients", "discloseCmd"))
    .description("print fields' values and salts, for a third party to check against the chain")
    .argument("<patient>", "medical record number, #n, or contract address")
    .option("--field <field>", "only this field (repeatable): name, birthday, contact, age, gender, bloodType", collect)
    .addHelpText("after", "\nExamples:\n  $ xray patients disclose MRN-0001 --field name\n  $ xray patients disclose '#1' --json");
  define(patients, "check-disclosure", from("patients", "checkDisclosureCmd"))
    .description("check a disclosed value and salt against a patient contract's commitment (exit 1 when it does not match)")
    .argument("<contract>", "the patient's contract address")
    .argument("<field>", "name, birthday, contact, age, gender, bloodType")
    .argument("<value>", "the disclosed value")
    .argument("<salt>", "the disclosed salt, 0x + 64 hex digits");
}
