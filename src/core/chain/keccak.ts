/**
 * Keccak-256 (Ethereum's hash: the original Keccak padding, not NIST SHA3-256). Small and
 * dependency-free, so that hashing a function signature or checksumming an address does not
 * load a crypto library at start-up. Lanes are pairs of 32-bit words (low, high).
 */

// Round constants as [low, high] words.
const RC = [
  1, 0, 0x8082, 0, 0x808a, 0x80000000, 0x80008000, 0x80000000, 0x808b, 0, 0x80000001, 0, 0x80008081, 0x80000000, 0x8009, 0x80000000,
  0x8a, 0, 0x88, 0, 0x80008009, 0, 0x8000000a, 0, 0x8000808b, 0, 0x8b, 0x80000000, 0x8089, 0x80000000, 0x8003, 0x80000000,
  0x8002, 0x80000000, 0x80, 0x80000000, 0x800a, 0, 0x8000000a, 0x80000000, 0x80008081, 0x80000000, 0x8080, 0x80000000,
  0x80000001, 0, 0x80008008, 0x80000000,
];
// Rotation offset of lane x + 5y.
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const RATE = 136;

function permute(s: Uint32Array): void {
  const c = new Uint32Array(10);
  const b = new Uint32Array(50);
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x] ^ s[2 * x + 10] ^ s[2 * x + 20] ^ s[2 * x + 30] ^ s[2 * x + 40];
      c[2 * x + 1] = s[2 * x + 1] ^ s[2 * x + 11] ^ s[2 * x + 21] ^ s[2 * x + 31] ^ s[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const p = (x + 4) % 5;
      const n = (x + 1) % 5;
      const lo = c[2 * p] ^ ((c[2 * n] << 1) | (c[2 * n + 1] >>> 31));
      const hi = c[2 * p + 1] ^ ((c[2 * n + 1] << 1) | (c[2 * n] >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] ^= lo;
        s[2 * (x + y) + 1] ^= hi;
      }
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        const i = x + 5 * y;
        const to = y + 5 * ((2 * x + 3 * y) % 5);
        const r = ROT[i];
        let lo = s[2 * i];
        let hi = s[2 * i + 1];
        if (r >= 32) [lo, hi] = [hi, lo];
        const m = r % 32;
        b[2 * to] = m ? (lo << m) | (hi >>> (32 - m)) : lo;
        b[2 * to + 1] = m ? (hi << m) | (lo >>> (32 - m)) : hi;
      }
    }
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i = 2 * (x + y);
        const i1 = 2 * (((x + 1) % 5) + y);
        const i2 = 2 * (((x + 2) % 5) + y);
        s[i] = b[i] ^ (~b[i1] & b[i2]);
        s[i + 1] = b[i + 1] ^ (~b[i1 + 1] & b[i2 + 1]);
      }
    }
    s[0] ^= RC[2 * round];
    s[1] ^= RC[2 * round + 1];
  }
}

/** Keccak-256 of `data` (a string is hashed as UTF-8). */
export function keccak256(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const blocks = Math.floor(bytes.length / RATE) + 1;
  const padded = new Uint8Array(blocks * RATE);
  padded.set(bytes);
  padded[bytes.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  const s = new Uint32Array(50);
  const view = new DataView(padded.buffer);
  for (let at = 0; at < padded.length; at += RATE) {
    for (let w = 0; w < RATE / 4; w++) s[w] ^= view.getUint32(at + 4 * w, true);
    permute(s);
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let w = 0; w < 8; w++) outView.setUint32(4 * w, s[w], true);
  return out;
}

/** Keccak-256 as 0x-prefixed lowercase hex. */
export const keccakHex = (data: Uint8Array | string): string => "0x" + Buffer.from(keccak256(data)).toString("hex");
