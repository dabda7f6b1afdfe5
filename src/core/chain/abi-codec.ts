/**
 * Solidity ABI encoding and decoding for the types xray's contracts use (uintN, intN,
 * address, bool, bytesN, bytes, string, arrays and tuples), with web3-eth-abi's result
 * shapes: integers as bigint, addresses checksummed, bytes as 0x hex, tuples as objects
 * keyed by index and by name. Written here because web3-eth-abi alone takes ~80 ms to load,
 * more than half an embedded command's budget.
 */
import { keccak256 } from "./keccak";
import type { AbiParameter } from "./artifacts";

type Param = Pick<AbiParameter, "type" | "components"> & { name?: string };
const WORD = 64; // hex digits in a 32-byte word

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const pad = (hex: string, right = false) => {
  const len = Math.ceil(hex.length / WORD) * WORD || WORD;
  return right ? hex.padEnd(len, "0") : hex.padStart(len, "0");
};

/** EIP-55 checksum form of a 20-byte address. */
export function toChecksum(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, "");
  const hash = hexOf(keccak256(lower));
  let out = "0x";
  for (let i = 0; i < 40; i++) out += parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  return out;
}

/** The canonical type of a parameter, tuples spelled out: "(string,bytes32)[]". */
export function canonicalType(p: Param): string {
  if (!p.type.startsWith("tuple")) return p.type;
  return `(${(p.components ?? []).map(canonicalType).join(",")})${p.type.slice(5)}`;
}

/** The first 4 bytes of keccak(signature), as 0x hex: a function or error selector. */
export const selector = (signature: string) => "0x" + hexOf(keccak256(signature).subarray(0, 4));
/** keccak(signature) as 0x hex: an event's topic 0. */
export const topicOf = (signature: string) => "0x" + hexOf(keccak256(signature));

/** For "T[]" or "T[k]": the element parameter and the fixed length (undefined = dynamic). */
function arrayOf(p: Param): { item: Param; length?: number } | undefined {
  const m = /^(.*)\[(\d*)\]$/.exec(p.type);
  if (!m) return undefined;
  return { item: { ...p, type: m[1] }, length: m[2] === "" ? undefined : Number(m[2]) };
}

function isDynamic(p: Param): boolean {
  if (p.type === "string" || p.type === "bytes") return true;
  const arr = arrayOf(p);
  if (arr) return arr.length === undefined || isDynamic(arr.item);
  if (p.type === "tuple") return (p.components ?? []).some(isDynamic);
  return false;
}

function toBytesHex(v: unknown): string {
  if (v instanceof Uint8Array) return hexOf(v);
  const s = String(v);
  if (!/^0x([0-9a-fA-F]{2})*$/.test(s)) throw new Error(`not bytes: ${s}`);
  return s.slice(2).toLowerCase();
}

function encodeOne(p: Param, v: unknown): string {
  const arr = arrayOf(p);
  if (arr) {
    const items = [...(v as unknown[])];
    if (arr.length !== undefined && items.length !== arr.length) throw new Error(`${p.type} needs ${arr.length} items, got ${items.length}`);
    const body = encodeParams(items.map(() => arr.item), items);
    return arr.length === undefined ? pad(items.length.toString(16)) + body : body;
  }
  if (p.type === "tuple") {
    const comps = p.components ?? [];
    const values = Array.isArray(v) ? v : comps.map((c, i) => (v as Record<string, unknown>)[c.name ?? String(i)]);
    return encodeParams(comps, values);
  }
  if (p.type === "string" || p.type === "bytes") {
    const hex = p.type === "string" ? Buffer.from(String(v), "utf8").toString("hex") : toBytesHex(v);
    return pad((hex.length / 2).toString(16)) + (hex.length ? pad(hex, true) : "");
  }
  if (p.type === "address") return pad(toBytesHex(v));
  if (p.type === "bool") return pad(v === true || v === "true" || v === 1 ? "1" : "0");
  if (/^bytes\d+$/.test(p.type)) return pad(toBytesHex(v), true);
  const m = /^(u?)int(\d*)$/.exec(p.type);
  if (m) {
    const n = BigInt(v as string | number | bigint);
    return pad(BigInt.asUintN(256, n).toString(16));
  }
  throw new Error(`unsupported ABI type ${p.type}`);
}

/** ABI-encodes `values` as a parameter list (head, then tails), hex without 0x. */
export function encodeParams(params: Param[], values: unknown[]): string {
  if (params.length !== values.length) throw new Error(`expected ${params.length} values, got ${values.length}`);
  const encoded = params.map((p, i) => encodeOne(p, values[i]));
  let headSize = 0;
  for (const [i, p] of params.entries()) headSize += isDynamic(p) ? 32 : encoded[i].length / 2;
  let head = "";
  let tail = "";
  for (const [i, p] of params.entries()) {
    if (isDynamic(p)) {
      head += pad((headSize + tail.length / 2).toString(16));
      tail += encoded[i];
    } else head += encoded[i];
  }
  return head + tail;
}

function word(hex: string, at: number): string {
  const w = hex.slice(at * 2, at * 2 + WORD);
  if (w.length < WORD) throw new Error("ABI data too short");
  return w;
}

/** Static size in bytes of a non-dynamic parameter. */
function staticSize(p: Param): number {
  const arr = arrayOf(p);
  if (arr) return arr.length! * staticSize(arr.item);
  if (p.type === "tuple") return (p.components ?? []).reduce((n, c) => n + staticSize(c), 0);
  return 32;
}

function decodeOne(p: Param, hex: string, at: number): unknown {
  const arr = arrayOf(p);
  if (arr) {
    let base = at;
    let length = arr.length;
    if (length === undefined) {
      length = Number(BigInt("0x" + word(hex, at)));
      base = at + 32;
    }
    return decodeList(Array.from({ length }, () => arr.item), hex, base);
  }
  if (p.type === "tuple") {
    const comps = p.components ?? [];
    const values = decodeList(comps, hex, at);
    const out: Record<string, unknown> = { __length__: comps.length };
    comps.forEach((c, i) => {
      out[String(i)] = values[i];
      if (c.name) out[c.name] = values[i];
    });
    return out;
  }
  if (p.type === "string" || p.type === "bytes") {
    const len = Number(BigInt("0x" + word(hex, at)));
    const body = hex.slice((at + 32) * 2, (at + 32 + len) * 2);
    if (body.length < len * 2) throw new Error("ABI data too short");
    return p.type === "string" ? Buffer.from(body, "hex").toString("utf8") : "0x" + body;
  }
  const w = word(hex, at);
  if (p.type === "address") return toChecksum(w.slice(24));
  if (p.type === "bool") return BigInt("0x" + w) !== 0n;
  const bytesN = /^bytes(\d+)$/.exec(p.type);
  if (bytesN) return "0x" + w.slice(0, Number(bytesN[1]) * 2);
  const m = /^(u?)int(\d*)$/.exec(p.type);
  if (m) {
    const n = BigInt("0x" + w);
    return m[1] ? n : BigInt.asIntN(Number(m[2] || 256), n);
  }
  throw new Error(`unsupported ABI type ${p.type}`);
}

function decodeList(params: Param[], hex: string, base: number): unknown[] {
  let at = base;
  return params.map((p) => {
    if (isDynamic(p)) {
      const offset = Number(BigInt("0x" + word(hex, at)));
      at += 32;
      return decodeOne(p, hex, base + offset);
    }
    const v = decodeOne(p, hex, at);
    at += staticSize(p);
    return v;
  });
}

/** Decodes ABI data (0x optional) as a parameter list. */
export function decodeParams(params: Param[], data: string): unknown[] {
  return decodeList(params, data.replace(/^0x/, ""), 0);
}

/** One 32-byte topic as an indexed parameter: static types decoded, dynamic ones stay their hash. */
export function decodeTopic(p: Param, topic: string): unknown {
  return isDynamic(p) || p.type === "tuple" ? topic : decodeOne(p, topic.replace(/^0x/, ""), 0);
}
