/** The IPFS commands: add, get, cat, export, import, gc, verify. */
import type { Command } from "commander";
import { define, from } from "../define";

export function registerIpfs(program: Command): void {
  const ipfs = program
    .command("ipfs")
    .description("the embedded IPFS block store (under --home): add, get, cat, export and import content (CIDs as Kubo gives them), gc and verify");
  define(ipfs, "add", from("ipfs", "add"))
    .description("add files (folders: every file in them, each its own CID); prints CIDs identical to `ipfs add` with Kubo's defaults")
    .argument("<paths...>", "files and folders")
    .option("--cid-version <n>", "0 (Kubo's default) or 1 (as `ipfs add --cid-version 1`: raw leaves)", "0")
    .option("-n, --only-hash", "compute the CIDs without storing anything (as `ipfs add --only-hash`)")
    .option("--kubo-format", "print Kubo's lines: added <cid> <name>")
    .addHelpText("after", `
One file prints its CID; several print "<cid>  <path>" lines; --json always lists them under
"files". A FIFO, device or dangling link is reported on stderr as xray hash reports it (never
read), counted, and makes the exit status 1. Each added root is pinned (kept by ipfs gc).

Examples:
  $ xray ipfs add scan.png
  $ xray ipfs add scan.png --cid-version 1 --json
  $ xray ipfs add chest_xray/ --kubo-format
  $ xray ipfs add chest_xray/ --only-hash > cids.txt`);
  define(ipfs, "get", from("ipfs", "get"))
    .description("write files from their CIDs; every block is checked against its CID, each file appears only when complete")
    .argument("<cids...>", "Qm... or bafy...")
    .requiredOption("--out <file>", "where to write it ('-' = stdout; with several CIDs: an existing folder, files named by CID)")
    .option("--force", "replace existing files")
    .addHelpText("after", "\nExamples:\n  $ xray ipfs get QmTY3pWhyHjoYP8GHQw7Wa8cRLjzANyuyTvPpn1SZcNF6k --out scan.jpeg\n  $ xray ipfs get Qm... Qm... --out fetched/ --json");
  define(ipfs, "cat", from("ipfs", "cat"))
    .description("write a CID's file to stdout, every block checked against its CID before its bytes are written")
    .argument("<cid>", "Qm... or bafy...")
    .addHelpText("after", "\nA damaged or missing block stops it there (exit 1), as `ipfs cat` does.\n\nExamples:\n  $ xray ipfs cat QmTY3pWhyHjoYP8GHQw7Wa8cRLjzANyuyTvPpn1SZcNF6k > scan.jpeg\n  $ xray ipfs cat QmTY3p... | sha256sum");
  define(ipfs, "export", from("ipfs", "exportCmd"))
    .description("write a CID's blocks as a CAR file that `ipfs dag import` accepts")
    .argument("<cid>", "the root")
    .requiredOption("--car <file>", "the CAR file to write ('-' = stdout)")
    .option("--force", "replace an existing file")
    .addHelpText("after", "\nExamples:\n  $ xray ipfs export QmTY3p... --car scan.car   # then on any Kubo node: ipfs dag import scan.car");
  define(ipfs, "import", from("ipfs", "importCmd"))
    .description("read a CAR file (from `ipfs dag export` or xray) into the store; prints its roots")
    .argument("<car>", "the CAR file")
    .addHelpText("after", "\nExamples:\n  $ xray ipfs import scan.car");
  define(ipfs, "gc", from("ipfs-repo", "gc"))
    .description("remove the blocks no pinned root and no CID recorded on chain reaches (what a killed upload leaves), as `ipfs repo gc`")
    .option("--dry-run", "only list what would be removed")
    .addHelpText("after", `
Roots: the pins under $XRAY_HOME/ipfs/pins (ipfs add, upload, approve write one each) and
every CID the chain records (shared images and approved copies). Embedded store only: a
Kubo node (--ipfs) has its own \`ipfs repo gc\` (exit 2 here).

Examples:
  $ xray ipfs gc --dry-run
  $ xray ipfs gc --json`);
  define(ipfs, "verify", from("ipfs-repo", "verify"))
    .description("re-hash every block of the embedded store against its CID, as `ipfs repo verify`; exit 1 naming the bad ones")
    .addHelpText("after", "\nEmbedded store only (with --ipfs: run `ipfs repo verify` on the node; exit 2 here).\n\nExamples:\n  $ xray ipfs verify\n  $ xray ipfs verify --json");
}
