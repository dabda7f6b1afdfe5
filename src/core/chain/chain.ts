import { openEmbedded, runningNode, type OpenEmbeddedOptions } from "./embedded";
import { httpProvider } from "./http";
import type { Provider } from "./provider";
import type { LocalSigner } from "./signer";

/** One patient of a hospital: its contract (a clone with the paper's xr ABI) and account. */
export interface PatientRef {
  /** The patient's number in the register (#n). */
  n: number;
  mrn: string;
  contract: string;
  account: string | null;
}

export interface ConnectOptions extends OpenEmbeddedOptions {
  /** The xray home (state folder). */
  home: string;
  /** A JSON-RPC URL; without it, the home's embedded chain. */
  rpc?: string;
  /** A key xray signs with itself, instead of the node's unlocked accounts. */
  signer?: LocalSigner;
}

/** An open connection to a chain, with what every action needs. */
export interface Chain {
  provider: Provider;
  home: string;
  /** "embedded" or the RPC URL: the key deployments are recorded under. */
  key: string;
  signer?: LocalSigner;
  /** On a hospital home, the patient per-patient actions act on (--patient, else the current one). */
  patient?: PatientRef;
  chainId(): Promise<number>;
  /** The node's accounts, then the local signer's (if not already among them). */
  accounts(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Connects to the embedded chain in `home`, or to `rpc` when given.
 * @example
 * const chain = await connectChain({ home: ".xray" });
 * try { console.log(await chain.accounts()); } finally { await chain.close(); }
 */
export async function connectChain(options: ConnectOptions): Promise<Chain> {
  // --rpc naming the home's own `xray node` is the embedded chain, with its deployment.
  const ownNode = options.rpc !== undefined && sameEndpoint(options.rpc, runningNode(options.home)?.url);
  const provider = options.rpc ? httpProvider(options.rpc) : await openEmbedded(options.home, options);
  const fetchChainId = async () => Number(BigInt(await provider.request<string>("eth_chainId")));
  // One cheap call up front, so an unreachable node is reported as such before anything else.
  let chainId = options.rpc ? await fetchChainId() : undefined;
  let accounts: string[] | undefined;
  return {
    provider,
    home: options.home,
    key: options.rpc && !ownNode ? options.rpc : "embedded",
    signer: options.signer,
    async chainId() {
      return (chainId ??= await fetchChainId());
    },
    async accounts() {
      if (!accounts) {
        const listed = await provider.request<string[]>("eth_accounts");
        const own = options.signer?.address;
        accounts = own && !listed.some((a) => a.toLowerCase() === own.toLowerCase()) ? [...listed, own] : listed;
      }
      return accounts;
    },
    close: () => provider.close(),
  };
}

function sameEndpoint(a: string, b: string | undefined): boolean {
  if (!b) return false;
  const norm = (u: string) => {
    const url = new URL(u);
    const host = url.hostname === "localhost" || url.hostname === "[::1]" ? "127.0.0.1" : url.hostname;
    return `${host}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
  };
  try {
    return norm(a) === norm(b);
  } catch {
    return false;
  }
}
