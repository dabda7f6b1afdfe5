/**
 * A Kubo node as xray's block store, through its RPC API (`kubo-rpc-client`): blocks are cut
 * and hashed here exactly as on the embedded store, put to the node with `block/put`, read
 * back with `block/get` (and checked against their CIDs like any other block), and a file's
 * root is pinned so the node's garbage collector keeps it.
 *
 * Tested against a real node, js-ipfs (test/ipfs-node/), which serves the same API. What
 * that showed, and every call here allows for:
 * - `block/put` takes the codec in the legacy `format` (v0 | dag-pb | raw) with `version`, the
 *   pair kubo-rpc-client itself sends: Kubo reads both, js-ipfs ignores `cid-codec`, and Kubo
 *   refuses `cid-codec` beside `format`.
 * - a block the node does not have is looked for on the network with no end (js-ipfs even
 *   offline): every call carries `timeout` for the node and an abort signal of its own, since
 *   kubo-rpc-client 7's client-wide `timeout` is never applied.
 */
import type { CID } from "multiformats/cid" with { "resolution-mode": "import" };
import { IpfsError, UsageError } from "../../errors";
import type { IpfsStore } from "./store";

const DAG_PB = 0x70;

/** How long one call may take; a block the node cannot find anywhere fails after this. */
export const KUBO_TIMEOUT_MS = Number(process.env.XRAY_IPFS_TIMEOUT_MS) || 30_000;

export async function openKubo(url: string): Promise<IpfsStore> {
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--ipfs must be a Kubo RPC URL such as http://127.0.0.1:5001, got "${url}"`);
  const { create } = await import("kubo-rpc-client");
  const client = create({ url });
  // The node stops looking after `timeout`; the signal ends the wait a little later if it does not.
  const bounded = () => ({ timeout: KUBO_TIMEOUT_MS, signal: AbortSignal.timeout(KUBO_TIMEOUT_MS + 2_000) });
  const fail = (what: string, err: unknown, cid?: CID): never => {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    const refused = e.code === "ECONNREFUSED" || e.cause?.code === "ECONNREFUSED" || /fetch failed|ECONNREFUSED/.test(e.message);
    if (refused) throw new IpfsError(`cannot reach the IPFS node at ${url} (is \`ipfs daemon\` running?)`, "IPFS_UNREACHABLE", { cause: err });
    if (/not found|timeout|timed out|deadline|aborted/i.test(e.message)) throw new IpfsError(`${cid ?? what} is not on the IPFS node at ${url} (${e.message})`, "IPFS_NOT_FOUND", { cause: err });
    throw new IpfsError(`the IPFS node at ${url} failed to ${what}: ${e.message}`, "IPFS_FAILED", { cause: err });
  };
  return {
    description: `the IPFS node at ${url}`,
    async put(cid: CID, bytes: Uint8Array) {
      const format = cid.version === 0 ? "v0" : cid.code === DAG_PB ? "dag-pb" : "raw";
      const got = await client.block
        .put(bytes, { format, version: cid.version, mhtype: "sha2-256", ...bounded() } as never)
        .catch((err) => fail(`store block ${cid}`, err));
      // The node may answer in another CID version; the content (multihash) and codec must be the same.
      if (!Buffer.from(got.multihash.bytes).equals(Buffer.from(cid.multihash.bytes)) || got.code !== cid.code) {
        throw new IpfsError(`the IPFS node stored block ${cid} as ${got}: a different hash or codec`, "IPFS_FAILED");
      }
    },
    get: (cid: CID) => client.block.get(cid as never, bounded() as never).catch((err) => fail(`read ${cid}`, err, cid)),
    has: async (cid: CID) => {
      try {
        await client.block.stat(cid as never, { offline: true, ...bounded() } as never);
        return true;
      } catch {
        return false;
      }
    },
    pin: async (cid: CID) => {
      await client.pin.add(cid as never, bounded() as never).catch((err) => fail(`pin ${cid}`, err));
    },
    close: async () => {},
  };
}
