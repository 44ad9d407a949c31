/**
 * Execution-only fusions (models/exec/fusion.ts): a linear layer and its bias add, against the
 * unfused layer's results plus the bias written out; an attention's scaled and masked scores
 * into their softmax, against the rows written out (kernel-util.ts softmaxRow); GELU's exported chain (x / c1, erf, + c2,
 * times x, times c3) computed by one kernel. Its outputs against the chain written out here
 * element by element (binary32 operations as Math.fround of the float64 ones, kernel-util.ts
 * erf, itself held to erf's definition and to Abramowitz & Stegun in vector-unit-bits.test.ts),
 * specials, tails and sizes below the rows' included; found four times in the trained language
 * model, whose logits stay the same bits with it and without it (keepAll, which fuses nothing);
 * and not found where a link of the chain is read elsewhere, is a graph output or is no scalar.
 */
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../models/accuracy/task.ts';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { loadText, windowTokens } from '../../models/data/text.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { executeGraph } from '../../models/exec/executor.ts';
import { fusionsOf } from '../../models/exec/fusion.ts';
import { erf, softmaxRow } from '../../models/exec/kernel-util.ts';
import { GELU_EXPORTED, vectorRows } from '../../models/exec/wasm/vector-rows.ts';
import { fp32Quantizer } from '../../sim/pe/fp32-quantizer.ts';
import type { Graph } from '../../models/graph.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { setWasmKernels } from '../../sim/pe/wasm/switch.ts';

const same = (a: number, b: number) => Object.is(a, b) || (a !== a && b !== b);

type Variant = 'plain' | 'swapped' | 'erf-output' | 'second-reader' | 'vector-constant';

/** GELU as PyTorch exports it, or with one link broken */
function gelu(n: number, variant: Variant, c = [Math.SQRT2, 1, 0.5]): Graph {
  const b = new GraphBuilder(`gelu-${variant}`, { weights: true, seed: 3 });
  const x = b.input('x', [1, n]);
  const c1 = b.buffer('c1', variant === 'vector-constant' ? [n] : [1], { kind: 'const', value: c[0] });
  const c2 = b.buffer('c2', [1], { kind: 'const', value: c[1] });
  const c3 = b.buffer('c3', [1], { kind: 'const', value: c[2] });
  const d = b.binary('div', x, c1, 'd');
  b.add({ op: 'erf', name: 'e', inputs: [d], output: 'e' } as never);
  const a = variant === 'swapped' ? b.binary('add', c2, 'e', 'a') : b.binary('add', 'e', c2, 'a');
  const m = variant === 'swapped' ? b.binary('mul', a, x, 'm') : b.binary('mul', x, a, 'm');
  b.binary('mul', m, c3, 'y');
  if (variant === 'second-reader') b.add({ op: 'relu', name: 'r', inputs: ['a'], output: 'r' } as never);
  b.output('y', ...(variant === 'erf-output' ? ['e'] : variant === 'second-reader' ? ['r'] : []));
  return b.g;
}

/** the chain, one binary32 operation at a time */
function written(x: Float32Array, [c1, c2, c3]: number[]): Float32Array {
  const f = Math.fround;
  return x.map((v) => f(f(f(v * f(f(erf(f(v / c1))) + c2))) * c3));
}

describe('execution-only fusions', () => {
  it('GELU: the chain written out element by element, specials, tails and small tensors included, operands either way round', () => {
    const specials = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1, 5.5, -5.5, 0.0001];
    for (const [n, variant, c] of [[1000, 'plain', [Math.SQRT2, 1, 0.5]], [1003, 'swapped', [-3, 0.25, -2]], [100, 'plain', [Math.SQRT2, 1, 0.5]], [8197, 'plain', [1.5, -1, 3]]] as const) {
      const g = gelu(n, variant, [...c]);
      expect(fusionsOf(g).size).toBe(1);
      const x = Float32Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i] : Math.fround(Math.sin(i * 0.37) * 6)));
      const before = vectorRows()!.calls;
      const y = executeGraph(g, { x }).get('y')!;
      // at least the rows' size: one call for the chain; below it the nodes one by one in TypeScript
      if (n >= 256) expect(vectorRows()!.calls - before).toBe(1);
      const want = written(x, [...c].map(Math.fround));
      for (let i = 0; i < n; i++) expect(same(y[i], want[i]), `${variant} n=${n} x=${x[i]}: ${y[i]} vs ${want[i]}`).toBe(true);
      // the kernels off: the fusion declines and the nodes run in TypeScript, the same bits
      setWasmKernels(false);
      const off = executeGraph(g, { x }).get('y')!;
      setWasmKernels(true);
      for (let i = 0; i < n; i++) expect(same(off[i], want[i]), `kernels off n=${n} x=${x[i]}`).toBe(true);
      // and every node run (keepAll keeps the intermediate tensors, so it fuses nothing)
      const all = executeGraph(g, { x }, { keepAll: true });
      expect(all.has('e')).toBe(true);
      const y2 = all.get('y')!;
      for (let i = 0; i < n; i++) expect(same(y[i], y2[i])).toBe(true);
    }
  });

  it('found again when the graph changes after a run (a node added that reads a link)', () => {
    const g = gelu(600, 'plain');
    const x = Float32Array.from({ length: 600 }, (_, i) => Math.fround(Math.cos(i) * 4));
    const y1 = executeGraph(g, { x }).get('y')!.slice();
    expect(fusionsOf(g).size).toBe(1);
    g.nodes.push({ op: 'relu', name: 'r', inputs: ['e'], output: 'r' } as never);
    g.tensors.set('r', { name: 'r', shape: [1, 600], role: 'activation', dtype: 'float32' });
    g.outputs.push('r');
    expect(fusionsOf(g).size).toBe(0);
    const out = executeGraph(g, { x });
    const want = written(x, [Math.SQRT2, 1, 0.5].map(Math.fround));
    for (let i = 0; i < 600; i++) {
      expect(same(out.get('y')![i], y1[i]) && same(y1[i], want[i])).toBe(true);
      expect(same(out.get('r')![i], Math.max(0, Math.fround(erf(Math.fround(x[i] / Math.fround(Math.SQRT2))))))).toBe(true);
    }
  });

  it('not found where a link is read elsewhere, is a graph output or is no scalar, or a mask is no constant', () => {
    for (const variant of ['erf-output', 'second-reader', 'vector-constant'] as const) expect(fusionsOf(gelu(512, variant)).size, variant).toBe(0);
    const b = new GraphBuilder('scores-input-mask', { weights: true, seed: 6 });
    const s = b.input('s', [1, 2, 8, 8]), mask = b.input('mask', [8, 8]);
    const scaled = b.binary('mul', s, b.buffer('c', [1], { kind: 'const', value: 0.5 }), 'scaled');
    b.add({ op: 'where', name: 'w', inputs: [mask, b.buffer('fill', [1], { kind: 'const', value: -Infinity }), scaled], output: 'w' } as never);
    b.add({ op: 'softmax', name: 'p', inputs: ['w'], output: 'p', axis: -1 } as never);
    b.output('p');
    expect(fusionsOf(b.g).size).toBe(0);
  });

  it('a linear layer and its bias add: the unfused layer\'s results plus the bias, each sum a binary32 addition, either operand first', () => {
    for (const [kind, first] of [['fp8-e4m3', true], ['fp8-e4m3', false], ['fp32', true], ['bf16', false]] as const) {
      const b = new GraphBuilder('lin-bias', { weights: true, seed: 4 });
      const x = b.input('x', [1, 24, 40]);
      const l = b.linear(x, 'l', 36, { bias: false });
      const bias = b.buffer('bias', [36], { kind: 'const', value: 0 });
      const bd = b.g.tensors.get(bias)!.data!;
      for (let j = 0; j < 36; j++) bd[j] = Math.fround(Math.sin(j * 0.7) * 3);
      bd[5] = NaN;
      b.binary('add', first ? bias : l, first ? l : bias, 'y');
      b.output('y');
      const g = b.g;
      expect([...fusionsOf(g).values()].map((f) => f.output)).toEqual(['y']);
      const xs = Float32Array.from({ length: 24 * 40 }, (_, i) => Math.fround(Math.sin(i * 1.3) * 2));
      const array = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
      const y = executeGraph(g, { x: xs }, { array }).get('y')!;
      const all = executeGraph(g, { x: xs }, { array, keepAll: true });
      const lv = all.get(l)!;
      for (let i = 0; i < 24; i++) {
        for (let j = 0; j < 36; j++) expect(same(y[i * 36 + j], Math.fround(lv[i * 36 + j] + bd[j])), `${kind} (${i}, ${j})`).toBe(true);
      }
    }
  });

  it('scaled and masked scores into their softmax: the rows written out (binary32 product, select, softmaxRow), either Where and either operand order', () => {
    for (const [T, fillFirst, scalarFirst] of [[13, true, false], [32, false, true], [9, true, true]] as const) {
      const b = new GraphBuilder('scores', { weights: true, seed: 6 });
      const s = b.input('s', [1, 3, T, T]);
      const c = b.buffer('c', [1], { kind: 'const', value: 0.125 });
      const scaled = scalarFirst ? b.binary('mul', c, s, 'scaled') : b.binary('mul', s, c, 'scaled');
      const mask = b.buffer('mask', [T, T], { kind: 'const', value: 0 });
      const md = b.g.tensors.get(mask)!.data!;
      // causal where the fill goes where the mask is not 0; a NaN counts as not 0
      for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) md[i * T + j] = (j > i) === fillFirst ? 1 : 0;
      md[2] = NaN;
      const fill = b.buffer('fill', [1], { kind: 'const', value: -Infinity });
      b.add({ op: 'where', name: 'w', inputs: fillFirst ? [mask, fill, scaled] : [mask, scaled, fill], output: 'w' } as never);
      b.add({ op: 'softmax', name: 'p', inputs: ['w'], output: 'p', axis: -1 } as never);
      b.output('p');
      const g = b.g;
      expect([...fusionsOf(g).values()].map((f) => f.output)).toEqual(['p']);
      const x = Float32Array.from({ length: 3 * T * T }, (_, i) => (i === 7 ? NaN : Math.fround(Math.sin(i * 0.91) * 9)));
      const p = executeGraph(g, { s: x }).get('p')!;
      const want = new Float32Array(x.length), row = new Float32Array(x.length);
      for (let r = 0; r < 3 * T; r++) {
        for (let j = 0; j < T; j++) {
          const m = md[(r % T) * T + j], fills = (m !== 0) === fillFirst;
          row[r * T + j] = fills ? -Infinity : Math.fround(x[r * T + j] * 0.125);
        }
        softmaxRow(row, want, r * T, 1, T, Math.fround);
      }
      for (let i = 0; i < x.length; i++) expect(same(p[i], want[i]), `T=${T} ${i}: ${p[i]} vs ${want[i]}`).toBe(true);
      const all = executeGraph(g, { s: x }, { keepAll: true }).get('p')!;
      for (let i = 0; i < x.length; i++) expect(same(p[i], all[i])).toBe(true);
    }
  });

  it("the language model's 25 linear layers with their biases, four attentions' scores and four GELUs; its logits the same bits fused and not (keepAll)", () => {
    const g = loadGraph(resolveTrainedModel('lm-austen'));
    const outputs = [...fusionsOf(g).values()].map((f) => f.output);
    expect(outputs.filter((o) => o.endsWith('/Mul_1_output_0'))).toEqual([0, 1, 2, 3].map((i) => `/blocks.${i}/Mul_1_output_0`));
    expect(outputs.filter((o) => o.endsWith('/Softmax_output_0')).length).toBe(4);
    // the head's bias add gives the graph's output itself
    expect(outputs.filter((o) => o.endsWith('/Add_output_0') || o === 'logits').length).toBe(25);
    const text = loadText('austen');
    for (const kind of ['fp32', 'fp8-e4m3']) {
      const array = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
      const tokens = windowTokens(text, 3, 128);
      const fused = executeGraph(g, { tokens }, { array, tokenScales: true }).get('logits')!;
      const all = executeGraph(g, { tokens }, { array, tokenScales: true, keepAll: true }).get('logits')!;
      for (let i = 0; i < fused.length; i++) expect(same(fused[i], all[i]), `${kind} ${i}`).toBe(true);
    }
  });
});

/** GELU (the exported constants, or others) read by a linear layer alone, as its activations */
function geluLinear(rows: number, k: number, c = [Math.SQRT2, 1, 0.5]): Graph {
  const b = new GraphBuilder('gelu-linear', { weights: true, seed: 5 });
  const x = b.input('x', [rows, k]);
  const c1 = b.buffer('c1', [1], { kind: 'const', value: c[0] });
  const c2 = b.buffer('c2', [1], { kind: 'const', value: c[1] });
  const c3 = b.buffer('c3', [1], { kind: 'const', value: c[2] });
  const d = b.binary('div', x, c1, 'd');
  b.add({ op: 'erf', name: 'e', inputs: [d], output: 'e' } as never);
  const m = b.binary('mul', x, b.binary('add', 'e', c2, 'a'), 'm');
  b.output(b.linear(b.binary('mul', m, c3, 'y'), 'fc', 24));
  return b.g;
}

describe('GELU for a reader that rounds it into a narrow format', () => {
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 448, -448, 500, 1e5, 2 ** -9, -(2 ** -9)];
  const spread = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i] : Math.fround(Math.sin(i * 0.37 + seed) * 8)));

  it('read by one fp8 linear layer alone: the layer\'s outputs the same bits as from the chain unfused (keepAll), the fast rows taken; not for fp32, other constants or another reader', () => {
    const vr = vectorRows()!;
    for (const [kind, c, fast] of [['fp8-e4m3', undefined, true], ['fp8-e5m2', undefined, true], ['lmul-fp8-e4m3', undefined, true],
      ['fp32', undefined, false], ['fp8-e4m3', [1.5, 1, 0.5], false], ['fp8-e4m3', [Math.SQRT2, 1, 0.25], false]] as const) {
      const g = geluLinear(40, 64, c ? [...c] : undefined);
      const array = arrayBackend(getPe(kind), { dataflow: 'os', rows: 32 });
      const x = spread(40 * 64, 1);
      const before = vr.geluNarrowCalls;
      const fused = executeGraph(g, { x }, { array }).get('fc')!;
      expect(vr.geluNarrowCalls - before, `${kind} ${c}`).toBe(fast ? 1 : 0);
      const all = executeGraph(g, { x }, { array, keepAll: true }).get('fc')!;
      for (let i = 0; i < fused.length; i++) expect(same(fused[i], all[i]), `${kind} ${c} ${i}`).toBe(true);
    }
  });

  it('on 2^20 fp32 inputs (bit patterns of every kind, [-8, 8], the tails) each output rounds into e4m3 and e5m2 as the exact chain\'s value does (every fp32 input: npm run gelu-check)', () => {
    const vr = vectorRows()!;
    const n = 2 ** 20;
    const x = spread(n, 2), bits = new Uint32Array(x.buffer);
    // a quarter random bit patterns, a quarter the negative tail where GELU's values fall through the subnormals
    for (let i = n / 2; i < (3 * n) / 4; i++) bits[i] = Math.imul(i, 2654435761) >>> 0;
    for (let i = (3 * n) / 4; i < n; i++) x[i] = Math.fround(-1 - ((i * 0.618034) % 1) * 5);
    const exact = new Float32Array(n);
    expect(vr.erf(x, exact, GELU_EXPORTED)).toBe(true);
    for (const kind of ['fp8-e4m3', 'fp8-e5m2']) {
      const pe = getPe(kind);
      const f = arrayBackend(pe, { dataflow: 'os', rows: 32 }).inputRounding!()!;
      if (pe.input.kind !== 'float') throw new Error(`${kind}: no float activations`);
      const q = fp32Quantizer(pe.input, pe.quantizeOptions)!;
      const o = new Float32Array(n);
      // ordinary values from the fast rows all but a fraction of a percent (above the format's
      // largest value, NaN, 0 and |x| >= 2^100 from the exact chain: most random bit patterns)
      const left = vr.geluExactGroups;
      expect(vr.geluNarrow(x.subarray(specials.length, n / 2), o.subarray(specials.length, n / 2), f)).toBe(true);
      expect(vr.geluExactGroups - left).toBeLessThan(n / 2 / 4 / 100);
      expect(vr.geluNarrow(x, o, f)).toBe(true);
      const a = new Uint32Array(n), b = new Uint32Array(n);
      q.many!(o, a);
      q.many!(exact, b);
      let differ = 0;
      for (let i = 0; i < n; i++) if (a[i] !== b[i]) differ++;
      expect(differ, kind).toBe(0);
    }
  });
});
