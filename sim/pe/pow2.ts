/** Exact powers of two for every exponent a double can hold (2^-1074 .. 2^1023). */
const MIN = -1074;
const MAX = 1023;
const TABLE = new Float64Array(MAX - MIN + 1);
{
  let v = 1;
  for (let k = 0; k <= MAX; k++, v *= 2) TABLE[k - MIN] = v;
  v = 1;
  for (let k = 0; k >= MIN; k--, v /= 2) TABLE[k - MIN] = v;
}

export function pow2(k: number): number {
  if (k < MIN) return 0;
  if (k > MAX) return Infinity;
  return TABLE[k - MIN];
}

/** x * 2^k without intermediate overflow/underflow of the scale factor itself. */
export function scaleByPow2(x: number, k: number): number {
  while (k > MAX) {
    x *= TABLE[MAX - MIN];
    k -= MAX;
  }
  while (k < -1022) {
    x *= TABLE[-1022 - MIN];
    k += 1022;
  }
  return x * TABLE[k - MIN];
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** floor(log2(a)) for finite a > 0, exactly (subnormal doubles included). */
export function exponentOf(a: number): number {
  f64[0] = a;
  const field = (u32[HI] >>> 20) & 0x7ff;
  if (field !== 0) return field - 1023;
  f64[0] = a * 2 ** 64;
  return ((u32[HI] >>> 20) & 0x7ff) - 1023 - 64;
}
