/** The DICOM commands: deid, pacs push. */
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

  const pacs = program.command("pacs").description("a PACS (Orthanc) given by --pacs <url> or env XRAY_PACS");
  define(pacs, "push", from("pacs", "push"))
    .description("store DICOM instances in the PACS (Orthanc's REST API)")
    .argument("<paths...>", "DICOM files and folders (recursive)")
    .option("--pacs <url>", "the Orthanc, e.g. http://127.0.0.1:8042 (default: env XRAY_PACS)")
    .option("--pacs-credentials-file <file>", 'a file holding "user:password" (default: env XRAY_PACS_CREDENTIALS_FILE, else XRAY_PACS_USER and XRAY_PACS_PASSWORD)')
    .option("--hidden", "include files and folders whose names start with '.'")
    .addHelpText(
      "after",
      `
Credentials never go on the command line (nor in the URL). An instance the PACS already holds
is counted, not sent twice. Files that are not DICOM, or that the PACS refuses, are reported
on stderr and the others stored (exit 1); an unreachable PACS or refused credentials stop the
run (exit 1, one line).

Examples:
  $ XRAY_PACS=http://127.0.0.1:8042 xray pacs push pacs/
  $ xray pacs push scan.dcm --pacs http://127.0.0.1:8042 --pacs-credentials-file ~/.orthanc --json`,
    );

  const where = (c: Command) =>
    c
      .option("--pacs <url>", "the Orthanc, e.g. http://127.0.0.1:8042 (default: env XRAY_PACS)")
      .option("--pacs-credentials-file <file>", 'a file holding "user:password" (default: env XRAY_PACS_CREDENTIALS_FILE, else XRAY_PACS_USER and XRAY_PACS_PASSWORD)');
  where(define(pacs, "anchor", from("pacs-chain", "anchor")))
    .description("anchor every stable study of the PACS as one Merkle root on its patient's record")
    .option("--follow", "keep watching Orthanc's changes feed until SIGTERM or Ctrl-C")
    .option("--create-patients", "register patients the hospital does not know yet (DICOM Patient ID as MRN)")
    .addHelpText(
      "after",
      `
Needs a hospital home (xray hospital init). The DICOM Patient ID is the patient's MRN in the
register; a study of an unknown patient is left out (exit 1) unless --create-patients. Each
instance's digests (docs/dicom-digests.md) and Merkle proof are kept in the register, keyed by
SOP Instance UID; the first run walks every study, later runs read Orthanc's changes from a
cursor kept in the register. Resumable after kill -9: every study is anchored exactly once.
A progress bar on a terminal (stderr; not with --json or --follow).

Examples:
  $ xray pacs anchor --pacs http://127.0.0.1:8042 --create-patients
  $ XRAY_PACS=http://127.0.0.1:8042 xray pacs anchor --follow`,
    );
  where(define(pacs, "verify", from("pacs-chain", "verify")))
    .description("retrieve anchored studies from the PACS and check every instance against its proof and the chain")
    .argument("[study-uids...]", "Study Instance UIDs")
    .option("--all", "every anchored study, and the studies of the PACS never anchored")
    .addHelpText(
      "after",
      `
Per study: matched, re-encoded (same image and identity, other bytes), identity-changed (naming
the attributes), image-changed, wrong-instance (the PACS answered with another instance), missing
from the PACS, new in the PACS (not anchored). Exit status 1 on any difference. A bar on a
terminal (stderr, never with --json). --patient <P> (a global option) verifies that patient's studies.

Examples:
  $ xray pacs verify --all --pacs http://127.0.0.1:8042
  $ xray pacs verify 1.2.826.0.1.3680043.8.498.1 --json`,
    );
}
