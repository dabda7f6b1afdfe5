import * as fs from "node:fs";
import { SignerError, UsageError } from "../../errors";

/** A key held by xray itself, for nodes that keep no unlocked accounts. */
export interface LocalSigner {
  address: string;
  /** Signs a legacy (EIP-155) transaction and returns the raw bytes as hex. */
  signTransaction(tx: UnsignedTx, chainId: number): string;
}

export interface UnsignedTx {
  nonce: bigint;
  gasPrice: bigint;
  gas: bigint;
  to?: string;
  data: string;
  value?: bigint;
}

const KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/** A signer over a raw private key (32 bytes as 64 hex digits, "0x" optional). */
export function privateKeySigner(privateKey: string): LocalSigner {
  const key = privateKey.trim();
  if (!KEY.test(key)) throw new UsageError("the private key is not 64 hex digits");
  const hexKey = key.startsWith("0x") ? key : `0x${key}`;
  const accounts = require("web3-eth-accounts") as typeof import("web3-eth-accounts");
  const address = accounts.privateKeyToAddress(hexKey);
  return {
    address,
    signTransaction(tx, chainId) {
      const common = accounts.Common.custom({ chainId, networkId: chainId }, { hardfork: "london" });
      const unsigned = accounts.Transaction.fromTxData(
        { nonce: tx.nonce, gasPrice: tx.gasPrice, gasLimit: tx.gas, to: tx.to, data: tx.data, value: tx.value ?? 0n },
        { common },
      );
      const signed = unsigned.sign(Buffer.from(hexKey.slice(2), "hex"));
      return "0x" + Buffer.from(signed.serialize()).toString("hex");
    },
  };
}

/** Reads a private key from a file ("-" is standard input). */
export function privateKeyFromFile(file: string): LocalSigner {
  const text = readSecret(file, "private key");
  return privateKeySigner(text);
}

/** Decrypts a JSON keystore (geth / web3 v3 format) with the password from a file or env. */
export async function keystoreSigner(file: string, password: string): Promise<LocalSigner> {
  const json = readSecret(file, "keystore");
  const accounts = require("web3-eth-accounts") as typeof import("web3-eth-accounts");
  let privateKey: string;
  try {
    privateKey = (await accounts.decrypt(json, password)).privateKey;
  } catch (err) {
    throw new SignerError(`cannot decrypt the keystore ${file}: wrong password or not a keystore`, { cause: err });
  }
  return privateKeySigner(privateKey);
}

export function readSecret(file: string, what: string): string {
  try {
    return fs.readFileSync(file === "-" ? 0 : file, "utf8").trim();
  } catch (err) {
    throw new UsageError(`cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}
