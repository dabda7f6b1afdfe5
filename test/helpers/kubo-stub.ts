/**
 * STAND-IN, NOT KUBO. No Kubo binary can be installed on this machine (only the npm registry
 * and Debian are reachable, and neither ships one), so the `--ipfs <url>` tests talk to this
 * small HTTP server instead. It answers the four Kubo RPC API calls xray makes through
 * kubo-rpc-client (block/put, block/get, block/stat, pin/add) the way Kubo documents them,
 * keeps blocks in memory by multihash, and hashes what it is given itself. It proves the
 * client side (requests, multipart bodies, errors, pins), never Kubo's behaviour.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface KuboStub {
  url: string;
  /** Blocks by their sha2-256 digest (hex). */
  blocks: Map<string, Buffer>;
  pins: Set<string>;
  calls: string[];
  close(): Promise<void>;
}

function multipartBody(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) throw new Error("no multipart boundary");
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf("\r\n\r\n", start);
  const end = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headersEnd);
  return body.subarray(headersEnd + 4, end);
}

export async function startKuboStub(): Promise<KuboStub> {
  const { CID } = await import("multiformats/cid");
  const { create: createDigest } = await import("multiformats/hashes/digest");
  const blocks = new Map<string, Buffer>();
  const pins = new Set<string>();
  const calls: string[] = [];
  const kuboError = (res: http.ServerResponse, message: string) => {
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ Message: message, Code: 0, Type: "error" }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://stub");
      const call = url.pathname.replace("/api/v0/", "");
      calls.push(call);
      try {
        if (call === "block/put") {
          const data = multipartBody(Buffer.concat(chunks), String(req.headers["content-type"]));
          const digest = createHash("sha256").update(data).digest();
          blocks.set(digest.toString("hex"), data);
          const codec = url.searchParams.get("cid-codec") === "dag-pb" || url.searchParams.get("format") === "v0" ? 0x70 : 0x55;
          const mh = createDigest(0x12, digest);
          const cid = url.searchParams.get("format") === "v0" ? CID.createV0(mh as never) : CID.createV1(codec, mh);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ Key: cid.toString(), Size: data.length }));
          return;
        }
        const arg = url.searchParams.get("arg");
        const cid = arg ? CID.parse(arg) : undefined;
        const key = cid ? Buffer.from(cid.multihash.digest).toString("hex") : "";
        if (call === "block/get" || call === "block/stat") {
          const data = blocks.get(key);
          if (!data) return kuboError(res, `block was not found locally (offline): ipld: could not find ${arg}`);
          if (call === "block/get") {
            res.writeHead(200, { "content-type": "application/octet-stream" });
            res.end(data);
          } else {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ Key: arg, Size: data.length }));
          }
          return;
        }
        if (call === "pin/add") {
          pins.add(String(arg));
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ Pins: [arg] }));
          return;
        }
        kuboError(res, `the stand-in does not implement ${call}`);
      } catch (err) {
        kuboError(res, (err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    blocks,
    pins,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
