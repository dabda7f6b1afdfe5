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

/**
 * Where any of `clear` (UTF-8) appears in the calldata, event data or topics of the home's
 * transactions: "<value> in <tx hash>" each; and how many transactions were scanned.
 */
export async function clearValuesOnChain(home: string, clear: string[]): Promise<{ found: string[]; transactions: number }> {
  const needles = clear.map((v) => Buffer.from(v, "utf8"));
  const chain = await connectChain({ home });
  try {
    const latest = Number(BigInt(await chain.provider.request<string>("eth_blockNumber")));
    const found: string[] = [];
    let transactions = 0;
    for (let b = 0; b <= latest; b++) {
      const block = await chain.provider.request<{ transactions: { hash: string; input: string }[] }>("eth_getBlockByNumber", ["0x" + b.toString(16), true]);
      for (const t of block.transactions) {
        const receipt = await chain.provider.request<{ logs: { data: string; topics: string[] }[] }>("eth_getTransactionReceipt", [t.hash]);
        for (const hex of [t.input, ...receipt.logs.flatMap((l) => [l.data, ...l.topics])]) {
          const bytes = Buffer.from(hex.slice(2), "hex");
          for (const [i, n] of needles.entries()) if (bytes.includes(n)) found.push(`"${clear[i]}" in ${t.hash}`);
        }
        transactions++;
      }
    }
    return { found, transactions };
  } finally {
    await chain.close();
  }
}
