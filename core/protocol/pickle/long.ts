/**
 * Python ints as pickle LONG1/LONG4 payloads: little-endian two's complement in the fewest bytes, the
 * way CPython's `pickle.encode_long` writes them.
 */

/** Bytes of `x` exactly as `pickle.encode_long(x)` gives them (`0` → no bytes). */
export function encodeLong(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  const abs = x < 0n ? -x : x;
  const hex = abs.toString(16);
  const bitLength = (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
  let nbytes = (bitLength >> 3) + 1;
  const unsigned = x < 0n ? (1n << BigInt(8 * nbytes)) + x : x;
  const bytes = Buffer.from(unsigned.toString(16).padStart(nbytes * 2, "0"), "hex").reverse();
  // CPython sizes by the magnitude's bit length, which leaves one redundant 0xff on some negatives.
  if (x < 0n && nbytes > 1 && bytes[nbytes - 1] === 0xff && (bytes[nbytes - 2] & 0x80) !== 0) nbytes--;
  return bytes.subarray(0, nbytes);
}

/** The int a LONG1/LONG4 payload stands for, in canonical PyValue form (number when safe). */
export function decodeLong(bytes: Uint8Array): number | bigint {
  const n = bytes.length;
  if (n === 0) return 0;
  const negative = (bytes[n - 1] & 0x80) !== 0;
  if (n <= 6) {
    // Up to 48 bits fits a double exactly: skip BigInt for the common case.
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[i];
    return negative ? v - 2 ** (8 * n) : v;
  }
  let v = BigInt("0x" + Buffer.from(bytes).reverse().toString("hex"));
  if (negative) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
