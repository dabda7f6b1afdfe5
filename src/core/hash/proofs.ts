import * as fs from "node:fs";
import { UsageError } from "../../errors";
import { jsonOneItemPerLine, writeFileAtomic } from "../home";
import { manifestCompanions } from "./manifest";
import { TREE_SCHEME } from "./merkle";

/** Written beside a manifest by `xray anchor --batch`: where the root is, and each image's proof. */
export interface ProofsFile {
  format: typeof PROOFS_FORMAT;
  scheme: typeof TREE_SCHEME;
  root: string;
  count: number;
  label: string;
  chainId: number;
  /** The xr contract holding the root. */
  contract: string;
  tx?: string;
  block?: number;
  anchoredBy: string;
  anchoredAt: string;
  /** SHA-256 (hex) → sibling hashes from leaf to root. */
  proofs: Record<string, string[]>;
}

export const PROOFS_FORMAT = "xray-proofs/1";

/** `<manifest>.proofs.json`: the proofs of a manifest anchored as one batch. */
export const proofsFileFor = (manifestFile: string) => manifestCompanions(manifestFile).proofs;

export function writeProofs(file: string, proofs: ProofsFile): void {
  writeFileAtomic(file, jsonOneItemPerLine({ ...proofs }, "proofs"));
}

export function readProofs(file: string): ProofsFile {
  let p: ProofsFile;
  try {
    p = JSON.parse(fs.readFileSync(file, "utf8")) as ProofsFile;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the proofs ${file}: ${code ?? "not valid JSON"}`);
  }
  if (p?.format !== PROOFS_FORMAT || p.scheme !== TREE_SCHEME || typeof p.proofs !== "object") {
    throw new UsageError(`${file} is not an xray proofs file (written by xray anchor --batch)`);
  }
  return p;
}
