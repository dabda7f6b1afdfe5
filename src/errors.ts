/**
 * Every failure xray reports is an XrayError: a one-line message a person reads, a stable
 * code scripts can match, optional details for whoever debugs, and the cause kept.
 */
export interface XrayErrorOptions {
  cause?: unknown;
  details?: string;
}

export class XrayError extends Error {
  override name = "XrayError";
  /** Stable machine-readable code, e.g. BAD_INPUT, REVERTED. */
  readonly code: string;
  readonly details?: string;
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number = 1;

  constructor(message: string, code = "FAILED", options: XrayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** The user's input is wrong; nothing was done. Exit status 2. */
export class UsageError extends XrayError {
  override name = "UsageError";
  override readonly exitCode = 2;
  constructor(message: string, options: XrayErrorOptions = {}) {
    super(message, "BAD_INPUT", options);
  }
}

/** No contract deployment is recorded for this chain. */
export class NotDeployedError extends XrayError {
  override name = "NotDeployedError";
  constructor(where: string) {
    super(`no xray deployment on ${where} yet: run \`xray init\` first`, "NOT_DEPLOYED");
  }
}

/** The Ethereum node cannot be reached. */
export class ChainUnreachableError extends XrayError {
  override name = "ChainUnreachableError";
  constructor(url: string, options: XrayErrorOptions = {}) {
    super(`cannot reach the Ethereum node at ${url}`, "CHAIN_UNREACHABLE", options);
  }
}

/** Another process holds the embedded chain for too long. */
export class ChainBusyError extends XrayError {
  override name = "ChainBusyError";
  constructor(message: string, options: XrayErrorOptions = {}) {
    super(message, "CHAIN_BUSY", options);
  }
}

/** The node answered a JSON-RPC call with an error that is not a contract revert. */
export class RpcError extends XrayError {
  override name = "RpcError";
  readonly rpcCode?: number;
  readonly data?: unknown;
  constructor(message: string, rpcCode?: number, data?: unknown) {
    super(message, "RPC_ERROR");
    this.rpcCode = rpcCode;
    this.data = data;
  }
}

/** A contract call reverted; `errorName` and `args` are the decoded custom error. */
export class RevertError extends XrayError {
  override name = "RevertError";
  readonly errorName?: string;
  readonly args: readonly unknown[];
  constructor(message: string, errorName?: string, args: readonly unknown[] = [], options: XrayErrorOptions = {}) {
    super(message, "REVERTED", options);
    this.errorName = errorName;
    this.args = args;
  }
}

/** No key is available to sign for the sending account. */
export class SignerError extends XrayError {
  override name = "SignerError";
  constructor(message: string, options: XrayErrorOptions = {}) {
    super(message, "NO_SIGNER", options);
  }
}

/** Content-addressed storage failed: a CID not found, a block whose bytes do not match its CID. */
export class IpfsError extends XrayError {
  override name = "IpfsError";
}

/** An OpenPGP failure: a wrong passphrase, no key for a message, a damaged or forged message. */
export class CryptoError extends XrayError {
  override name = "CryptoError";
}

/** A decrypted image whose bytes do not hash to the SHA-256 on chain. */
export class TamperedError extends XrayError {
  override name = "TamperedError";
  constructor(message: string) {
    super(message, "TAMPERED");
  }
}

/** A requester whose access the patient has not approved, or revoked. */
export class AccessDeniedError extends XrayError {
  override name = "AccessDeniedError";
  constructor(message: string) {
    super(message, "ACCESS_DENIED");
  }
}

/**
 * A classifier failure: a missing or inconsistent model card (MODEL_CARD), a model whose
 * input or output does not match its card (MODEL_SHAPE), an image that cannot be decoded
 * (IMAGE_UNREADABLE).
 */
export class ModelError extends XrayError {
  override name = "ModelError";
  /** A model, card or flags the user gave that cannot be used is bad input (2); an image is not. */
  override readonly exitCode: number;
  constructor(message: string, code = "MODEL_INVALID", options: XrayErrorOptions = {}) {
    super(message, code, options);
    this.exitCode = code === "IMAGE_UNREADABLE" ? 1 : 2;
  }
}

/** The user stopped at a question (Ctrl-C, closed input) or said no; nothing was done. Exit status 1. */
export class CancelledError extends XrayError {
  override name = "CancelledError";
  /** @param nothingDone what was not done, e.g. "nothing was deployed" */
  constructor(nothingDone: string, options: XrayErrorOptions = {}) {
    super(`cancelled: ${nothingDone}`, "CANCELLED", options);
  }
}

/**
 * The home's chain database cannot be used: damaged files (CHAIN_DAMAGED), a full disk
 * (DISK_FULL), or a folder xray may not read (CHAIN_UNREADABLE). The message names the folder
 * and what to do; the database's own words are in `details`.
 */
export class ChainDamagedError extends XrayError {
  override name = "ChainDamagedError";
}
