/** Small helpers shared by the PE tests (not a test file). */

/** Deterministic 32-bit PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform integer in [0, n). */
export function randInt(r: () => number, n: number): number {
  return Math.floor((r() / 2 ** 32) * n);
}

const dv = new DataView(new ArrayBuffer(8));

/** A double from 64 random bits (any value: subnormals, huge, Inf, NaN). */
export function randomDoubleBits(r: () => number): number {
  dv.setUint32(0, r());
  dv.setUint32(4, r());
  return dv.getFloat64(0);
}

/** sign * (1 + random 52-bit fraction) * 2^k */
export function randomDoubleIn(r: () => number, kMin: number, kMax: number): number {
  const k = kMin + randInt(r, kMax - kMin + 1);
  const sign = r() & 1 ? -1 : 1;
  // 52 random bits of fraction
  const frac = ((r() & 0xfffff) * 2 ** 32 + r()) / 2 ** 52;
  return sign * (1 + frac) * 2 ** k;
}

export function fp32Bits(x: number): number {
  dv.setFloat32(0, x);
  return dv.getUint32(0);
}

export function fp32FromBits(b: number): number {
  dv.setUint32(0, b >>> 0);
  return dv.getFloat32(0);
}

/** Collects mismatches; the test then does expect(m.list).toEqual([]) with the first few. */
export class Mismatches {
  readonly list: string[] = [];
  count = 0;
  add(msg: () => string): void {
    this.count++;
    if (this.list.length < 8) this.list.push(msg());
  }
  summary(): string[] {
    return this.count > this.list.length ? [...this.list, `... ${this.count} mismatches in all`] : this.list;
  }
}
