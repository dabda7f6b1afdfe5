import * as fs from "node:fs";
import { UsageError, XrayError } from "../../errors";

/** Where the PACS is and how to log in: the credentials come from a file or the environment, never from arguments. */
export interface PacsTarget {
  url: string;
  /** "Basic ..." when credentials were given. */
  authorization?: string;
}

/**
 * The PACS to talk to: `--pacs <url>`, else env XRAY_PACS. Credentials: `credentialsFile` (or env
 * XRAY_PACS_CREDENTIALS_FILE) holding "user:password", else env XRAY_PACS_USER and XRAY_PACS_PASSWORD.
 * A URL with a user or password in it is refused: it would sit in the shell history and `ps`.
 */
export function pacsTarget(o: { pacs?: string; credentialsFile?: string }, env: NodeJS.ProcessEnv = process.env): PacsTarget {
  const raw = o.pacs ?? env.XRAY_PACS;
  if (!raw) throw new UsageError("which PACS? give --pacs <url> (e.g. http://127.0.0.1:8042) or env XRAY_PACS");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--pacs "${raw}" is not a URL (e.g. http://127.0.0.1:8042)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new UsageError(`--pacs must be an http or https URL, got ${u.protocol}`);
  if (u.username || u.password) throw new UsageError("do not put credentials in the PACS URL: use --pacs-credentials-file <file> or env XRAY_PACS_USER / XRAY_PACS_PASSWORD");
  const file = o.credentialsFile ?? env.XRAY_PACS_CREDENTIALS_FILE;
  let pair: string | undefined;
  if (file) {
    try {
      pair = fs.readFileSync(file, "utf8").split("\n")[0].trim();
    } catch (err) {
      throw new UsageError(`cannot read the PACS credentials file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    if (!pair.includes(":")) throw new UsageError(`${file} must hold "user:password" on its first line`);
  } else if (env.XRAY_PACS_USER) pair = `${env.XRAY_PACS_USER}:${env.XRAY_PACS_PASSWORD ?? ""}`;
  return { url: u.toString().replace(/\/+$/, ""), authorization: pair ? "Basic " + Buffer.from(pair).toString("base64") : undefined };
}

/** What pacsRequest answers: the few parts of fetch's Response the PACS code reads. */
export interface PacsResponse {
  status: number;
  ok: boolean;
  headers: import("node:http").IncomingHttpHeaders;
  /** The body as it streams in (Buffers); cancel() drops the rest. */
  body: AsyncIterable<Buffer> & { cancel(): Promise<void> };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

// One keep-alive agent per PACS: node's idle sockets do not keep the process alive (fetch's did,
// up to a second after the command ended) and node:http loads in a fraction of fetch's time.
const agents = new Map<string, import("node:http").Agent>();

/**
 * One HTTP request to the PACS, over node:http with a keep-alive agent. `accept-encoding:
 * identity`: gzip makes Orthanc's downloads about 10 times slower. Unreachable ->
 * PACS_UNREACHABLE, 401/403 -> PACS_UNAUTHORIZED (other statuses are the caller's), each one line.
 */
export async function pacsRequest(t: PacsTarget, route: string, init: { method?: string; body?: Uint8Array; contentType?: string; accept?: string } = {}): Promise<PacsResponse> {
  const url = new URL(t.url + route);
  const transport = (url.protocol === "https:" ? require("node:https") : require("node:http")) as typeof import("node:http");
  let agent = agents.get(url.origin);
  if (!agent) {
    agent = new transport.Agent({ keepAlive: true, maxSockets: 16 });
    // Orthanc announces "Keep-Alive: timeout=1", which node takes as too short to reuse a socket
    // at all: a new connection per request (curl and fetch reuse them). Kept 0.5 s instead, under
    // Orthanc's second; a socket it closed meanwhile is retried once (below).
    Object.assign(agent, {
      keepSocketAlive(socket: import("node:net").Socket) {
        socket.setKeepAlive(true, 1000);
        socket.unref();
        socket.setTimeout(500);
        return true;
      },
    });
    agents.set(url.origin, agent);
  }
  const headers: Record<string, string | number> = { "accept-encoding": "identity" };
  if (t.authorization) headers.authorization = t.authorization;
  if (init.contentType) headers["content-type"] = init.contentType;
  if (init.accept) headers.accept = init.accept;
  if (init.body) headers["content-length"] = init.body.byteLength;
  const send = (retried: boolean): Promise<import("node:http").IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = transport.request(url, { method: init.method ?? "GET", headers, agent }, resolve);
      req.on("error", (err: NodeJS.ErrnoException) => {
        // a kept-alive socket the PACS closed meanwhile: the request never reached it, send it again once
        if (!retried && req.reusedSocket && err.code === "ECONNRESET") send(true).then(resolve, reject);
        else reject(err);
      });
      req.end(init.body);
    });
  let res: import("node:http").IncomingMessage;
  try {
    res = await send(false);
  } catch (err) {
    const cause = (err as NodeJS.ErrnoException).code;
    throw new XrayError(`cannot reach the PACS at ${t.url}${cause ? ` (${cause})` : ""}`, "PACS_UNREACHABLE", { cause: err });
  }
  const status = res.statusCode ?? 0;
  const all = async () => {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const body = Object.assign(res as AsyncIterable<Buffer>, { cancel: async () => void res.destroy() });
  if (status === 401 || status === 403) {
    res.destroy();
    throw new XrayError(`the PACS at ${t.url} refused the credentials (HTTP ${status}): give --pacs-credentials-file or XRAY_PACS_USER/XRAY_PACS_PASSWORD`, "PACS_UNAUTHORIZED");
  }
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: res.headers,
    body,
    text: async () => (await all()).toString("utf8"),
    json: async () => JSON.parse((await all()).toString("utf8")),
    arrayBuffer: async () => {
      const b = await all();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
    },
  };
}
