/** The data set commands: hash, anchor, verify, dataset, bench, and classify. */
import type { Command } from "commander";
import { define, from } from "../define";

export function registerData(program: Command): void {
  define(program, "hash", from("hash"))
    .description("SHA-256 of image files and folders (recursive), on every core; sha256sum's format by default; -c checks a list")
    .argument("[paths...]", "files and folders ('-' = standard input); with --check: checksum lists (default: standard input)")
    .option("--format <format>", "text (like sha256sum) | jsonl | csv | icon (Lin et al.'s JS module)", "text")
    .option("--manifest <file>", "also write a manifest (path, size, sha256, label, mime) for verify and anchor ('-' = stdout)")
    .option("--out <file>", "write the output to this file (atomically) instead of stdout ('-' = stdout)")
    .option("--force", "replace an existing --out or --manifest file (a manifest of the same paths is replaced anyway)")
    .option("--hidden", "include files and folders whose names start with '.'")
    .option("--any-file", "hash files that are not images too (default: reported as failures)")
    .option("--threads <n>", "worker threads (default: one per core; 0 = none)")
    .option("-c, --check", "read SHA-256 lists and check them, as sha256sum -c (-q: only failures)")
    .option("--status", "with --check: print nothing, the exit status says it")
    .option("--strict", "with --check: improperly formatted lines fail the check")
    .option("--ignore-missing", "with --check: missing files are neither failures nor reported")
    .option("--warn", "with --check: warn about each improperly formatted line")
    .addHelpText(
      "after",
      `
Files that are not hashed (unreadable, empty, not an image; FIFOs, sockets, devices and
dangling links, which are never opened) are reported on stderr and counted; the others are
hashed, and the exit status is 1 if any failed. The summary goes to stderr (not with -q).
--out and --manifest never replace an existing file without --force, and write through a
FIFO or device.

Examples:
  $ xray hash chest_xray/ -q > SHA256SUMS && sha256sum -c SHA256SUMS
  $ xray hash -c SHA256SUMS --quiet
  $ cat scan.png | xray hash -
  $ xray hash chest_xray/ --manifest chest_xray.manifest.json --format jsonl
  $ xray hash chest_xray/train/NORMAL --format icon --out icon.js --force`,
    );

  define(program, "anchor", from("anchor"))
    .description("record every hash of a manifest on chain: one record per image, or --batch as one Merkle root")
    .argument("<manifest>", "written by xray hash --manifest")
    .option("--batch", "one transaction holding a Merkle root; each image's proof goes to <manifest>.proofs.json and the home's proof index")
    .option("--label <name>", "the data set's name in the batch event (default: the manifest's path)")
    .option("--part <part>", "body part stored with each record", "chest")
    .option("--window <n>", "transactions sent before waiting for a receipt", "64")
    .option("--per-tx <n>", "at most n records per transaction (1-767; default 767, fewer if a block is small)")
    .option("--patient-from <regex>", "hospital home: record each image on the patient its path names (first group, else the match, is the MRN)")
    .option("--create-patients", "with --patient-from: create the patients the register does not know (from the host)")
    .addHelpText(
      "after",
      `
Safe to interrupt and run again: hashes already on chain are skipped (per record), and a
root already anchored is not sent twice (batch); each image ends up anchored exactly once.
Record indexes go to <manifest>.anchor.json (per patient: <manifest>.patients/<n>.anchor.json).

Examples:
  $ xray hash chest_xray/ --manifest chest.json > /dev/null
  $ xray anchor chest.json
  $ xray anchor chest.json --batch --label kaggle-chest-xray --json
  $ xray anchor chest.json --patient-from '(person\\d+)_' --create-patients`,
    );

  define(program, "verify", from("verify"))
    .description("check files against the chain (records or batch proofs), or audit a folder against a manifest")
    .argument("[paths...]", "files to check on chain; with --manifest alone: the folder to audit (default: the manifest's own)")
    .option("--manifest <file>", "audit: every file read again and sorted into matched, changed, missing, moved, new")
    .option("--proofs <file>", "Merkle proofs written by xray anchor --batch (default: <manifest>.proofs.json, else the home's proof index)")
    .addHelpText(
      "after",
      `
A file is looked up as a per-image record first, then in the proof index that anchor --batch
keeps in the home ($XRAY_HOME/proofs), as ots verify finds its .ots file: no --proofs needed.
Exit status 1 when a file is not anchored or the audit finds any difference.

Examples:
  $ xray verify scan.png                         # recorded on chain, or in an anchored batch?
  $ xray verify scan.png --proofs chest.json.proofs.json
  $ xray verify --manifest chest.json            # audit, like hashdeep -a
  $ xray verify --manifest chest.json /mnt/copy/chest_xray --json`,
    );

  define(program, "dataset", from("dataset"))
    .description("write a Kaggle-shaped benchmark data set (train|test|val/NORMAL|PNEUMONIA, 5,856 JPEGs), or with --dicom a PACS-like DICOM set, from real chest X-rays")
    .argument("<out-dir>", "where to write it")
    .option("--source <dir>", "the chest X-ray folder with images/<label>/ (default: ../shared/data/cxr or env XRAY_CXR_DATA)")
    .option("--seed <n>", "same seed, same bytes", "1")
    .option("--scale <f>", "fraction of each folder's count, e.g. 0.01 for a quick set (default: 1)")
    .option("--dicom", "write DICOM instances instead: <PatientID>/study-NNNN/K.dcm and .index.csv, from --source (default: ../shared/data/cxr/originals)")
    .option("--studies <n>", "with --dicom: studies to write, 1 or 2 instances each (default: 10)")
    .option("--patients <n>", "with --dicom: patients the studies belong to (default: half the studies)")
    .option("--max-size <px>", "with --dicom: shrink images to fit in this size (default: 0 = their own size)")
    .option("--encodings <mix>", "with --dicom: mix (every transfer syntax below), uncompressed (explicit and implicit VR only) or compressed (the others) (default: mix)")
    .addHelpText(
      "after",
      `
Deterministic and resumable: images already written are kept, each new one is written
atomically. Sizes spread over about 0.3 to 3 MB. With --dicom, the instances cycle through
explicit and implicit VR little endian, RLE, JPEG-LS, JPEG 2000 and JPEG lossless (all
lossless) and JPEG baseline; 8 and 16 bits (12 stored); MONOCHROME1 and MONOCHROME2; modality
CR or DX, body part CHEST, view PA or AP, with made-up patients.

Examples:
  $ xray dataset bench/data/kaggle
  $ xray dataset bench/data/pacs --dicom --studies 500 --patients 200 --max-size 1024
  $ xray dataset /tmp/small --scale 0.01 --json`,
    );

  define(program, "bench", from("bench"))
    .description("benchmark hashing and anchoring (Lin et al. Fig. 12) beside sha256sum and truffle exec")
    .option("--data <dir>", "the Kaggle-shaped data set (default: bench/data/kaggle, written by xray dataset if missing)")
    .option("--source <dir>", "chest X-rays to make the data set from (default: ../shared/data/cxr)")
    .option("--sizes <list>", "image counts to run", "10,20,30,40,50,60,70,80,90,100")
    .option("--no-full", "skip the run over the whole data set")
    .option("--runs <n>", "runs of each hashing command (medians)", "5")
    .option("--out <dir>", "where to write anchor-bench.{md,json,svg} (default: bench/results)")
    .addHelpText("after", "\nTimings are printed, never asserted. Examples:\n  $ xray bench\n  $ xray bench --sizes 10,100 --no-full --json");

  define(program, "classify", from("classify"))
    .description("classify chest X-rays with a VGG network on ONNX Runtime: covid, normal, pneumonia, or not a chest X-ray")
    .argument("<paths...>", "images (JPEG, PNG, WebP, TIFF, DICOM) and folders (recursive)")
    .option("--model <file.onnx>", "your own model; its card <file>.json beside it, or the flags below (default: the shipped xray-vgg-cxr4)")
    .option("--labels <list>", "class names in the model's output order, comma-separated")
    .option("--size <N|WxH>", "input size, e.g. 224 (default: the card, else the model's input shape)")
    .option("--channels <1|3>", "1 = grey, 3 = RGB (default: the card, else the model's input shape)")
    .option("--mean <m|r,g,b>", "normalisation (pixel / 255 - mean) / std (default: the card, else 0)")
    .option("--std <s|r,g,b>", "normalisation (default: the card, else 1)")
    .option("--layout <NCHW|NHWC>", "tensor layout: NCHW (PyTorch) or NHWC (Keras) (default: the card, else the model's shape)")
    .option("--batch <n>", "images per inference call", "16")
    .option("--threads <n>", "ONNX Runtime threads (default: one per core)")
    .option("--threshold <p>", "abstention threshold: a top probability below it is 'uncertain' (default: the card's; 0 = never)")
    .option("--record <index>", "store the prediction with X-ray record <index> (one image, whose SHA-256 must be that record's; from a doctor)")
    .option("--allow-uncertain", "with --record: store an uncertain verdict (as 'uncertain:<top class>') instead of refusing it")
    .option("--hidden", "include files and folders whose names start with '.'")
    .addHelpText(
      "after",
      `
Research use only, not for clinical decisions. Probabilities are calibrated (the card's
temperature); below the card's threshold the verdict is 'uncertain', with the probabilities
still given, and --record refuses it unless --allow-uncertain. Files that cannot be decoded,
missing paths and empty folders are reported on stderr; the others are classified, and the
exit status is 1 if any failed. The shipped model's card (models/xray-vgg-cxr4.json) gives its
leave-one-source-out, test and calibration figures.

Examples:
  $ xray classify ../shared/data/cxr/originals
  $ xray classify scan.png --record 0 && xray profile
  $ xray classify scans/ --model vgg16.onnx --labels covid,normal,pneumonia --size 224 \\
      --channels 3 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --layout NCHW --json`,
    );
}
