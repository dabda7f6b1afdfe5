import * as abiCoder from "web3-eth-abi";
import { loadArtifacts, type AbiItem, type AbiParameter } from "./artifacts";

/** A custom error decoded from revert data. */
export interface DecodedError {
  name: string;
  args: unknown[];
}

/** An event decoded from a receipt log. */
export interface DecodedEvent {
  name: string;
  address: string;
  args: Record<string, unknown>;
}

const signatureOf = (item: AbiItem) => `${item.name}(${(item.inputs ?? []).map(typeOf).join(",")})`;

function typeOf(p: AbiParameter): string {
  if (!p.type.startsWith("tuple")) return p.type;
  return `(${(p.components ?? []).map(typeOf).join(",")})${p.type.slice(5)}`;
}

/** topic0 of an event: the keccak-256 of its signature. */
export function eventTopic(abi: AbiItem[], name: string): string {
  const item = abi.find((i) => i.type === "event" && i.name === name);
  if (!item) throw new Error(`the contract has no event ${name}`);
  return abiCoder.encodeEventSignature(signatureOf(item));
}

export function functionItem(abi: AbiItem[], name: string): AbiItem {
  const item = abi.find((i) => i.type === "function" && i.name === name);
  if (!item) throw new Error(`the contract has no function ${name}`);
  return item;
}

export function encodeCall(abi: AbiItem[], name: string, args: unknown[]): string {
  return abiCoder.encodeFunctionCall(functionItem(abi, name) as never, args as never);
}

export function encodeConstructor(abi: AbiItem[], args: unknown[]): string {
  const ctor = abi.find((i) => i.type === "constructor");
  return ctor ? abiCoder.encodeParameters((ctor.inputs ?? []) as never, args as never).slice(2) : "";
}

/** Decodes a call's return data into an array (index i = output i). */
export function decodeResult(abi: AbiItem[], name: string, data: string): unknown[] {
  const outputs = functionItem(abi, name).outputs ?? [];
  const decoded = abiCoder.decodeParameters(outputs as never, data) as Record<string, unknown>;
  return outputs.map((_, i) => decoded[String(i)]);
}

let errorTable: Map<string, AbiItem> | undefined;

/** Decodes revert data against every custom error of every xray contract (and Error/Panic). */
export function decodeRevert(data: string | undefined): DecodedError | undefined {
  if (!data || data.length < 10) return undefined;
  if (!errorTable) {
    errorTable = new Map();
    const standard: AbiItem[] = [
      { type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] },
      { type: "error", name: "Panic", inputs: [{ name: "code", type: "uint256" }] },
    ];
    for (const item of [...standard, ...Object.values(loadArtifacts()).flatMap((a) => a.abi)]) {
      if (item.type === "error") errorTable.set(abiCoder.encodeFunctionSignature(signatureOf(item)), item);
    }
  }
  const item = errorTable.get(data.slice(0, 10).toLowerCase());
  if (!item) return undefined;
  const inputs = item.inputs ?? [];
  const decoded = abiCoder.decodeParameters(inputs as never, "0x" + data.slice(10)) as Record<string, unknown>;
  return { name: item.name!, args: inputs.map((_, i) => decoded[String(i)]) };
}

/** Decodes the logs a contract emitted (others are skipped). */
export function decodeEvents(abi: AbiItem[], logs: { address: string; topics: string[]; data: string }[]): DecodedEvent[] {
  const events = new Map(
    abi.filter((i) => i.type === "event").map((i) => [abiCoder.encodeEventSignature(signatureOf(i)), i] as const),
  );
  const out: DecodedEvent[] = [];
  for (const log of logs) {
    const item = events.get(log.topics[0]);
    if (!item) continue;
    const raw = abiCoder.decodeLog(item.inputs as never, log.data, log.topics.slice(1)) as Record<string, unknown>;
    const args: Record<string, unknown> = {};
    for (const input of item.inputs ?? []) args[input.name] = raw[input.name];
    out.push({ name: item.name!, address: log.address, args });
  }
  return out;
}
