/** The DICOM commands: deid. */
import type { Command } from "commander";
import { define, from } from "../define";

export function registerDicom(program: Command): void {
  define(program, "deid", from("deid"))
    .description("de-identify DICOM instances (PS3.15 Basic Application Level Confidentiality Profile) into a folder")
    .argument("<paths...>", "DICOM files and folders (recursive)")
    .option("--out <folder>", "where the de-identified copies go: <new study UID>/<new SOP instance UID>.dcm")
    .option("--accept-burned-in", "also copy images whose Burned In Annotation is YES or missing (check their pixels first)")
    .option("--hidden", "include files and folders whose names start with '.'")
    .addHelpText(
      "after",
      `
Identifying attributes are removed, emptied or replaced (Annex E, Table E.1-1); private tags,
overlays and curves are removed; every instance UID is replaced by 2.25.<HMAC of the UID> with
a secret kept in the home ($XRAY_HOME/deid-secret), so a study stays a study across runs and
nothing links back without that secret. Patient ID and name become one pseudonym per patient.
Patient Identity Removed = YES and the De-identification Method (Code Sequence) are recorded.
The pixel data is copied as it is: text burned into the pixels is not removed, hence the refusal.
Resumable: copies already there are kept. Exit status 1 if any file was refused or failed.

Examples:
  $ xray deid pacs/ --out shared/
  $ xray deid scan.dcm --out shared/ --accept-burned-in --json`,
    );
}
