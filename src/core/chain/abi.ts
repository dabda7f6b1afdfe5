import { canonicalType, decodeParams, decodeTopic, encodeParams, selector as hashSelector, topicOf as hashTopic } from "./abi-codec";
import { loadArtifacts, signatureHashes, type AbiItem } from "./artifacts";

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

const signatureOf = (item: AbiItem) => `${item.name}(${(item.inputs ?? []).map(canonicalType).join(",")})`;

// The build's hashes of the contracts' signatures; hashed here only for a signature it lacks.
const topicOf = (signature: string) => signatureHashes()[signature] ?? hashTopic(signature);
const selector = (signature: string) => signatureHashes()[signature]?.slice(0, 10) ?? hashSelector(signature);

/** topic0 of an event: the keccak-256 of its signature. */
export function eventTopic(abi: AbiItem[], name: string): string {
  const item = abi.find((i) => i.type === "event" && i.name === name);
  if (!item) throw new Error(`the contract has no event ${name}`);
  return topicOf(signatureOf(item));
}

export function functionItem(abi: AbiItem[], name: string): AbiItem {
  const item = abi.find((i) => i.type === "function" && i.name === name);
  if (!item) throw new Error(`the contract has no function ${name}`);
  return item;
}

export function encodeCall(abi: AbiItem[], name: string, args: unknown[]): string {
  const item = functionItem(abi, name);
  return selector(signatureOf(item)) + encodeParams(item.inputs ?? [], args);
}

export function encodeConstructor(abi: AbiItem[], args: unknown[]): string {
  const ctor = abi.find((i) => i.type === "constructor");
  return ctor ? encodeParams(ctor.inputs ?? [], args) : "";
}

/** Decodes a call's return data into an array (index i = output i). */
export function decodeResult(abi: AbiItem[], name: string, data: string): unknown[] {
  const outputs = functionItem(abi, name).outputs ?? [];
  return decodeParams(outputs, data);
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
      if (item.type === "error") errorTable.set(selector(signatureOf(item)), item);
    }
  }
  const item = errorTable.get(data.slice(0, 10).toLowerCase());
  if (!item) return undefined;
  const inputs = item.inputs ?? [];
  return { name: item.name!, args: decodeParams(inputs, data.slice(10)) };
}

/** Decodes the logs a contract emitted (others are skipped). */
export function decodeEvents(abi: AbiItem[], logs: { address: string; topics: string[]; data: string }[]): DecodedEvent[] {
  const events = new Map(
    abi.filter((i) => i.type === "event").map((i) => [topicOf(signatureOf(i)), i] as const),
  );
  const out: DecodedEvent[] = [];
  for (const log of logs) {
    const item = events.get(log.topics[0]);
    if (!item) continue;
    const inputs = item.inputs ?? [];
    const plain = decodeParams(inputs.filter((i) => !i.indexed), log.data);
    const args: Record<string, unknown> = {};
    let topic = 1;
    for (const input of inputs) args[input.name] = input.indexed ? decodeTopic(input, log.topics[topic++]) : plain.shift();
    out.push({ name: item.name!, address: log.address, args });
  }
  return out;
}
