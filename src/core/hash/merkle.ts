import { keccak256 } from "../chain/keccak";

/** A Merkle tree over a data set's SHA-256 hashes, as anchored by xr.anchorBatch. */
export interface DatasetTree {
  /** 0x-prefixed root. */
  root: string;
  count: number;
  /** Inclusion proof (sibling hashes, leaf to root) of each SHA-256 (64 hex digits). */
  proofs: Map<string, string[]>;
}

/** The tree scheme, named in proof files: OpenZeppelin's StandardMerkleTree with one bytes32 per leaf. */
export const TREE_SCHEME = "openzeppelin-standard-merkle-tree/bytes32";
const LEAF_ENCODING = ["bytes32"];

/**
 * Builds the tree of distinct hashes. Leaves are sorted, so the root depends only on the set
 * of images, not on the order they were listed in; xr.verifyAnchored checks the same proofs on chain.
 */
export function buildDatasetTree(hashes: string[]): DatasetTree {
  // loaded here: @openzeppelin/merkle-tree brings @metamask/utils and semver (~70 ms of start-up)
  const { StandardMerkleTree } = require("@openzeppelin/merkle-tree") as typeof import("@openzeppelin/merkle-tree");
  // The library's own sibling walk, without StandardMerkleTree.getProof's re-hashing of the
  // leaf on every call (1.5 s of the 2 s a 5,856-image tree took).
  const { getProof } = require("@openzeppelin/merkle-tree/dist/core") as typeof import("@openzeppelin/merkle-tree/dist/core");
  const distinct = [...new Set(hashes)];
  const tree = StandardMerkleTree.of(
    distinct.map((h) => ["0x" + h]),
    LEAF_ENCODING,
  );
  const { tree: nodes, values } = tree.dump();
  const proofs = new Map<string, string[]>();
  for (const { value, treeIndex } of values) proofs.set(String(value[0]).slice(2), getProof(nodes, treeIndex));
  return { root: tree.root, count: distinct.length, proofs };
}

/**
 * True when `proof` leads from the image hash to `root`: StandardMerkleTree.verify's scheme
 * (leaf = keccak256(keccak256(abi.encode(bytes32))), each step keccak256 of the sorted pair),
 * with xray's own keccak so that verifying loads no library (test/merkle.test.ts compares them).
 */
export function verifyDatasetProof(root: string, sha256: string, proof: string[]): boolean {
  const bytes = (hex: string) => Buffer.from(hex.replace(/^0x/, ""), "hex");
  if (!/^[0-9a-f]{64}$/i.test(sha256)) return false;
  let node = Buffer.from(keccak256(keccak256(bytes(sha256))));
  for (const sibling of proof) {
    const s = bytes(sibling);
    if (s.length !== 32) return false;
    node = Buffer.from(keccak256(Buffer.compare(node, s) <= 0 ? Buffer.concat([node, s]) : Buffer.concat([s, node])));
  }
  return "0x" + node.toString("hex") === root.toLowerCase();
}
