import { ChainUnreachableError, RpcError } from "../../errors";
import type { Provider } from "./provider";

export interface HttpProviderOptions {
  /** Milliseconds before a request is abandoned. */
  timeoutMs?: number;
  description?: string;
  /** A unix socket to send the requests to (the background chain process); `url` then only names it. */
  socketPath?: string;
  /** Marks the provider as the home's embedded chain (see Provider.embedded). */
  embedded?: boolean;
}

/**
 * A JSON-RPC 2.0 client over HTTP(S): any Ethereum node (geth, Ganache, Anvil, a hosted
 * endpoint) or `xray node`. Uses node:http rather than fetch, whose loading alone costs
 * more than a local request.
 */
export function httpProvider(url: string, options: HttpProviderOptions = {}): Provider {
  const { timeoutMs = 30_000, description = url } = options;
  if (options.socketPath) return (require("./socket-rpc") as typeof import("./socket-rpc")).socketProvider(url, options.socketPath, { timeoutMs, description, embedded: options.embedded });
  const target = new URL(url);
  const transport = (target.protocol === "https:" ? require("node:https") : require("node:http")) as typeof import("node:http");
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 8 });
  // A kept-alive socket the server closed meanwhile fails with ECONNRESET as soon as it is
  // reused: the request never reached the node, so it is sent again once on a new socket
  // (Node's documented pattern, `request.reusedSocket`).
  const post = (body: string, retried = false): Promise<{ status: number; text: string }> =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = transport.request(
        target,
        { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && err.code === "ECONNRESET") post(body, true).then(resolve, reject);
        else reject(err);
      });
      req.end(body);
    });
  return rpcProvider(url, post, { description, embedded: options.embedded, close: async () => agent.destroy() });
}

/**
 * A provider sending each request through `post` (a JSON-RPC body in, the HTTP answer out):
 * a failure to get an answer is ChainUnreachableError (details: the error code), an error
 * answer is RpcError. Shared by the HTTP client and the background process's socket client.
 */
export function rpcProvider(url: string, post: (body: string) => Promise<{ status: number; text: string }>, o: { description: string; embedded?: boolean; close(): Promise<void> }): Provider {
  let nextId = 1;
  return {
    description: o.description,
    embedded: o.embedded,
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      let response: { status: number; text: string };
      try {
        response = await post(JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
      } catch (err) {
        throw new ChainUnreachableError(url, { cause: err, details: (err as NodeJS.ErrnoException).code ?? String(err) });
      }
      return rpcResult<T>(url, response);
    },
    close: o.close,
  };
}

/** The result of a JSON-RPC answer; RpcError for an error answer, ChainUnreachableError for one that is not JSON-RPC. */
export function rpcResult<T>(url: string, response: { status: number; text: string }): T {
  let body: { result?: T; error?: { code: number; message: string; data?: unknown } };
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new ChainUnreachableError(url, { details: `HTTP ${response.status}: not a JSON-RPC answer` });
  }
  if (body.error) throw new RpcError(body.error.message, body.error.code, body.error.data);
  if (response.status !== 200) throw new ChainUnreachableError(url, { details: `HTTP ${response.status}` });
  return body.result as T;
}
