/** The key and sharing commands (PCIM): keys, upload, download, the access protocol, events, stego, authenticate. */
import type { Command } from "commander";
import { define, from, PASSPHRASE_HELP } from "../define";

export function registerSharing(program: Command): void {
  const keys = program.command("keys").description("OpenPGP keys in the xray home: generate, list, export, import (private keys always passphrase-locked)");
  define(keys, "generate", from("keys", "generate"))
    .description("make a key pair (Ed25519 + Curve25519), the private key locked with a passphrase")
    .requiredOption("--name <name>", "the owner's name (the key's user ID)")
    .option("--email <email>", "the owner's e-mail, in the user ID")
    .option("--account <account>", "bind the key to this account (address, index, role name): upload --to <account> finds it")
    .addHelpText("after", `${PASSPHRASE_HELP}

Examples:
  $ xray keys generate --name Ken --account patient
  $ XRAY_PASSPHRASE_FILE=~/.ken-pass xray keys generate --name Ken --account 3 --json`);
  define(keys, "list", from("keys", "list")).description("list the keyring: fingerprint, public/private, account, created, user ID");
  define(keys, "export", from("keys", "exportKey"))
    .description("print a public key (armored) to give to others; --private exports the locked private key")
    .argument("<key>", "fingerprint, key ID, name, or bound account address")
    .option("--private", "the private key (still locked with its passphrase)")
    .option("--out <file>", "write it to this file (atomically; '-' = stdout) instead of stdout")
    .option("--force", "replace --out if it exists")
    .addHelpText("after", "\nExamples:\n  $ xray keys export Ken > ken.asc\n  $ xray keys export 0x8bE9...2a1 --out ken.asc");
  define(keys, "import", from("keys", "importKey"))
    .description("add a public or private key (armored or binary) to the keyring; an unlocked private key is locked first")
    .argument("<file>", "the key file ('-' = stdin)")
    .option("--account <account>", "bind the key to this account")
    .addHelpText("after", "\nExamples:\n  $ xray keys import ken.asc --account patient   # the radiologist learns the patient's key");

  define(program, "upload", from("share", "upload"))
    .description("encrypt an image for a patient's key (signed by the sender's), add it to IPFS, record CID + SHA-256 on chain")
    .argument("<images...>", "the image file(s): several are shared one by one in one command, each its own share")
    .requiredOption("--to <patient>", "the receiver: an account with a key in the keyring, or a key (file, fingerprint, name)")
    .option("--part <part>", "body part, in the description", "chest")
    .option("--modality <name>", "imaging modality, in the description", "X-ray")
    .option("--description <text>", "free text appended to the description")
    .option("--sign-key <key>", "sign with this private key (default: the key bound to the sending account)")
    .option("--cid-version <n>", "0 (Kubo's default) or 1", "0")
    .option("--embed", "first hide the ledger's patient data and the description in the pixels (LSB; uploaded as PNG, or for DICOM as a derived instance), for xray authenticate")
    .option("--again", "share even if the same image (SHA-256) is already shared with this receiver")
    .option("--deidentify", "DICOM: share only the de-identified copy (PS3.15 Basic Profile, as xray deid); the mapping stays in the home")
    .option("--accept-burned-in", "with --deidentify: share an instance whose Burned In Annotation is YES or missing")
    .addHelpText("after", `
Sent from --from (default: the doctor). The description, CID, SHA-256, sender and receiver
are recorded in an ImageShared event (PCIM's "create"); the image itself only on IPFS, encrypted.
Streams: memory stays bounded whatever the image's size. An image already shared with the
same receiver is refused (exit 1, naming the share) unless --again. The result line is the
CID (-q prints it alone); the details follow it.
DICOM: the instance is shared as it is (its file SHA-256 on chain; the JSON adds its content
and identity digests); --deidentify shares only its de-identified copy; --embed shares a
derived instance (new SOP Instance UID) and also anchors the source's and the derived
instance's digests as X-ray records. See docs/dicom-sharing.md.
Several files: each its own share, in one process; a file already shared with the receiver is
skipped (a rerun shares only what is left); one line per share, a failed file exits 1.
${PASSPHRASE_HELP}

Examples:
  $ xray upload scan.png --to patient --part chest
  $ xray upload scan.png --to ken.asc --description "PA view" --json
  $ cid=$(xray upload scan.png --to patient -q)
  $ xray upload scan.png --to patient --embed && xray authenticate '#0' --from patient
  $ xray upload study/1.dcm --to patient --deidentify --json`);
  define(program, "download", from("share", "download"))
    .description("fetch an encrypted image, check every block, decrypt it, check its SHA-256 against the chain, write it")
    .argument("<cid-or-record...>", "the CID, or a shared image's number (#0, #1, ... as xray events lists them); several: --out is a folder")
    .requiredOption("--out <file>", "where to write the image (only once it is verified); '-' = stdout; a folder for several (each <folder>/<CID>)")
    .option("--force", "replace an existing file")
    .addHelpText("after", `
Fails, writing nothing, when a block is missing or damaged, the key or passphrase is wrong,
the ciphertext is truncated, the signature or the image does not match, or (for a copy
approved for a requester) the patient revoked the access. Streams: the image is decrypted
into a temporary file (for stdout, a device or a FIFO: a private file in the home), which
reaches --out only once verified. An existing file is replaced only with --force.
Several images: one process; each written as <folder>/<CID> once verified; one already there
is skipped (--force replaces it); a failed image exits 1 after the others.
${PASSPHRASE_HELP}

Examples:
  $ xray download QmXg9Pp2ytZ14xgmQjYEiHjVjMFXzCVVEcRTWJBmLgR39V --out scan.png --from patient
  $ xray download '#0' --out scan.png --json
  $ xray download '#0' --out - --from patient | sha256sum`);

  define(program, "request-access", from("access", "request"))
    .description("ask the patient for access to their images, with your public key and notes")
    .argument("<patient>", "the contract's patient: address, index or 'patient'")
    .option("--key <key>", "your public key: a file or keyring key (default: the key bound to --from)")
    .option("--notes <text>", "why you ask", "")
    .addHelpText("after", "\nExamples:\n  $ xray request-access patient --from 4 --notes 'second opinion, Dr. Kim'\n  $ xray request-access 0x5AEDA56215b167893e80B4fE645BA6d5Bab767DE --from 4 --key kim.asc --json");
  define(program, "approve", from("access", "approve"))
    .description("as the patient: re-encrypt your images for a requester's key, add them to IPFS, record the new CIDs")
    .argument("<requester>", "address or index")
    .option("--image <cid-or-number...>", "only these images (default: every image shared with you)")
    .option("--cid-version <n>", "0 or 1, for the copies", "0")
    .addHelpText("after", `${PASSPHRASE_HELP}

Examples:
  $ xray approve 4 --from patient
  $ xray approve 0xAbc... --image '#0' --json`);
  define(program, "deny", from("access", "deny"))
    .description("as the patient: deny a pending request, with a reason")
    .argument("<requester>", "address or index")
    .requiredOption("--reason <text>", "why (recorded on chain)")
    .addHelpText("after", "\nExamples:\n  $ xray deny 4 --reason 'no treatment relationship'");
  define(program, "trace", from("access", "trace"))
    .description("is a requester authorised? recorded on chain as authorization success or failure; exit 1 when not")
    .argument("<requester>", "address or index")
    .option("--no-record", "only read the state (no transaction, no event)")
    .addHelpText("after", "\nExamples:\n  $ xray trace 4 && xray download '#0' --out scan.png --from 4\n  $ xray trace 4 --no-record --json");
  define(program, "revoke", from("access", "revoke"))
    .description("as the patient: revoke an approved requester's access")
    .argument("<requester>", "address or index")
    .addHelpText("after", "\nExamples:\n  $ xray revoke 4");
  define(program, "events", from("access", "events"))
    .description("the audit trail: shared images, requests, approvals, denials, traces, revocations (oldest first)")
    .option("--kind <list>", `comma-separated: shared,requested,approved,denied,traced,revoked,permission,permission-removed,record,batch,profile,birthday,contact,prediction`)
    .option("--all", "every kind of event the contract emits")
    .option("--account <account>", "only events naming this account")
    .addHelpText("after", "\nExamples:\n  $ xray events\n  $ xray events --account 4 --kind requested,approved,revoked --json");

  const stego = program
    .command("stego")
    .description("hide text in an image's least significant bits (lossless PNG), and read it back");
  define(stego, "embed", from("stego", "embed"))
    .description("hide a text (patient data) in the image, one bit per sample: each pixel changes by at most one level")
    .argument("<image>", "PNG, JPEG (converted, with a warning), TIFF, WebP; grey, RGB, 8 or 16 bits; or a grey DICOM instance")
    .option("--text <info>", "the text to hide")
    .option("--text-file <file>", "hide this file's text instead")
    .requiredOption("--out <file.png>", "the image with the hidden text: always a lossless PNG; for DICOM a .dcm, a new derived instance ('-' = stdout)")
    .option("--force", "replace --out if it exists")
    .option("--encrypt-to <key>", "encrypt the text first (OpenPGP) for an account's key or a key (file, fingerprint, name)")
    .addHelpText(
      "after",
      `
The text is framed (magic, version, length) and checksummed: extract tells a missing or
damaged payload from a good one. The capacity is one bit per sample, minus 18 bytes of frame.
Saving the PNG as JPEG destroys the hidden text. A DICOM instance is never changed: the output
is a new instance (new SOP Instance UID, Image Type DERIVED\\SECONDARY, the source in Source
Image Sequence), uncompressed (docs/dicom-sharing.md).

Examples:
  $ xray stego embed scan.jpeg --text "Ken, 25, male, A" --out scan.png
  $ xray stego embed scan.png --text-file patient.json --encrypt-to patient --out scan-hidden.png --json
  $ xray stego embed study/1.dcm --text "Ken, 25, male, A" --out derived.dcm`,
    );
  define(stego, "extract", from("stego", "extract"))
    .description("read the text hidden by stego embed (decrypted with the keyring if it was encrypted)")
    .argument("<image>", "the PNG or DICOM instance stego embed wrote")
    .option("--out <file>", "write the hidden bytes to this file instead of stdout")
    .option("--force", "replace --out if it exists")
    .addHelpText("after", `${PASSPHRASE_HELP}\n\nExamples:\n  $ xray stego extract scan.png\n  $ xray stego extract scan.png --json`);

  define(program, "authenticate", from("stego", "authenticate"))
    .description("is this image authentic? (1) its SHA-256 against the chain (a CID: every block against IPFS), (2) its hidden patient data against the ledger")
    .argument("<image-or-cid>", "an image file, a CID, or a shared image number (#0, #1, ...)")
    .addHelpText(
      "after",
      `
Both checks are reported, each with its reason; the exit status is 1 unless both pass
(Jabarulla et al.: otherwise "any further processing of the transaction is not allowed").
A CID is fetched, checked block by block and decrypted with the keyring, as download does.
A DICOM instance whose file SHA-256 is not on the ledger passes case 1 when its content and
identity digests both are (re-encoded by a PACS; upload --embed anchors them): docs/dicom-sharing.md.
${PASSPHRASE_HELP}

Examples:
  $ xray authenticate scan.png
  $ xray authenticate '#0' --from patient --json`,
    );
}
