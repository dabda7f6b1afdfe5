import { ChainUnreachableError, RpcError } from "../../errors";
import type { Provider } from "./provider";

export interface HttpProviderOptions {
  /** Milliseconds before a request is abandoned. */
  timeoutMs?: number;
  kind?: Provider["kind"];
  description?: string;
}

/**
 * A JSON-RPC 2.0 client over HTTP using Node's fetch: any Ethereum node (geth, Ganache,
 * Anvil, a hosted endpoint) or `xray node`.
 */
export function httpProvider(url: string, options: HttpProviderOptions = {}): Provider {
  const { timeoutMs = 30_000, kind = "rpc", description = url } = options;
  let nextId = 1;
  return {
    kind,
    description,
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        const why = cause?.code ?? (err as Error).name;
        throw new ChainUnreachableError(url, { cause: err, details: why });
      }
      if (!response.ok) throw new ChainUnreachableError(url, { details: `HTTP ${response.status}` });
      const body = (await response.json()) as { result?: T; error?: { code: number; message: string; data?: unknown } };
      if (body.error) throw new RpcError(body.error.message, body.error.code, body.error.data);
      return body.result as T;
    },
    async close() {},
  };
}
