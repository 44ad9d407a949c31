/**
 * Float accumulators round once per addition: every sum is compared with the exact rational
 * sum rounded by the test's own encoder. Registry PEs' dot products are compared with a
 * sequential loop of exact product -> own rounding -> exact sum -> own rounding.
 */
import { describe, expect, it } from 'vitest';
import { makeAccumulator, roundedSum } from '../../sim/pe/accumulator.ts';
import { BF16, E4M3, E5M2, FP16, FP32, INT16, INT32, INT8, type FloatFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import {
  SPEC, addExact, decodeExact, maxFiniteFields, encodeExact, fromDouble, hex, mulExact, toDouble, widthOf,
  type Exact, type FloatSpec,
} from './exact-rational.ts';
import { Mismatches, randInt, rng } from './test-util.ts';

type Rng = () => number;

/** A random code: anywhere (mode 'any'), or with the exponent field within +-span of the bias. */
function randomCode(f: FloatSpec, r: Rng, mode: 'any' | 'mid', span = 10): number {
  const w = widthOf(f);
  if (mode === 'any') return w === 32 ? r() : randInt(r, 2 ** w);
  const eMax = 2 ** f.expBits - 1;
  const e = Math.max(0, Math.min(eMax, f.bias + randInt(r, 2 * span + 1) - span));
  const m = randInt(r, 2 ** f.manBits);
  return (r() & 1 ? 2 ** (w - 1) : 0) + e * 2 ** f.manBits + m;
}

/** A random finite value (exact) of f. */
function randomFinite(f: FloatSpec, r: Rng, mode: 'any' | 'mid', span?: number): Exact {
  for (;;) {
    const v = decodeExact(f, randomCode(f, r, mode, span));
    if (v.kind === 'num') return v;
  }
}

function roundTo(f: FloatSpec, v: Exact, saturate: boolean): Exact {
  return decodeExact(f, encodeExact(f, v, { saturate }));
}

const ACC_FORMATS: ReadonlyArray<readonly [FloatFormat, FloatSpec]> = [
  [FP32, SPEC.fp32], [BF16, SPEC.bf16], [FP16, SPEC.fp16], [E4M3, SPEC.e4m3], [E5M2, SPEC.e5m2],
];
const PRODUCT_SOURCES: readonly FloatSpec[] = [SPEC.fp32, SPEC.bf16, SPEC.e4m3, SPEC.e5m2, SPEC.fp16];

describe.each(ACC_FORMATS.map(([f, spec]) => ({ name: f.name, f, spec })))('$name accumulator', ({ f, spec }) => {
  it.each([false, true])(`${f.name}: every addition rounds the exact sum once (saturate=%s)`, (saturate) => {
    const acc = makeAccumulator(f, f, saturate);
    const r = rng(100 + spec.manBits);
    const mm = new Mismatches();
    for (let trial = 0; trial < 120; trial++) {
      let s = 0;
      const src = PRODUCT_SOURCES[trial % PRODUCT_SOURCES.length];
      for (let i = 0; i < 40; i++) {
        // products near the accumulator's magnitude (interesting rounding) or anywhere
        let p: Exact;
        const k = r() % 4;
        if (k === 0) p = randomFinite(src, r, 'any');
        else if (k === 1 && s !== 0) {
          // near -s: cancellation; p = -s * (1 + small) rounded into the source format
          const sx = fromDouble(s);
          const delta = randomFinite(SPEC.e4m3, r, 'mid', 4);
          p = roundTo(src, mulExact(sx, addExact(fromDouble(-1), mulExact(delta, fromDouble(2 ** -6)))), true);
        } else p = randomFinite(src, r, 'mid', Math.min(10, spec.bias - 1));
        const pd = toDouble(p);
        const ref = toDouble(roundTo(spec, addExact(fromDouble(s), p), saturate));
        const got = acc.add(s, pd);
        if (!Object.is(got, ref)) mm.add(() => `${s} + ${pd}: ref ${ref} got ${got}`);
        s = Number.isFinite(got) ? got : 0;
      }
    }
    expect(mm.summary()).toEqual([]);
  });

  it(`${f.name}: roundedSum of any two doubles equals the exact sum rounded once`, () => {
    const r = rng(200 + spec.manBits);
    const mm = new Mismatches();
    for (let i = 0; i < 20_000; i++) {
      const s = toDouble(randomFinite(spec, r, 'mid', 6));
      // a 53-bit double close to s's magnitude, sometimes of opposite sign
      const scale = 2 ** (randInt(r, 40) - 20);
      const p = (r() & 1 ? -1 : 1) * (s === 0 ? 1 : Math.abs(s)) * scale * (1 + r() / 2 ** 32 + r() / 2 ** 64);
      for (const saturate of [false, true]) {
        const ref = toDouble(roundTo(spec, addExact(fromDouble(s), fromDouble(p)), saturate));
        const got = roundedSum(f, s, p, saturate);
        if (!Object.is(got, ref)) mm.add(() => `${s} + ${p} (sat ${saturate}): ref ${ref} got ${got}`);
      }
    }
    expect(mm.summary()).toEqual([]);
  });

  it(`${f.name}: overflow -> Inf / NaN, or max when saturating; toBits / fromBits / value`, () => {
    const mf = maxFiniteFields(spec);
    const max = toDouble(decodeExact(spec, mf.e * 2 ** spec.manBits + mf.m));
    expect(max).toBe(f.maxFinite);
    const plain = makeAccumulator(f);
    const sat = makeAccumulator(f, f, true);
    const over = plain.add(max, max);
    expect(plain.toBits(over)).toBe(encodeExact(spec, fromDouble(2 * max)));
    expect(Number.isNaN(over) || over === Infinity).toBe(true);
    expect(sat.add(max, max)).toBe(max);
    expect(sat.add(-max, -max)).toBe(-max);
    expect(plain.toBits(max)).toBe(encodeExact(spec, fromDouble(max)));
    expect(plain.fromBits(plain.toBits(-max))).toBe(-max);
    expect(plain.value(1.5)).toBe(1.5);
    expect(Object.is(plain.add(-0, -0), -0)).toBe(true);
    expect(Object.is(plain.add(1, -1), 0)).toBe(true);
  });
});

describe('double-rounding traps', () => {
  it('bf16 accumulator: 2^-60 + (1 + 2^-8) lies just above the midpoint -> 1 + 2^-7', () => {
    const acc = makeAccumulator(BF16);
    // float64 alone would give 1 + 2^-8 exactly (a tie) and round to even 1.0
    expect(2 ** -60 + (1 + 2 ** -8)).toBe(1 + 2 ** -8);
    const got = acc.add(2 ** -60, 1 + 2 ** -8);
    expect(got).toBe(1 + 2 ** -7);
    expect(acc.toBits(got)).toBe(0x3f81);
    expect(encodeExact(SPEC.bf16, addExact(fromDouble(2 ** -60), fromDouble(1 + 2 ** -8)))).toBe(0x3f81);
    expect(acc.add(-(2 ** -60), 1 + 2 ** -8)).toBe(1); // just below the midpoint
    expect(acc.add(2 ** -60, -(1 + 2 ** -8))).toBe(-1); // magnitude just below
    expect(acc.add(-(2 ** -60), -(1 + 2 ** -8))).toBe(-(1 + 2 ** -7));
  });

  it('e4m3 accumulator: tiny + midpoint product, both directions', () => {
    const acc = makeAccumulator(E4M3);
    // 1.0625 is the e4m3 midpoint of 1 and 1.125; 2^-9 is the smallest e4m3 subnormal
    expect(acc.add(2 ** -9, 1.0625)).toBe(1.125);
    expect(acc.add(-(2 ** -9), 1.0625)).toBe(1);
    expect(acc.add(0, 1.0625)).toBe(1);
  });

  it('wider internal adder (bf16 partial sums, fp32 adder): adds in fp32, rounds to bf16 on the way out', () => {
    const acc = makeAccumulator(BF16, FP32);
    expect(acc.internal).toBe(FP32);
    expect(acc.format).toBe(BF16);
    // 1 + (2^-8 + 2^-30): fp32 keeps 1 + 2^-8 (2^-30 is below half an fp32 ulp), a bf16 tie -> 1.0
    const p = 2 ** -8 + 2 ** -30;
    expect(Math.fround(p)).toBe(p);
    const s = acc.add(1, p);
    expect(s).toBe(1 + 2 ** -8);
    expect(acc.toBits(s)).toBe(0x3f80);
    expect(acc.value(s)).toBe(1);
    // a bf16 adder rounds the exact sum once: just above the tie -> 1 + 2^-7
    expect(makeAccumulator(BF16).add(1, p)).toBe(1 + 2 ** -7);
  });

  it('wider internal adder on random sequences = fp32 rounding each step, bf16 on output', () => {
    const acc = makeAccumulator(BF16, FP32);
    const r = rng(5);
    const mm = new Mismatches();
    for (let trial = 0; trial < 200; trial++) {
      let s = 0;
      let ref: Exact = fromDouble(0);
      for (let i = 0; i < 30; i++) {
        const p = randomFinite(SPEC.fp32, r, 'mid', 8);
        ref = roundTo(SPEC.fp32, addExact(ref, p), false);
        s = acc.add(s, toDouble(p));
      }
      if (!Object.is(s, toDouble(ref))) mm.add(() => `state ${s} vs ${toDouble(ref)}`);
      const bits = encodeExact(SPEC.bf16, ref);
      if (acc.toBits(s) !== bits) mm.add(() => `bits ${hex(acc.toBits(s), 4)} vs ${hex(bits, 4)}`);
      if (!Object.is(acc.value(s), toDouble(decodeExact(SPEC.bf16, bits)))) mm.add(() => `value ${acc.value(s)}`);
    }
    expect(mm.summary()).toEqual([]);
  });
});

// ---------------------------------------------------------------- registry PEs

interface PeCase {
  readonly name: string;
  readonly input: FloatSpec;
  readonly product: FloatSpec;
  readonly productSaturate: boolean;
}

const PE_CASES: readonly PeCase[] = [
  { name: 'fp32', input: SPEC.fp32, product: SPEC.fp32, productSaturate: false },
  { name: 'bf16', input: SPEC.bf16, product: SPEC.fp32, productSaturate: false },
  { name: 'fp16', input: SPEC.fp16, product: SPEC.fp32, productSaturate: false },
  { name: 'fp8-e4m3', input: SPEC.e4m3, product: SPEC.e4m3, productSaturate: true },
  { name: 'fp8-e5m2', input: SPEC.e5m2, product: SPEC.e5m2, productSaturate: true },
];

const ACCS: ReadonlyArray<readonly [string | undefined, FloatSpec]> = [
  [undefined, SPEC.fp32],
  ['bf16', SPEC.bf16],
  ['fp16', SPEC.fp16],
];

describe.each(PE_CASES)('PE $name', (c) => {
  it.each(ACCS)('dot (acc %s) = exact product -> round -> exact sum -> round, sequentially', (accName, accSpec) => {
    const pe = accName === undefined ? getPe(c.name) : getPe(c.name, { acc: accName });
    expect(pe.acc.name).toBe(accName ?? 'fp32');
    const r = rng(31 + c.input.manBits);
    const mm = new Mismatches();
    const w = widthOf(c.input);
    const specials: number[] = [0, 2 ** (w - 1), 1];
    for (let code = 0; code < 2 ** Math.min(w, 16); code++) {
      // NaN and Inf codes of small formats; for wide ones the ieee patterns below
      if (w <= 16 && decodeExact(c.input, code).kind !== 'num') specials.push(code);
    }
    if (w > 16) specials.push(0x7f800000, 0xff800000, 0x7fc00000);
    let finite = 0;
    for (let trial = 0; trial < 150; trial++) {
      const len = 1 + randInt(r, 48);
      const pSpecial = [0, 0, 0, 0.03][trial % 4];
      const span = trial % 2 ? 3 : 8;
      const gen = () =>
        r() / 2 ** 32 < pSpecial ? specials[randInt(r, specials.length)] : randomCode(c.input, r, trial % 7 === 0 ? 'any' : 'mid', Math.min(span, c.input.bias - 1));
      const a = Array.from({ length: 2 * len + 1 }, gen);
      const b = Array.from({ length: len }, gen);
      const acc0 = trial % 3 === 0 ? toDouble(randomFinite(accSpec, r, 'mid', 4)) : 0;
      let ref: Exact = fromDouble(acc0);
      for (let i = 0; i < len; i++) {
        const x = decodeExact(c.input, a[1 + 2 * i]);
        const y = decodeExact(c.input, b[i]);
        const p = roundTo(c.product, mulExact(x, y), c.productSaturate);
        ref = roundTo(accSpec, addExact(ref, p), false);
      }
      const want = toDouble(ref);
      if (Number.isFinite(want) && want !== 0) finite++;
      const got = pe.dot(a, 1, 2, b, 0, 1, len, acc0);
      if (!Object.is(got, want)) mm.add(() => `trial ${trial}: ref ${want} got ${got}`);
      let m = acc0;
      for (let i = 0; i < len; i++) m = pe.mac(m, a[1 + 2 * i], b[i]);
      if (!Object.is(m, got)) mm.add(() => `trial ${trial}: mac chain ${m} vs dot ${got}`);
    }
    expect(finite).toBeGreaterThan(75);
    expect(mm.summary()).toEqual([]);
  });

  it('addAcc merges two partial sums with one rounding', () => {
    const pe = getPe(c.name, { acc: 'bf16' });
    expect(pe.addAcc(2 ** -60, 1 + 2 ** -8)).toBe(1 + 2 ** -7);
    expect(pe.accToBits(1 + 2 ** -7)).toBe(0x3f81);
    expect(pe.accFromBits(0x3f81)).toBe(1 + 2 ** -7);
  });
});

describe('integer accumulator values wrap as two\'s complement (against BigInt modular arithmetic)', () => {
  it.each([INT32, INT16, INT8].map((f) => [f.name, f] as const))('%s out of an int32 adder: the edges and random states', (_, f) => {
    const acc = makeAccumulator(f, INT32, false);
    const span = 1n << BigInt(f.bits), half = span >> 1n;
    const r = rng(17);
    // states are what the int32 adder holds: int32 values
    const states = [0, -0, 1, -1, f.max, f.min, f.max + 1, f.min - 1, 2 ** 31 - 1, -(2 ** 31)].map((s) => (Object.is(s, -0) ? s : s | 0));
    for (let i = 0; i < 2000; i++) states.push(acc.add(r() | 0, (r() >> randInt(r, 31)) | 0));
    for (const s of states) {
      let v = BigInt(s) % span;
      if (v < 0n) v += span;
      if (v >= half) v -= span;
      expect(Object.is(acc.value(s), Number(v)) || (Number(v) === 0 && acc.value(s) === 0), `${f.name} ${s}`).toBe(true);
    }
  });
});
