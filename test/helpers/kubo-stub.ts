/**
 * STAND-IN, NOT KUBO. The evidence for `--ipfs` is a real node, js-ipfs
 * (test/helpers/ipfs-node.ts, test/ipfs-node.test.ts); this small HTTP server stays only for
 * the faults a real node will not produce on demand (`faults` below): answering block/put
 * with another CID than the block's (what js-ipfs did when it ignored `cid-codec`), and
 * refusing a put (a full disk). It answers the four Kubo RPC calls xray makes (block/put,
 * block/get, block/stat, pin/add) the way Kubo documents them, reading block/put's codec from
 * `format` as Kubo does, and keeps blocks in memory by multihash.
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
  /** Faults to answer with, switched on and off by a test. */
  faults: { wrongCodec?: boolean; refusePut?: boolean };
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
  const faults: KuboStub["faults"] = {};
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
          if (faults.refusePut) return kuboError(res, "put block: write /repo/blocks: no space left on device");
          const data = multipartBody(Buffer.concat(chunks), String(req.headers["content-type"]));
          const digest = createHash("sha256").update(data).digest();
          blocks.set(digest.toString("hex"), data);
          // Kubo: the legacy `format` (v0 | dag-pb | protobuf | raw) wins; else `cid-codec`, default raw.
          const format = url.searchParams.get("format");
          const name = format ? (format === "v0" || format === "protobuf" ? "dag-pb" : format) : (url.searchParams.get("cid-codec") ?? "raw");
          const codec = faults.wrongCodec ? (name === "raw" ? 0x70 : 0x55) : name === "dag-pb" ? 0x70 : 0x55;
          const mh = createDigest(0x12, digest);
          const cid = format === "v0" && !faults.wrongCodec ? CID.createV0(mh as never) : CID.createV1(codec, mh);
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
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
