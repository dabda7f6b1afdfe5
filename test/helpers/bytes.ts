import { createCipheriv, createHash } from "node:crypto";

/** `size` pseudo-random bytes, the same on every machine for the same seed (AES-128-CTR over zeros). */
export function deterministicBytes(seed: string, size: number): Buffer {
  const key = createHash("sha256").update(seed).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(size));
}
