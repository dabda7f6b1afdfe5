import { connectChain } from "../../src/core/chain/chain";

/** The home's current block number (opens the chain as any command does). */
export async function blockNumber(home: string): Promise<number> {
  const chain = await connectChain({ home });
  try {
    return Number(BigInt(await chain.provider.request<string>("eth_blockNumber")));
  } finally {
    await chain.close();
  }
}
