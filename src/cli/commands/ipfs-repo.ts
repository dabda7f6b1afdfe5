import { recordedCids } from "../../core/chain/actions/recorded-cids";
import { xrContext } from "../../core/chain/xr";
import { collectGarbage, pinnedRoots, verifyBlocks } from "../../core/ipfs/repo";
import { NotDeployedError } from "../../errors";
import { withChain, withIpfs, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes, progressBar } from "../progress";
import { embeddedOnly } from "./ipfs";

/** `xray ipfs gc`: removes the blocks no pin and no CID recorded on chain reaches. */
export async function gc(g: Globals, o: { dryRun?: boolean }): Promise<CommandOutput> {
  embeddedOnly(g, "gc");
  const t0 = performance.now();
  // The chain is held (its lock) while blocks are removed: no upload records a CID meanwhile.
  const r = await withChain(g, async (chain) => {
    let onChain: string[] = [];
    try {
      onChain = await recordedCids(xrContext(chain));
    } catch (err) {
      if (!(err instanceof NotDeployedError)) throw err; // no deployment: nothing can be recorded
    }
    return withIpfs(g, (store) => collectGarbage(g.home, store, { roots: [...pinnedRoots(g.home), ...onChain], dryRun: o.dryRun }));
  });
  const seconds = (performance.now() - t0) / 1000;
  const verb = r.dryRun ? "would remove" : "removed";
  return {
    json: { ...r, seconds },
    text: r.removed.map((b) => `${verb} ${b.cid}`).join("\n"),
    stderr: r.missingRoots.map((c) => `warning: ${c} is recorded or pinned but not (wholly) in the embedded store`),
    summary: `${verb} ${r.removed.length} block${r.removed.length === 1 ? "" : "s"} (${formatBytes(r.bytesFreed)}); kept ${r.kept} reachable from ${r.roots} root${r.roots === 1 ? "" : "s"}, in ${seconds.toFixed(2)} s`,
  };
}

/** `xray ipfs verify`: every block re-hashed against its CID; exit 1 naming the bad ones. */
export async function verify(g: Globals): Promise<CommandOutput> {
  embeddedOnly(g, "verify");
  const t0 = performance.now();
  let bar: ReturnType<typeof progressBar> | undefined;
  const r = await verifyBlocks(g.home, (done, total) => (bar ??= progressBar("verifying", total, !g.json && total >= 64)).update(done));
  bar?.done();
  const seconds = (performance.now() - t0) / 1000;
  return {
    json: { blocks: r.blocks, bytes: r.bytes, bad: r.bad, seconds },
    text: r.bad.map((b) => `bad ${b.cid}: ${b.error} (${b.file})`).join("\n"),
    summary: `${r.blocks} blocks, ${formatBytes(r.bytes)} checked in ${seconds.toFixed(2)} s; ${r.bad.length ? `${r.bad.length} bad` : "all good"}`,
    exitCode: r.bad.length ? 1 : 0,
  };
}
