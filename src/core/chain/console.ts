/**
 * What `xray console` runs on: the objects `truffle console` defines for this project
 * (`accounts`, the role accounts, `web3`, the `xr` abstraction and the deployed `xry`), over
 * the chain the CLI uses, and a statement runner for scripts. Truffle-specific code
 * (@truffle/contract) stays in this file (house rule 10).
 */
import { inspect, types } from "node:util";
import { Console } from "node:console";
import * as repl from "node:repl";
import { PassThrough, Writable } from "node:stream";
import type { Web3 } from "web3";
import { RevertError, XrayError } from "../../errors";
import { checksumAddress } from "./accounts";
import { decodeRevert } from "./abi";
import { artifact, type AbiItem, type Artifact, type ContractName } from "./artifacts";
import type { Chain } from "./chain";
import { requireDeployment, type Deployment } from "./deployment";
import { explainRevert } from "./explain";
import { asRevert, revertDataOf } from "./tx";
import type { LocalSigner } from "./signer";

/** A contract abstraction, as `artifacts.require("xr")` gives it in Truffle (the part the console sets up). */
export interface TruffleContract {
  setProvider(provider: unknown): void;
  defaults(defaults: { from?: string }): unknown;
  deployed(): Promise<TruffleInstance>;
  at(address: string): Promise<TruffleInstance>;
  /** Truffle otherwise polls for 24 confirmations after every transaction, keeping the process alive. */
  disableConfirmationListener?: boolean;
}

/** A deployed contract: its functions send (or call) and resolve to Truffle's results. */
export interface TruffleInstance {
  address: string;
  [fn: string]: unknown;
}

/** The names a console session defines. */
export interface ConsoleContext {
  /** The chain's accounts (checksummed): the node's, then the local signer's. */
  accounts: string[];
  gov: string;
  host: string;
  doctor: string;
  patient: string;
  /** The project's web3 (4.x) over the same connection. */
  web3: Web3;
  /** The contract abstractions; `xr.deployed()` is `xry`. */
  xr: TruffleContract;
  strlib: TruffleContract;
  /** The deployed xr. */
  xry: TruffleInstance;
}

export interface OpenConsoleOptions {
  /** Default: the deployment recorded for this chain (NotDeployedError without one). */
  deployment?: Deployment;
  /** Where transactions are sent from when a statement gives no `{from}`; default: gov. */
  from?: string;
}

export interface ConsoleSession {
  context: ConsoleContext;
  /** A statement's failure as one line: a decoded revert in words ("... is not a doctor"), else the error itself. */
  explain(err: unknown): Error;
}

/** A statement a script ran, and what it evaluated to. */
export interface StatementResult {
  /** The line it starts on, from 1. */
  line: number;
  code: string;
  value: unknown;
}

/** A script statement failed: the line, the statement and its cause; later statements were not run. */
export class ConsoleError extends XrayError {
  override name = "ConsoleError";
  constructor(readonly line: number, readonly statement: string, cause: Error) {
    // A decoded revert keeps its code (REVERTED), so scripts can tell it from a typo.
    super(`line ${line}: ${describe(cause)}`, cause instanceof XrayError ? cause.code : "STATEMENT_FAILED", { cause, details: statement });
  }
}

type Eip1193Request = { method: string; params?: unknown[] };
type TxParams = { from?: string; to?: string; data?: string; input?: string; gas?: string; gasPrice?: string; value?: string; nonce?: string };

/**
 * Defines the console's objects on `chain`: the xr abstraction sends from `options.from`
 * (gov by default), so the paper's `xry.setPermission(doctor, 'Dr.Lee', 1, true)` works as typed.
 * @example
 * const { context } = await openConsole(chain);
 * await context.xry.getXrayhash(0); // Result { '0': 'Dr.Lee', '1': 'chest', '2': '16c8...' }
 */
export async function openConsole(chain: Chain, options: OpenConsoleOptions = {}): Promise<ConsoleSession> {
  const deployment = options.deployment ?? requireDeployment(chain);
  const from = options.from ?? deployment.roles.gov;
  let lastRevert: { data?: string; error: RevertError } | undefined;
  const provider = eip1193(chain, (err, request) => {
    const revert = asRevert(err);
    if (revert instanceof RevertError) lastRevert = { data: revertDataOf(err), error: explainRevert(revert, functionName(request, deployment), deployment) };
  });
  // @truffle/contract and web3 are heavy: loaded only by the console.
  const contract = require("@truffle/contract") as (json: object) => TruffleContract;
  const { Web3 } = require("web3") as typeof import("web3");
  const networkId = await chain.provider.request<string>("net_version");
  const abstraction = (name: ContractName, address: string, links: Record<string, string> = {}) => {
    const c = contract(truffleJson(name, artifact(name), { [networkId]: { address, links } }));
    c.setProvider(provider);
    c.defaults({ from });
    c.disableConfirmationListener = true;
    return c;
  };
  const xr = abstraction("xr", deployment.xr, { strlib: deployment.strlib });
  const web3 = new Web3(provider);
  web3.eth.defaultAccount = from;
  const context: ConsoleContext = {
    accounts: (await chain.accounts()).map(checksumAddress),
    ...deployment.roles,
    web3,
    xr,
    strlib: abstraction("strlib", deployment.strlib),
    xry: await xr.deployed(),
  };
  return {
    context,
    explain(err) {
      const data = revertDataOf(err);
      const recorded = lastRevert;
      lastRevert = undefined;
      // The failed request this error came from (same revert data; or, where web3 or Truffle
      // dropped the data, the last revert), which names the function for the explanation.
      if (recorded && (data !== undefined ? data === recorded.data : /revert/i.test(String((err as Error)?.message)))) return recorded.error;
      const decoded = data ? decodeRevert(data) : undefined;
      if (decoded) {
        const refused = new RevertError(`the contract refused: ${decoded.name}(${decoded.args.join(", ")})`, decoded.name, decoded.args, { cause: err });
        return explainRevert(refused, "that function", deployment);
      }
      return err instanceof Error || types.isNativeError(err) ? err : new Error(String(err));
    },
  };
}

/**
 * An EIP-1193 provider (what web3 1.x inside Truffle and web3 4 both take) over the chain:
 * `eth_accounts` includes the local signer, whose transactions are signed here.
 */
function eip1193(chain: Chain, onFailure: (err: unknown, request: Eip1193Request) => void) {
  return {
    async request(request: Eip1193Request): Promise<unknown> {
      const { method, params = [] } = request;
      try {
        if (method === "eth_accounts" || method === "eth_requestAccounts") return await chain.accounts();
        const tx = params[0] as TxParams | undefined;
        const signer = chain.signer;
        if (method === "eth_sendTransaction" && signer && tx?.from?.toLowerCase() === signer.address.toLowerCase()) {
          return await sendSigned(chain, signer, tx);
        }
        return await chain.provider.request(method, params);
      } catch (err) {
        onFailure(err, request);
        throw err;
      }
    },
  };
}

async function sendSigned(chain: Chain, signer: LocalSigner, tx: TxParams): Promise<string> {
  const data = tx.data ?? tx.input ?? "0x";
  const ask = (method: string, params: unknown[] = []) => chain.provider.request<string>(method, params).then(BigInt);
  const [chainId, nonce, gasPrice, gas] = await Promise.all([
    chain.chainId(),
    tx.nonce !== undefined ? BigInt(tx.nonce) : ask("eth_getTransactionCount", [signer.address, "pending"]),
    tx.gasPrice !== undefined ? BigInt(tx.gasPrice) : ask("eth_gasPrice"),
    tx.gas !== undefined ? BigInt(tx.gas) : ask("eth_estimateGas", [{ from: signer.address, to: tx.to, data, value: tx.value }]).then((g) => (g * 5n) / 4n),
  ]);
  const raw = signer.signTransaction({ nonce, gasPrice, gas, to: tx.to, data, value: tx.value !== undefined ? BigInt(tx.value) : 0n }, chainId);
  return chain.provider.request<string>("eth_sendRawTransaction", [raw]);
}

/** The xr function a failed request called, for "only the doctor may record X-ray hashes". */
function functionName(request: Eip1193Request, deployment: Deployment): string {
  const tx = request.params?.[0] as TxParams | undefined;
  const selector = (tx?.data ?? tx?.input)?.slice(0, 10).toLowerCase();
  if (!selector || tx?.to?.toLowerCase() !== deployment.xr.toLowerCase()) return "";
  const abiCoder = require("web3-eth-abi") as typeof import("web3-eth-abi");
  const item = artifact("xr").abi.find((i) => i.type === "function" && abiCoder.encodeFunctionSignature(i as never) === selector);
  return item?.name ?? "";
}

/**
 * The artifact in Truffle's shape. Library placeholders are rewritten the way Truffle writes
 * them (`__strlib___...`), so `xr.new(...)` links the deployed strlib.
 */
function truffleJson(name: string, art: Artifact, networks: Record<string, { address: string; links: Record<string, string> }>) {
  let bytecode = art.bytecode;
  for (const byLib of Object.values(art.linkReferences)) {
    for (const [lib, refs] of Object.entries(byLib)) {
      for (const { start, length } of refs) {
        const at = 2 + start * 2;
        bytecode = bytecode.slice(0, at) + `__${lib}`.padEnd(length * 2, "_") + bytecode.slice(at + length * 2);
      }
    }
  }
  return { contractName: name, abi: art.abi as AbiItem[], bytecode, deployedBytecode: art.deployedBytecode, networks };
}

/**
 * Starts a REPL that is a console: the context defined, a statement's promise resolved as
 * truffle console does (`xry.getXrayhash(0)` without `await` prints the record), failures
 * explained in one line, and Truffle's BNs printed as numbers. A statement's failure goes to
 * `onError` when given, else the REPL prints it ("Uncaught RevertError: ...").
 */
export function startConsole(session: ConsoleSession, options: repl.ReplOptions, onError?: (err: Error) => void): repl.REPLServer {
  // Node's default eval (which brings top-level await and multi-line statements) reports a
  // statement's exception to the REPL's domain, not to its callback: the console gives the
  // REPL its own domain to see them.
  const domain = (require("node:domain") as typeof import("node:domain")).create();
  const withDomain = { ...options, domain, writer: (value: unknown) => formatValue(value, Boolean(options.useColors)) };
  const server = repl.start(withDomain);
  const [printError] = domain.listeners("error") as ((err: unknown) => void)[];
  domain.removeAllListeners("error");
  domain.on("error", (err: unknown) => {
    const explained = short(session.explain(err));
    if (onError) onError(explained);
    else printError?.call(domain, explained);
  });
  Object.assign(server.context, session.context);
  // The REPL evaluates each statement with `this.eval`: the wrapper resolves what it returns.
  const evaluate = server.eval;
  const wrapped: repl.REPLEval = (code, context, file, done) =>
    evaluate.call(server, code, context, file, (err, value) => {
      if (err || !isThenable(value)) return done(err, value);
      value.then(
        (resolved) => done(null, resolved),
        (failure) => domain.emit("error", failure),
      );
    });
  Object.assign(server, { eval: wrapped });
  return server;
}

export interface RunScriptOptions {
  /** Where the script's console.log and console.error write. */
  log: Writable;
  /** Called after each statement, in order (undefined results included). */
  onResult?(result: StatementResult): void;
  /** Shown in stack traces. */
  filename?: string;
}

/**
 * Runs a script line by line as the console would (a statement may span lines; top-level
 * await; each statement finishes before the next starts) and stops at the first failure
 * with a ConsoleError naming the line. `.exit` ends it early.
 */
export async function runScript(session: ConsoleSession, source: string, options: RunScriptOptions): Promise<StatementResult[]> {
  type Outcome = { err: Error | null; value?: unknown };
  let settle: ((outcome: Outcome) => void) | undefined;
  let stray: Error | undefined; // a failure reported while no statement ran (a late event)
  const sink = new Writable({ write: (_chunk, _enc, next) => next() });
  const server = startConsole(session, { input: new PassThrough(), output: sink, terminal: false, prompt: "", useColors: false }, (err) => {
    if (settle) settle({ err });
    else stray ??= err;
  });
  Object.defineProperty(server.context, "console", { value: new Console(options.log, options.log), configurable: true, writable: true });
  const evaluate = (code: string) =>
    new Promise<Outcome>((resolve) => {
      settle = (outcome) => {
        settle = undefined;
        resolve(outcome);
      };
      server.eval(code, server.context, options.filename ?? "script", (err, value) => settle?.({ err, value }));
    });
  const results: StatementResult[] = [];
  const lines = source.split(/\r?\n/);
  let pending = "";
  let start = 0;
  try {
    for (let i = 0; i < lines.length; i++) {
      if (!pending && !lines[i].trim()) continue;
      if (!pending && lines[i].trim() === ".exit") break;
      if (!pending) start = i + 1;
      pending += lines[i] + "\n";
      const { err, value } = await evaluate(pending);
      if (err instanceof repl.Recoverable && i < lines.length - 1) continue;
      const code = pending.trim();
      pending = "";
      const failure = err instanceof repl.Recoverable ? (err.err as Error) : (err ?? stray);
      if (failure) throw new ConsoleError(start, code, failure);
      Object.assign(server, { last: value }); // what `_` gives
      const result = { line: start, code, value };
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    server.close();
  }
  return results;
}

/** A copy of `value` with Truffle's BNs as decimal strings, for JSON. */
export function plainValue(value: unknown, depth = 0, seen = new Set<unknown>()): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return typeof value === "function" ? undefined : value;
  if (isBN(value)) return String(value);
  if (seen.has(value) || depth > 8) return "[...]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => plainValue(v, depth + 1, seen) ?? null);
    if (isTruffleInstance(value)) return { contract: value.constructor?.contractName, address: value.address };
    // web3's Result keeps its length in `__length__`: not part of the value.
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "__length__").map(([k, v]) => [k, plainValue(v, depth + 1, seen)]));
  } finally {
    seen.delete(value);
  }
}

/** How the console prints a result: util.inspect, with Truffle's BNs as `BN(2)`. */
export function formatValue(value: unknown, colors = false): string {
  if (value instanceof XrayError) return `${value.name}: ${value.message}`;
  return inspect(forDisplay(value), { colors, showProxy: true });
}

/** `value` with Truffle's BNs shown as `BN(2)` instead of their internal words. */
function forDisplay(value: unknown, depth = 0, seen = new Set<unknown>()): unknown {
  if (value === null || typeof value !== "object" || seen.has(value) || depth > 4) return value;
  if (isBN(value)) return { [inspect.custom]: () => `BN(${String(value)})` };
  if (isTruffleInstance(value) || !isPlain(value)) return value;
  seen.add(value);
  const copy: Record<string, unknown> = Array.isArray(value) ? [] : Object.create(Object.getPrototypeOf(value));
  for (const [k, v] of Object.entries(value)) copy[k] = forDisplay(v, depth + 1, seen);
  seen.delete(value);
  return copy;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown })?.then === "function";
/** bn.js numbers (web3 1.x inside Truffle); their toString() is decimal. */
const isBN = (v: object): boolean => (v as { constructor?: { name?: string } }).constructor?.name === "BN" && "words" in v && "negative" in v;
const isTruffleInstance = (v: object): v is TruffleInstance & { constructor?: { contractName?: string } } => "address" in v && "abi" in v && "contract" in v;
/** Arrays and objects made by literals or by web3's Result: copied for display; class instances are not. */
const isPlain = (v: object) => Array.isArray(v) || ["Object", "Result"].includes(Object.getPrototypeOf(v)?.constructor?.name ?? "Object");

/** One line: an XrayError's message, else "TypeError: ..." as Node prints it. */
function describe(err: Error): string {
  const message = String(err.message).trim().replace(/\s*\n\s*/g, " ");
  return err instanceof XrayError ? message : `${err.name || "Error"}: ${message}`;
}

/** The REPL prints an error's stack: without Truffle's and web3's frames, a failure stays one line. */
function short(err: Error): Error {
  if (err instanceof XrayError || /^(Error|RpcError)$/.test(err.name)) err.stack = `${err.name}: ${describe(err)}`;
  return err;
}
