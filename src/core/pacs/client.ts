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

/**
 * One HTTP request to the PACS. `accept-encoding: identity`: Node's fetch asks for gzip otherwise,
 * which makes Orthanc's downloads about 10 times slower. Unreachable -> PACS_UNREACHABLE,
 * 401/403 -> PACS_UNAUTHORIZED, other errors -> PACS_ERROR, each one line.
 */
export async function pacsRequest(t: PacsTarget, route: string, init: { method?: string; body?: Uint8Array; contentType?: string; accept?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  if (t.authorization) headers.authorization = t.authorization;
  if (init.contentType) headers["content-type"] = init.contentType;
  if (init.accept) headers.accept = init.accept;
  let r: Response;
  try {
    r = await fetch(t.url + route, { method: init.method ?? "GET", headers, body: init.body as unknown as BodyInit | undefined });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new XrayError(`cannot reach the PACS at ${t.url}${cause ? ` (${cause})` : ""}`, "PACS_UNREACHABLE", { cause: err });
  }
  if (r.status === 401 || r.status === 403) {
    await r.body?.cancel();
    throw new XrayError(`the PACS at ${t.url} refused the credentials (HTTP ${r.status}): give --pacs-credentials-file or XRAY_PACS_USER/XRAY_PACS_PASSWORD`, "PACS_UNAUTHORIZED");
  }
  return r;
}
