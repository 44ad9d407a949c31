/**
 * Element-wise nodes (add, sub, mul, div) and Where run over the broadcast's rows
 * (models/exec/kernel-util.ts broadcastPlan), in WebAssembly SIMD (models/exec/wasm/vector-rows.wat)
 * and in the TypeScript loops; both held here against numpy broadcasting written out in the
 * test (each output's multi-index, each input's index from it: size-1 and missing dimensions
 * read index 0), bit for bit, on random shapes of rank 0-5 with every mix of broadcast
 * dimensions, size-1 dimensions and operands of the output's shape, NaN and Inf among the values;
 * transposes (output row by output row) against the permuted index, on random ranks 0-6.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { arithmeticOf, runKernel } from '../../models/exec/executor.ts';
import type { Graph } from '../../models/graph.ts';
import type { GraphNode } from '../../models/operators.ts';
import { vectorRows } from '../../models/exec/wasm/vector-rows.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';

/** the input's element for output element e (numpy broadcasting, row-major) */
function broadcastRead(out: readonly number[], shape: readonly number[], x: Float32Array, e: number): number {
  let idx = 0, stride = 1, rest = e;
  const r = out.length;
  const digits = new Array<number>(r);
  for (let d = r - 1; d >= 0; d--) {
    digits[d] = rest % out[d];
    rest = Math.floor(rest / out[d]);
  }
  for (let d = shape.length - 1; d >= 0; d--) {
    const od = d + (r - shape.length);
    idx += (shape[d] === 1 ? 0 : digits[od]) * stride;
    stride *= shape[d];
  }
  return x[idx];
}

/** calls the WebAssembly rows ran from now on */
function callsSince(): () => number {
  setWasmKernels(true);
  const k = vectorRows()!, before = k.calls;
  return () => k.calls - before;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: number, b: number) => Object.is(a, b) || (a !== a && b !== b);

/** an output shape and input shapes broadcasting to it: each input drops leading dims and sets some to 1 */
const shapes = (inputs: number) => fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 5 }).chain((out) =>
  fc.tuple(fc.constant(out), fc.array(fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 })), { minLength: inputs, maxLength: inputs }))
    .map(([o, specs]) => [o, specs.map(([drop, ones]) => o.slice(drop).map((d, i) => (ones[i] ? 1 : d)))] as const));

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0];
const values = (n: number, seed: number, zeros = false) =>
  Float32Array.from({ length: n }, (_, i) => (zeros && (i * 7 + seed) % 3 === 0 ? 0 : (i * 13 + seed) % 29 === 0 ? SPECIAL[(i + seed) % 5] : Math.fround(Math.sin(i * 1.3 + seed) * 10 + 0.5)));

describe.each([['WebAssembly', true], ['TypeScript', false]] as const)('element-wise nodes over broadcast rows (%s)', (_name, wasm) => {
  afterEach(() => setWasmKernels(true));
  const arith = arithmeticOf({});
  const g = { name: 't', tensors: new Map(), nodes: [], inputs: [], outputs: [] } as unknown as Graph;
  for (const op of ['add', 'sub', 'mul', 'div'] as const) {
    it(`${op}: every output is the broadcast elements' ${op}, rounded to fp32`, () => {
      const ran = callsSince();
      setWasmKernels(wasm);
      fc.assert(fc.property(shapes(2), ([out, [sa, sb]]) => {
        const a = values(numel(sa), 1), b = values(numel(sb), 2);
        const node = { op, name: 'n', inputs: ['a', 'b'], output: 'o' } as unknown as GraphNode;
        const o = runKernel(g, node, arith, (j) => (j === 0 ? a : b), [sa, sb], out);
        for (let e = 0; e < numel(out); e++) {
          const x = broadcastRead(out, sa, a, e), y = broadcastRead(out, sb, b, e);
          const want = Math.fround(op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : x / y);
          if (!same(o[e], want)) return false;
        }
        return true;
      }), { seed: 31, numRuns: 300 });
      expect(ran() > 0).toBe(wasm);
    });
  }

  it('where: every output is x or y as the broadcast condition says', () => {
    const ran = callsSince();
    setWasmKernels(wasm);
    fc.assert(fc.property(shapes(3), ([out, [sc, sx, sy]]) => {
      const c = values(numel(sc), 3, true), x = values(numel(sx), 4), y = values(numel(sy), 5);
      const node = { op: 'where', name: 'n', inputs: ['c', 'x', 'y'], output: 'o' } as unknown as GraphNode;
      const o = runKernel(g, node, arith, (j) => [c, x, y][j], [sc, sx, sy], out);
      for (let e = 0; e < numel(out); e++) {
        const want = broadcastRead(out, sc, c, e) !== 0 ? broadcastRead(out, sx, x, e) : broadcastRead(out, sy, y, e);
        if (!same(o[e], want)) return false;
      }
      return true;
    }), { seed: 37, numRuns: 300 });
    expect(ran() > 0).toBe(wasm);
  });
});

describe.each([['WebAssembly', true], ['TypeScript', false]] as const)('transpose over output rows (%s)', (_name, wasm) => {
  afterEach(() => setWasmKernels(true));
  const arith = arithmeticOf({});
  const g = { name: 't', tensors: new Map(), nodes: [], inputs: [], outputs: [] } as unknown as Graph;
  it('output element at index (i_0..i_r-1) is the input element whose index along perm[d] is i_d', () => {
    const ran = callsSince();
    setWasmKernels(wasm);
    const shapePerm = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: 6 }).chain((shape) =>
      fc.tuple(fc.constant(shape), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length })));
    fc.assert(fc.property(shapePerm, ([shape, perm]) => {
      const x = values(numel(shape), 6);
      const out = perm.map((p) => shape[p]);
      const node = { op: 'transpose', name: 'n', inputs: ['x'], output: 'o', perm } as unknown as GraphNode;
      const o = runKernel(g, node, arith, () => x, [shape], out);
      for (let e = 0; e < numel(out); e++) {
        // the output's multi-index, then the input's row-major offset of the permuted index
        const idx = new Array<number>(out.length);
        for (let d = out.length - 1, rest = e; d >= 0; d--) {
          idx[d] = rest % out[d];
          rest = Math.floor(rest / out[d]);
        }
        const inIdx = new Array<number>(shape.length);
        perm.forEach((p, d) => { inIdx[p] = idx[d]; });
        const at = inIdx.reduce((acc, v, d) => acc * shape[d] + v, 0);
        if (!same(o[e], x[at])) return false;
      }
      return true;
    }), { seed: 41, numRuns: 400 });
    expect(ran() > 0).toBe(wasm);
  });
});
