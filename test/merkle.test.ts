// The dataset tree's proofs checked by xray's own keccak (verifyDatasetProof) against
// OpenZeppelin's StandardMerkleTree.verify, the library the tree is built with and the scheme
// xr.verifyAnchored checks on chain: the same answer for good proofs and for damaged ones.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { planDataset, encodingsOf } from "../src/core/dicom/dataset";
import { TS } from "../src/core/dicom/codecs";
import { buildDatasetTree, verifyDatasetProof } from "../src/core/hash/merkle";
import * as path from "node:path";
import { cxrData } from "./helpers/cli";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("dataset Merkle proofs", () => {
  for (const n of [1, 2, 3, 7, 64]) {
    it(`${n} leaves: every proof verifies as OpenZeppelin's does; a changed leaf, sibling or root does not`, () => {
      const hashes = Array.from({ length: n }, (_, i) => sha(`leaf ${i}`));
      const tree = buildDatasetTree(hashes);
      for (const h of hashes) {
        const proof = tree.proofs.get(h)!;
        expect(verifyDatasetProof(tree.root, h, proof)).to.equal(true);
        expect(StandardMerkleTree.verify(tree.root, ["bytes32"], ["0x" + h], proof)).to.equal(true);
        const other = sha(`not a leaf ${h}`);
        expect(verifyDatasetProof(tree.root, other, proof)).to.equal(StandardMerkleTree.verify(tree.root, ["bytes32"], ["0x" + other], proof)).and.equal(false);
        if (proof.length) {
          const bad = [...proof];
          bad[0] = "0x" + sha(bad[0]);
          expect(verifyDatasetProof(tree.root, h, bad)).to.equal(false);
        }
        expect(verifyDatasetProof("0x" + sha("another root"), h, proof)).to.equal(false);
      }
    });
  }
});

describe("xray dataset --dicom --encodings", () => {
  it("uncompressed: explicit and implicit VR only; compressed: none of them; mix: every syntax", () => {
    const source = path.join(cxrData(), "originals");
    const plain = new Set<string>([TS.explicit, TS.implicit]);
    const syntaxes = (encodings: "mix" | "uncompressed" | "compressed") => new Set(planDataset({ source, studies: 20, patients: 5, encodings }).plan.map((p) => p.transferSyntax));
    expect([...syntaxes("uncompressed")].sort()).to.deep.equal([...plain].sort());
    const compressed = syntaxes("compressed");
    expect([...compressed].some((t) => plain.has(t))).to.equal(false);
    expect(compressed.size).to.equal(encodingsOf("compressed").length);
    expect(syntaxes("mix").size).to.equal(new Set(encodingsOf("mix").map((e) => e.transferSyntax)).size);
  });
});
