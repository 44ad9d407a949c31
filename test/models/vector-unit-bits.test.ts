/**
 * The fp32 vector unit's exp-based rows against their definitions, bit for bit. softmax rows
 * (models/exec/wasm/vector-rows.wat) against kernel-util.ts softmaxRow element by element with
 * a rounding function of its own (which always takes the TypeScript loop), masked scores,
 * whole masked rows, NaN and odd lengths included. erf on the fp32 vector unit against erf's definition computed one element at a time and
 * rounded with Math.fround, bit for bit, on every kind of fp32 pattern (both zeros, subnormals,
 * +-Inf, NaNs, random values), in WebAssembly (models/exec/wasm/vector-rows.wat, two lanes at a
 * time) and in the TypeScript passes (kernel-util.ts erfFp32); the module's exp (fdlibm's
 * e_exp.c, as V8's Math.exp) against Math.exp itself on arguments across every branch and its
 * edges; and erf against published values (Abramowitz & Stegun, Table 7.1) within Numerical
 * Recipes' bound (fractional error < 1.2e-7). Layer norm and RMS norm against their definition.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { arithmeticOf, runKernel } from '../../models/exec/executor.ts';
import { erf, erfFp32, softmaxRow } from '../../models/exec/kernel-util.ts';
import type { Graph } from '../../models/graph.ts';
import type { GraphNode } from '../../models/operators.ts';
import { vectorRows } from '../../models/exec/wasm/vector-rows.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';

const same = (a: number, b: number) => Object.is(a, b) || (a !== a && b !== b);
const f64 = new Float64Array(1), words = new Uint32Array(f64.buffer);
const fromWords = (hi: number, lo: number) => ((words[1] = hi), (words[0] = lo), f64[0]);

describe.each([['WebAssembly', true], ['TypeScript', false]] as const)('erf on the fp32 vector unit (%s)', (_name, wasm) => {
  afterEach(() => setWasmKernels(true));
  it('gives fround(erf(x)) for every kind of fp32 pattern', () => {
    const kernel = vectorRows()!, before = kernel.calls;
    setWasmKernels(wasm);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fc.float({ min: -6, max: 6, noNaN: true }).map((v) => new Uint32Array(Float32Array.of(v).buffer)[0]),
          fc.constantFrom(0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 1, 0x807fffff, 0x3f800000, 0xbf800000),
        ), { minLength: 1, maxLength: 3000, size: 'max' }),
        (patterns) => {
          const x = new Float32Array(Uint32Array.from(patterns).buffer);
          const out = erfFp32(x, new Float32Array(x.length));
          for (let i = 0; i < x.length; i++) if (!same(out[i], Math.fround(erf(x[i])))) return false;
          return true;
        },
      ),
      { seed: 17, numRuns: 60 },
    );
    expect(kernel.calls > before).toBe(wasm);
  });
});

describe('erf', () => {
  it("the WebAssembly module's exp is Math.exp, bit for bit, in every branch and at its edges", () => {
    const k = vectorRows()!;
    const args: number[] = [0, -0, 1, -1, Infinity, -Infinity, NaN, 2 ** -28, -(2 ** -28), 2 ** -29, 1e-300, -1e-300,
      709.782712893384, 709.79, -745.1332191019412, -745.14, -708.39, -708.4, -720, -1074 * Math.LN2];
    // the branch edges on the high word (0x3fd62e42: 0.5 ln2, 0x3ff0a2b2: 1.5 ln2, 0x40862e42: ~709.78, 0x3e300000: 2^-28)
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const hi of [0x3fd62e42, 0x3fd62e43, 0x3ff0a2b1, 0x3ff0a2b2, 0x40862e41, 0x40862e42, 0x3e2fffff, 0x3e300000]) {
      for (const lo of [0, 1, 0x80000000, 0xffffffff]) args.push(fromWords(hi, lo), -fromWords(hi, lo));
      for (let i = 0; i < 5000; i++) args.push(fromWords(hi, (rnd() * 2 ** 32) >>> 0));
    }
    for (let i = 0; i < 100_000; i++) args.push(-45 * rnd(), (rnd() - 0.5) * 1500, (rnd() - 0.5) * 2, fromWords((rnd() * 0x7ff00000) >>> 0, (rnd() * 2 ** 32) >>> 0));
    const bad = args.filter((x) => !same(k.exp(x), Math.exp(x)) || !same(k.exp(-x), Math.exp(-x)));
    expect(bad.slice(0, 5)).toEqual([]);
    // and four and two lanes at a time (the erf and softmax rows' exp), in every lane
    const all = Float64Array.from([...args, ...args.map((x) => -x), 0.5, ...args]);
    const lanes = k.expMany(all);
    expect([...all].filter((x, i) => !same(lanes[i], Math.exp(x))).slice(0, 5)).toEqual([]);
    // one argument outside the four-lane steps' range (1: V8's E; tiny, huge, special) in each
    // lane of a group whose other lanes are ordinary, so each lane's test must send it away
    const groups: number[] = [];
    for (const v of [1, 2 ** -29, -(2 ** -29), 0, -0, 700, -700, 709.79, -745.14, NaN, Infinity, -Infinity, 1e-300]) {
      for (let p = 0; p < 4; p++) {
        const g = [0.7, -0.3, -2.5, 3.25];
        g[p] = v;
        groups.push(...g);
      }
    }
    const lanes4 = k.expMany(Float64Array.from(groups));
    expect(groups.filter((x, i) => !same(lanes4[i], Math.exp(x))).slice(0, 5)).toEqual([]);
    expect(args.length).toBeGreaterThan(400_000);
  });

  it('matches Abramowitz & Stegun Table 7.1 within 1.2e-7 (relative to erfc)', () => {
    // x, erf(x) to 10 places (Abramowitz & Stegun, Handbook of Mathematical Functions, Table 7.1)
    const table: [number, number][] = [[0.1, 0.1124629160], [0.5, 0.5204998778], [1, 0.8427007929], [1.5, 0.9661051465], [2, 0.9953222650]];
    for (const [x, want] of table) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1.2e-7 * (1 - want) + 1e-10);
      expect(erf(-x)).toBe(-erf(x));
    }
  });
});

describe('softmax rows on the fp32 vector unit', () => {
  afterEach(() => setWasmKernels(true));
  it('equal softmaxRow element by element (a causal mask, masked rows, NaN, odd lengths), in WebAssembly and TypeScript', () => {
    const g = { name: 't', tensors: new Map(), nodes: [], inputs: [], outputs: [] } as unknown as Graph;
    const node = { op: 'softmax', name: 's', inputs: ['x'], output: 'y', axis: -1 } as unknown as GraphNode;
    const generic = (v: number) => Math.fround(v);
    for (const wasm of [true, false]) {
      const kernel = vectorRows()!, before = kernel.calls;
      setWasmKernels(wasm);
      fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (rows, len, seed) => {
        let s = seed;
        const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
        // causal rows: position j > row's limit masked; some rows all masked, some NaN
        const x = Float32Array.from({ length: rows * len }, (_, i) => {
          const r = Math.floor(i / len), j = i % len;
          if (r % 7 === 3 || j > (r * 5) % len) return -Infinity;
          return rnd() < 0.01 ? NaN : Math.fround((rnd() - 0.5) * 40);
        });
        const got = runKernel(g, node, arithmeticOf({}), () => x, [[rows, len]], [rows, len]);
        const want = new Float32Array(x.length);
        for (let r = 0; r < rows; r++) softmaxRow(x, want, r * len, 1, len, generic);
        for (let i = 0; i < x.length; i++) if (!same(got[i], want[i])) return false;
        return true;
      }), { seed: 41, numRuns: 150 });
      expect(kernel.calls > before).toBe(wasm);
    }
  });
});

/**
 * Layer norm and RMS norm on the fp32 vector unit against their definition written out here,
 * one row at a time: the mean a float64 sum in order rounded to fp32, the variance a float64
 * sum of squared differences in order, inv = fp32(1 / sqrt(fp32(var / d) + eps)), then each
 * element's fp32 steps; odd row counts (the WebAssembly rows take two at a time), lengths that
 * are no multiple of 4, rows of zeros, NaN and infinities.
 */
describe('layer norm and RMS norm on the fp32 vector unit', () => {
  afterEach(() => setWasmKernels(true));
  const g = { name: 't', tensors: new Map(), nodes: [], inputs: [], outputs: [] } as unknown as Graph;
  const f = Math.fround;
  function definition(x: Float32Array, gamma: Float32Array, beta: Float32Array | undefined, rows: number, d: number, centre: boolean, eps: number): Float32Array {
    const o = new Float32Array(x.length);
    for (let r = 0; r < rows; r++) {
      let mean = 0;
      if (centre) {
        let s = 0;
        for (let i = 0; i < d; i++) s += x[r * d + i];
        mean = f(s / d);
      }
      let v = 0;
      for (let i = 0; i < d; i++) {
        const c = x[r * d + i] - mean;
        v += c * c;
      }
      const inv = f(1 / Math.sqrt(f(v / d) + eps));
      for (let i = 0; i < d; i++) {
        let y = f(f(f(x[r * d + i] - mean) * inv) * gamma[i]);
        if (beta) y = f(y + beta[i]);
        o[r * d + i] = y;
      }
    }
    return o;
  }
  for (const [op, withBeta] of [['layernorm', true], ['layernorm', false], ['rmsnorm', false]] as const) {
    it(`${op}${op === 'layernorm' ? (withBeta ? ' with beta' : ' without beta') : ''}: every element the definition's, in WebAssembly and TypeScript`, () => {
      for (const wasm of [true, false]) {
        const kernel = vectorRows()!, before = kernel.calls;
        setWasmKernels(wasm);
        fc.assert(fc.property(fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (rows0, d, seed) => {
          const rows = Math.max(rows0, Math.ceil(256 / d)); // enough elements for the WebAssembly rows
          let s = seed;
          const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
          const x = Float32Array.from({ length: rows * d }, (_, i) => {
            const r = Math.floor(i / d);
            if (r % 11 === 5) return 0;
            const u = rnd();
            return u < 0.003 ? NaN : u < 0.006 ? (u < 0.0045 ? Infinity : -Infinity) : f((rnd() - 0.3) * 2 ** Math.floor(rnd() * 12 - 4));
          });
          const gamma = Float32Array.from({ length: d }, () => f(rnd() * 2 - 0.5));
          const beta = withBeta ? Float32Array.from({ length: d }, () => f(rnd() - 0.5)) : undefined;
          const eps = [1e-5, 1e-6, 0][seed % 3];
          const node = { op, name: 'n', inputs: beta ? ['x', 'g', 'b'] : ['x', 'g'], output: 'y', eps } as unknown as GraphNode;
          const inputs = beta ? [x, gamma, beta] : [x, gamma];
          const got = runKernel(g, node, arithmeticOf({}), (j) => inputs[j], inputs.map((t) => (t === x ? [rows, d] : [d])), [rows, d]);
          const want = definition(x, gamma, beta, rows, d, op === 'layernorm', eps);
          for (let i = 0; i < x.length; i++) if (!same(got[i], want[i])) return false;
          return true;
        }), { seed: 43, numRuns: 150 });
        expect(kernel.calls > before).toBe(wasm);
      }
    });
  }
});
