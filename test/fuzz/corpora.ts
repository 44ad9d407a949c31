/**
 * The fuzz corpora: for every kind of input a user hands bitweave, a valid seed input and
 * fast-check generators of malformed ones, plus hand-made cases of the defects issue 19
 * found (alias bombs, a BOM, control characters, absurd sizes, ...). Every input is a
 * FuzzInput: files, a command line and stdin, run by test/fuzz/driver.ts.
 *
 *   arch      arch YAML / JSON files             run --arch FILE
 *   cfg       SCALE-Sim .cfg files               run --arch FILE.cfg
 *   topology  SCALE-Sim topology CSVs            run --model FILE.csv
 *   onnx      ONNX models: truncated, byte-flipped, another message type, absurd dims
 *   sweep     sweep files                        sweep FILE --check (and a few real runs)
 *   report    run results and sweep results      report FILE --out DIR
 *   baseline  precision baselines                precision check --baseline FILE (refused ones)
 *   stdin     quantize / mul input lines
 *   options   command lines built from every command's options and junk
 *
 * Every generated run is kept small with `--max` (limits of sim/limits.ts), so a valid input
 * finishes in well under a second and the time bound tests the limits, not the machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { getPreset } from '../../sim/arch/presets.ts';
import onnxPkg from 'onnx-proto';
import { repoRoot } from '../cli/run-cli.ts';
import { OnnxModelBuilder } from '../models/onnx-builder.ts';
import type { FuzzInput } from './driver.ts';

const { onnx } = onnxPkg;

/** limits that keep a valid fuzzed run small (and exercise the limit checks) */
export const SMALL = ['--max', 'folds=20000', '--max', 'run_folds=200000', '--max', 'functional_macs=2000000', '--max', 'layers=2000', '--max', 'samples=20000', '--max', 'scalesim_steps=20000000'];

// ---------- values and mutations ----------

const nasty = fc.constantFrom(
  '', ' ', 'abc', 'NaN', 'inf', '-inf', '1e9', '1e20', '99999999999999999999', '0x10', '-5', '1.5', '0', '-0',
  '\u001b[31mred\u001b[0m', 'a\rb', 'nul\u0000', '\u202eevil', 'x'.repeat(300), 'é', '../../etc/passwd', '*alias', '&anchor',
);
const junkScalar = fc.oneof(
  fc.integer({ min: -10, max: 300 }),
  fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53, 1e20, 1e308, -1e308, 4294967296),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  nasty,
  fc.string({ maxLength: 12 }),
);
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: junkScalar },
  { weight: 1, arbitrary: fc.array(junkScalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), junkScalar, { maxKeys: 3 }) },
);

/** every path to a value inside a JSON document */
function pathsOf(doc: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) pathsOf(v, [...prefix, k], out);
  return out;
}

interface Mutation {
  readonly at: number;
  readonly op: 'delete' | 'replace' | 'add' | 'wrap';
  readonly value: unknown;
  readonly key: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'replace', 'add', 'wrap'),
  value: junkValue,
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('rows', 'cols', 'pe', 'acc', 'psum', 'type', 'bandwidth', 'ifmap_kb', 'extra')),
});

/** the document with the mutations applied (a structural copy; the seed document is kept) */
function mutate(doc: unknown, muts: readonly Mutation[]): unknown {
  let d: unknown = structuredClone(doc);
  for (const m of muts) {
    const paths = pathsOf(d);
    const path = paths[m.at % paths.length];
    if (path.length === 0) {
      d = m.op === 'replace' ? m.value : m.op === 'wrap' ? [d] : d;
      continue;
    }
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], d) as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'replace') parent[last] = m.value;
    else if (m.op === 'wrap') parent[last] = [parent[last]];
    else if (!Array.isArray(parent)) parent[m.key] = m.value;
  }
  return d;
}

interface TextMutation {
  readonly at: number;
  readonly op: 'truncate' | 'flip' | 'insert' | 'dupline' | 'dropline' | 'bom' | 'crlf';
  readonly text: string;
  readonly byte: number;
}

const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('truncate', 'flip', 'insert', 'dupline', 'dropline', 'bom', 'crlf'),
  text: fc.oneof(nasty, fc.string({ maxLength: 6 }), fc.constantFrom(':', ',', '[', ']', '{', '\n', '- ', '*a', '&a ', '"', '\t', '#')),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutateText(text: string, muts: readonly TextMutation[]): Uint8Array {
  let b = Buffer.from(text, 'utf8');
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    const lines = b.toString('utf8').split('\n');
    const li = m.at % Math.max(1, lines.length);
    switch (m.op) {
      case 'truncate': b = b.subarray(0, at); break;
      case 'flip': if (b.length > 0) { b = Buffer.from(b); b[at] = m.byte; } break;
      case 'insert': b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'utf8'), b.subarray(at)]); break;
      case 'dupline': lines.splice(li, 0, lines[li] ?? ''); b = Buffer.from(lines.join('\n')); break;
      case 'dropline': lines.splice(li, 1); b = Buffer.from(lines.join('\n')); break;
      case 'bom': b = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]); break;
      case 'crlf': b = Buffer.from(b.toString('utf8').replace(/\n/g, '\r\n')); break;
    }
  }
  return b;
}

/** a document as its file: mutated structurally, then maybe as text */
const docFile = (doc: unknown, format: 'yaml' | 'json') =>
  fc.tuple(
    // a third of the documents keep their structure (valid runs), the rest get one to three edits
    fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }) }),
    fc.boolean(),
  ).map(([ms, ts, asText]) => {
    const d = mutate(doc, ms);
    const text = format === 'json' ? JSON.stringify(d, null, 2) : YAML.stringify(d);
    return asText || ms.length === 0 ? mutateText(text, ts) : Buffer.from(text);
  });

/** n inputs of an arbitrary, reproducibly from a seed */
function sample<T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] {
  return n <= 0 ? [] : fc.sample(arb, { seed, numRuns: n });
}

// ---------- the corpora ----------

function archInputs(n: number, seed: number): FuzzInput[] {
  const base = getPreset('edge');
  const hand: FuzzInput[] = [
    // a YAML alias bomb: 9 levels of 9 aliases each
    { category: 'arch', files: { 'a.yaml': `a: &a [x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n` }, args: ['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8'] },
    // a UTF-8 byte-order mark: accepted in JSON as in YAML
    { category: 'arch', files: { 'a.json': `\ufeff${JSON.stringify(base)}` }, args: ['run', '--arch', '{dir}/a.json', '--gemm', '8x8x8', '--json'] },
    { category: 'arch', files: { 'a.yaml': `\ufeff${YAML.stringify(base)}` }, args: ['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8', '--json'] },
    // control characters that would recolour a terminal
    { category: 'arch', files: { 'a.yaml': YAML.stringify({ ...base, dataflow: '\u001b[31mos' }) }, args: ['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8'] },
    // a directory, and an empty file, given as the arch
    { category: 'arch', files: { 'a.yaml': '' }, args: ['run', '--arch', '{dir}', '--gemm', '8x8x8'] },
    { category: 'arch', files: { 'a.yaml': '' }, args: ['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8'] },
    { category: 'arch', files: { 'a.yaml': YAML.stringify({ ...base, array: { rows: 1e9, cols: 1e9 } }) }, args: ['run', '--arch', '{dir}/a.yaml', '--gemm', '8x8x8'] },
  ];
  const gen = fc.tuple(fc.constantFrom<'yaml' | 'json'>('yaml', 'json'), fc.boolean()).chain(([fmt, out]) =>
    docFile(base, fmt).map((bytes): FuzzInput => ({
      category: 'arch',
      files: { [`a.${fmt}`]: bytes },
      args: ['run', '--arch', `{dir}/a.${fmt}`, '--gemm', '16x16x16', ...(out ? ['--out', '{dir}/out'] : ['--json']), ...SMALL],
    })));
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

function cfgInputs(n: number, seed: number): FuzzInput[] {
  const texts = ['scale.cfg', 'scale_v3.cfg', 'google.cfg', 'eyeriss.cfg'].map((f) => readFileSync(join(repoRoot, 'models/data/scalesim/configs', f), 'utf8'));
  const hand: FuzzInput[] = [
    { category: 'cfg', files: { 'a.cfg': texts[0].replace('ArrayHeight', 'ArrayHieght') }, args: ['run', '--arch', '{dir}/a.cfg', '--gemm', '8x8x8'] },
    { category: 'cfg', files: { 'a.cfg': texts[0].replace(/(ArrayHeight.*\n)/, '$1$1') }, args: ['run', '--arch', '{dir}/a.cfg', '--gemm', '8x8x8'] },
    { category: 'cfg', files: { 'a.cfg': `\ufeff${texts[0]}` }, args: ['run', '--arch', '{dir}/a.cfg', '--gemm', '8x8x8'] },
  ];
  const keyLine = fc.tuple(
    fc.constantFrom('ArrayHeight', 'ArrayWidth', 'IfmapSramSzkB', 'Bandwidth', 'Dataflow', 'MemoryBanks', 'IfmapOffset', 'InterfaceBandwidth', 'run_name', 'Bogus'),
    fc.oneof(nasty, fc.integer({ min: -5, max: 1 << 20 }).map(String)),
  ).map(([k, v]) => `${k}: ${v}`);
  const gen = fc.tuple(fc.nat(texts.length - 1), fc.array(textMutation, { maxLength: 3 }), fc.array(keyLine, { maxLength: 2 }), fc.nat())
    .map(([t, ms, extra, at]): FuzzInput => {
      const lines = texts[t].split('\n');
      for (const e of extra) lines.splice(at % lines.length, 0, e);
      return { category: 'cfg', files: { 'a.cfg': mutateText(lines.join('\n'), ms) }, args: ['run', '--arch', '{dir}/a.cfg', '--gemm', '16x16x16', '--json', ...SMALL] };
    });
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

const CONV_HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';

function topologyInputs(n: number, seed: number): FuzzInput[] {
  const hand: FuzzInput[] = [
    // a depthwise row of a million channels: refused by the layers limit before any layer is built
    { category: 'topology', files: { 't.csv': `${CONV_HEADER}\nconvDP1, 8, 8, 3, 3, 1000000, 1, 1,\n` }, args: ['run', '--model', '{dir}/t.csv'] },
    // a million rows: refused by counting them first
    { category: 'topology', files: { 't.csv': `${CONV_HEADER}\n${'c, 8, 8, 3, 3, 4, 4, 1,\n'.repeat(1_000_000)}` }, args: ['run', '--model', '{dir}/t.csv'], timeoutMs: 60_000 },
    { category: 'topology', files: { 't.csv': `${CONV_HEADER}\nc, 100000000000000000000, 8, 3, 3, 4, 4, 1,\n` }, args: ['run', '--model', '{dir}/t.csv'] },
    { category: 'topology', files: { 't.csv': `\ufeffLayer, M, N, K,\ng, 16, 16, 16,\n` }, args: ['run', '--model', '{dir}/t.csv', '--json'] },
  ];
  const cell = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }).map(String) }, { weight: 1, arbitrary: nasty }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 1 << 16 }).map(String) });
  const convRow = fc.tuple(fc.constantFrom('conv', 'convDP', 'fc', 'x,y'), fc.array(cell, { minLength: 6, maxLength: 9 })).map(([name, cells]) => `${name}, ${cells.join(', ')},`);
  const gemmRow = fc.tuple(fc.constantFrom('g', 'gemm'), fc.array(cell, { minLength: 2, maxLength: 4 })).map(([name, cells]) => `${name}, ${cells.join(', ')},`);
  const gen = fc.oneof(
    fc.tuple(fc.array(convRow, { minLength: 0, maxLength: 5 }), fc.array(textMutation, { maxLength: 1 })).map(([rows, ms]) => mutateText([CONV_HEADER, ...rows].join('\n') + '\n', ms)),
    fc.tuple(fc.array(gemmRow, { minLength: 0, maxLength: 5 }), fc.array(textMutation, { maxLength: 1 })).map(([rows, ms]) => mutateText(['Layer, M, N, K,', ...rows].join('\n') + '\n', ms)),
  ).chain((bytes) => fc.constantFrom<string[]>([], ['--padding', 'same'], ['--compat', 'scalesim'], ['--out', '{dir}/out']).map((extra): FuzzInput => ({
    category: 'topology', files: { 't.csv': bytes }, args: ['run', '--model', '{dir}/t.csv', ...extra, ...SMALL],
  })));
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

/** a small CNN as ONNX (conv, relu, pool, gemm) */
function smallCnn(seed: number): Uint8Array {
  const b = new OnnxModelBuilder(seed, 13);
  const x = b.input('x', [1, 3, 12, 12]);
  const c = b.node('Conv', [x, b.weight('w1', [8, 3, 3, 3])], 'c1', { pads: [1, 1, 1, 1] });
  const r = b.node('Relu', [c], 'r1');
  const p = b.node('MaxPool', [r], 'p1', { kernel_shape: [2, 2], strides: [2, 2] });
  const f = b.node('Flatten', [p], 'f1');
  b.output(b.node('Gemm', [f, b.weight('w2', [10, 288]), b.weight('b2', [10])], 'y', { transB: 1 }));
  return b.encode();
}

/** a model whose one initializer claims `dims` but holds `bytes` bytes */
function absurdTensor(dims: number[], bytes: number, dataType = 1): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'absurd',
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'], name: 'mm' }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      initializer: [{ name: 'w', dims, dataType, rawData: new Uint8Array(bytes) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function onnxInputs(n: number, seed: number): FuzzInput[] {
  const cnn = smallCnn(seed);
  const trained = new Uint8Array(readFileSync(join(repoRoot, 'models/data/trained/cnn.onnx')));
  const run = (bytes: Uint8Array, extra: string[] = []): FuzzInput => ({ category: 'onnx', files: { 'm.onnx': bytes }, args: ['run', '--model', '{dir}/m.onnx', ...extra, ...SMALL] });
  const hand: FuzzInput[] = [
    run(absurdTensor([2 ** 16, 2 ** 16], 16)), // 2^32 elements claimed, 16 bytes held
    run(absurdTensor([4, -3], 16)),
    run(absurdTensor([4, 2 ** 62], 0)),
    run(absurdTensor([4, 4], 64, 99)), // an unknown data type
    run(onnx.TensorProto.encode(onnx.TensorProto.create({ name: 't', dims: [2], dataType: 1, floatData: [1, 2] })).finish()), // another message type
    run(onnx.GraphProto.encode(onnx.GraphProto.create({ name: 'g' })).finish()),
    run(new Uint8Array(0)),
    run(trained.subarray(0, trained.length >> 1)),
    (() => {
      const b = new OnnxModelBuilder(1, 13);
      b.output(b.node('Conv', [b.input('x', [1, -3, 8, 8]), b.weight('w', [4, 3, 3, 3])], 'y'));
      return run(b.encode());
    })(),
    (() => {
      const b = new OnnxModelBuilder(1, 13);
      b.output(b.node('Conv', [b.input('x', [1, 3, 8, 8]), b.weight('w', [4, 3, 3, 3])], 'y', { pads: [100000, 100000, 100000, 100000] }, 'conv_huge_pads'));
      return run(b.encode());
    })(),
  ];
  const edit = fc.record({ op: fc.constantFrom('truncate', 'flip', 'flip', 'insert', 'zero'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), len: fc.integer({ min: 1, max: 16 }) });
  const gen = fc.tuple(fc.constantFrom('cnn', 'trained'), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.constantFrom<string[]>([], ['--functional'], ['--json'])).map(([which, edits, extra]) => {
    let b = Buffer.from(which === 'cnn' ? cnn : trained);
    for (const e of edits) {
      const at = e.at % Math.max(1, b.length);
      if (e.op === 'truncate') b = b.subarray(0, at);
      else if (e.op === 'flip') { b = Buffer.from(b); if (b.length > 0) b[at] = e.byte; }
      else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.alloc(e.len, e.byte), b.subarray(at)]);
      else { b = Buffer.from(b); b.fill(0, at, at + e.len); }
    }
    return run(b, extra);
  });
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

function sweepInputs(n: number, seed: number): FuzzInput[] {
  const base = { base: { arch: 'scale', model: 'gemm:16x16x16' }, grid: { rows: [4, 8], dataflow: ['os', 'ws'] } };
  const check = (file: string, bytes: string | Uint8Array, extra: string[] = []): FuzzInput => ({
    category: 'sweep', files: { [file]: bytes }, args: ['sweep', `{dir}/${file}`, '--check', '--out', '{dir}/out', ...extra, ...SMALL],
  });
  const hand: FuzzInput[] = [
    // 252 bytes of aliases: 10^8 points, refused by counting before expansion
    check('s.yaml', 'base: {arch: scale, model: "gemm:8x8x8"}\nx: &v [1,2,3,4,5,6,7,8,9,10]\ngrid:\n  rows: *v\n  cols: *v\n  arch.sram.ifmap_kb: *v\n  arch.sram.filter_kb: *v\n  arch.sram.ofmap_kb: *v\n  arch.dram.bandwidth: *v\n  arch.dram.latency: *v\n  seed: *v\n'),
    check('s.yaml', YAML.stringify({ base: { arch: 'scale', model: 'gemm:8x8x8' }, grid: { rows: Array.from({ length: 400 }, (_, i) => i + 1), cols: Array.from({ length: 300 }, (_, i) => i + 1) } })),
    check('s.yaml', YAML.stringify({ base: { arch: 'scale', model: 'gemm:8x8x8' }, grid: { acc: ['fp32', 'nosuchformat'] } })),
    check('s.yaml', YAML.stringify({ base: { arch: 'scale', model: 'gemm:8x8x8' }, grid: { 'arch.dram.type': ['ddr4', 'ddr9'] } })),
    check('s.yaml', YAML.stringify({ base: { arch: 'scale', model: 'gemm:8x8x8', dataset: 'nosuch' } })),
    check('s.yaml', YAML.stringify({ base: { arch: 'scale', model: 'gemm:8x8x8', limit: 5 } })),
    check('s.json', `\ufeff${JSON.stringify(base)}`),
    check('s.yaml', YAML.stringify({ base: { arch: 'scale', model: 'gemm:99999999999999999999x1x1' } })),
    { category: 'sweep', files: { 's.yaml': YAML.stringify(base) }, args: ['sweep', '{dir}/s.yaml', '--out', '{dir}/out', '--jobs', '1', '--quiet', ...SMALL], timeoutMs: 120_000 },
  ];
  const gen = fc.tuple(fc.constantFrom<'yaml' | 'json'>('yaml', 'json'), fc.constantFrom<string[]>([], ['--shard', '1/2'], ['--shard', '3/2'], ['--jobs', '0'], ['--point-timeout', '0']))
    .chain(([fmt, extra]) => docFile(base, fmt).map((bytes) => check(`s.${fmt}`, bytes, extra)));
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

/** inputs of `report`: a real run's result and a sweep results file, mutated */
function reportInputs(n: number, seed: number, result: unknown): FuzzInput[] {
  const r = result as { totals: Record<string, unknown>; layers: unknown[] };
  const line = { index: 0, key: 'aaaaaaaaaaaaaaaa', vars: { rows: 4 }, status: 'ok', result: { layers: r.layers.length, ...r.totals } };
  const lines = [line, { ...line, index: 1, key: 'bbbbbbbbbbbbbbbb', vars: { rows: 8 } }];
  const hand: FuzzInput[] = [
    { category: 'report', files: { 'r.json': JSON.stringify({ ...r, layers: [1, 2, 3] }) }, args: ['report', '{dir}/r.json', '--out', '{dir}/rep'] },
    { category: 'report', files: { 'r.json': JSON.stringify({ ...r, totals: {} }) }, args: ['report', '{dir}/r.json', '--out', '{dir}/rep'] },
    { category: 'report', files: { 'r.json': JSON.stringify({ ...r, totals: { ...r.totals, cycles: 'many' } }) }, args: ['report', '{dir}/r.json', '--out', '{dir}/rep'] },
    { category: 'report', files: { 'r.json': JSON.stringify(r) }, args: ['report', '{dir}/r.json', '--out', '{dir}/r.json'] },
    { category: 'report', files: { 'r.json': `\ufeff${JSON.stringify(r)}` }, args: ['report', '{dir}/r.json', '--out', '{dir}/rep', '--json'] },
  ];
  const gen = fc.oneof(
    docFile(r, 'json').map((bytes): FuzzInput => ({ category: 'report', files: { 'r.json': bytes }, args: ['report', '{dir}/r.json', '--out', '{dir}/rep', '--json'] })),
    fc.tuple(fc.array(mutation, { maxLength: 3 }), fc.array(textMutation, { maxLength: 1 })).map(([ms, ts]): FuzzInput => {
      const text = lines.map((l, i) => JSON.stringify(i === 0 ? mutate(l, ms) : l)).join('\n') + '\n';
      return { category: 'report', files: { 'results.jsonl': mutateText(text, ts) }, args: ['report', '{dir}/results.jsonl', '--out', '{dir}/rep', '--json'] };
    }),
  );
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

/** mutated precision baselines (the driver's caller parses each; refused ones go through the CLI) */
export function baselineDocs(n: number, seed: number): { text: Uint8Array }[] {
  const doc = JSON.parse(readFileSync(join(repoRoot, 'baselines/precision.json'), 'utf8')) as Record<string, unknown>;
  const small = { ...doc, entries: Object.fromEntries(Object.entries(doc.entries as Record<string, unknown>).slice(0, 6)) };
  const hand = [{ ...doc, entries: {} }, { ...doc, version: 2 }, [1, 2], 'x'].map((d) => ({ text: Buffer.from(JSON.stringify(d)) }));
  return [...hand, ...sample(docFile(small, 'json').map((text) => ({ text })), n - hand.length, seed)];
}

function stdinInputs(n: number, seed: number): FuzzInput[] {
  const line = fc.oneof(
    fc.double().map(String), fc.integer().map(String), nasty, fc.string({ maxLength: 20 }),
    fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `${a.toString(16)} ${b.toString(16)}`),
    fc.tuple(fc.integer({ min: -5, max: 1 << 20 }), nasty).map(([a, b]) => `0x${a.toString(16)} ${b}`),
  );
  const gen = fc.tuple(
    fc.oneof(
      fc.constantFrom('e4m3', 'e5m2', 'bf16', 'fp16', 'fp32', 'e2m1', 'nosuch').map((f) => ['quantize', '--format', f]),
      fc.constantFrom('e4m3', 'bf16').map((f) => ['quantize', '--format', f, '--saturate', '--json']),
      fc.constantFrom('fp8-e4m3', 'lmul-bf16', 'int8', 'xnor', 'bf16', 'nosuch').map((p) => ['mul', '--pe', p]),
      fc.constantFrom('fp8-e4m3', 'int8').map((p) => ['mul', '--pe', p, '--json']),
    ),
    fc.array(line, { maxLength: 6 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  ).map(([args, lines, eol, bom]): FuzzInput => ({ category: 'stdin', args, stdin: `${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}` }));
  return sample(gen, n, seed);
}

/** every command and its options, with values good and bad */
const COMMANDS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  run: {
    '--gemm': ['16x16x16', '-5x5x5', '0x1x1', '1x1', '99999999999999999999x1x1', '4x4x4x4', 'axbxc'],
    '--model': ['resnet18', 'gemm:8x8x8', 'resnet18:resolution=100000', 'nosuch', 'lenet:bogus=1', 'bert_base:seq=0'],
    '--arch': ['scale', 'edge', 'nosuch', '{dir}'],
    '--pe': ['int8', 'fp8-e4m3', 'xnor', 'nosuch'],
    '--acc': ['fp32', 'bf16', 'nosuch'], '--psum': ['bf16', 'int16', 'nosuch'],
    '--dataflow': ['os', 'ws', 'is', 'xs'], '--array': ['4x4', '0x4', '1e6x1', '4'],
    '--bandwidth': ['10', '0', '-1', 'abc', '1e308'], '--latency': ['0', '1.5', '-1'],
    '--seed': ['1', '1.5', 'abc', '-7', '99999999999999999999'], '--compat': ['none', 'scalesim', 'x'],
    '--engine': ['fast', 'reference', 'x'], '--padding': ['same', 'valid', 'x'], '--functional': [], '--json': [],
    '--out': ['{dir}/out', '{dir}'], '--trace': [], '--dram-type': ['ddr4', 'nosuch'], '--node': ['45', '3', '-1', 'abc'],
    '--technology': ['aladdin40', 'nosuch'], '--dataset': ['fmnist', 'nosuch'], '--limit': ['10', '0', '1.5'],
    '--jobs': ['1', '0', '1000', 'abc'], '--schedule': ['naive', 'heuristic', 'x'], '--reuse': ['none', 'ent', 'mst', 'x'],
    '--trce': [], '--verbose': [], '--trace-limit': ['1GB', '1kB', 'abc', '-1'], '--accumulate': ['top', 'below', 'x'],
  },
  exec: {
    '--model': ['mlp', 'nosuch', '{dir}/none.onnx'], '--input': ['{dir}/none.npy', 'x=y', '{dir}'], '--input-shape': ['x=1x2', 'x=0', 'abc'],
    '--pe': ['fp32', 'nosuch'], '--seed': ['1', '1.5', 'abc'], '--output': ['{dir}/o.npy', '{dir}/o.txt'], '--dump': ['{dir}/d', '{dir}'],
    '--baseline': ['{dir}/b.json', '{dir}'], '--update': [], '--json': [],
  },
  quantize: { '--format': ['e4m3', 'nosuch', ''], '--saturate': [], '--round': ['rne', 'trunc', 'x'], '--ftz': [], '--json': [] },
  mul: { '--pe': ['int8', 'lmul-bf16', 'nosuch'], '--acc': ['fp32', 'x'], '--json': [] },
  formats: { '--json': [] },
  pes: { '--json': [] },
  zoo: { list: [], show: ['resnet18', 'nosuch', 'resnet18:resolution=100000'], '--json': [], '--vector-throughput': ['16', '0', 'abc'] },
  precision: { mul: [], '--samples': ['2000', '0', '-3', '1e9', '1.5', 'abc'], '--seed': ['1', '1.5', 'abc'], '--dist': ['normal', 'x'], '--json': [] },
  report: { '--papers': [], '--json': [], '--out': ['{dir}/rep'], '--node': ['45', '3', 'abc'], '--technology': ['nosuch'] },
  sweep: { '{dir}/none.yaml': [], '--check': [], '--jobs': ['1', '0', '1000'], '--point-timeout': ['1', '0', 'abc'], '--ot': ['{dir}/d'] },
};

function optionInputs(n: number, seed: number): FuzzInput[] {
  const hand: FuzzInput[] = [
    { category: 'options', args: ['run', '--gemm', '8x8x8', '--out', '{dir}/X', '--trce'] },
    { category: 'options', args: ['quantize'] },
    { category: 'options', args: ['mul'] },
    { category: 'options', args: ['accuracy'] },
    { category: 'options', args: ['run', '--gemm', '-5x5x5'] },
    { category: 'options', args: ['run', '--gemm', '8x8x8', '--seed', 'abc'] },
    { category: 'options', args: ['run', '--gemm', '8x8x8', '--limit', '5'] },
    { category: 'options', args: ['run', '--gemm', '8x8x8', '--out', '{dir}/T', '--trace', '--dram-type', 'foo'] },
    { category: 'options', args: ['run', '--gemm', '8x8x8', '--jobs', '1000'] },
    { category: 'options', args: ['precision', 'mul', '--samples', '1e9'] },
    { category: 'options', args: ['--max', 'folds=abc', 'formats'] },
    { category: 'options', args: ['--max', 'nosuch=5', 'formats'] },
  ];
  const names = Object.keys(COMMANDS);
  const gen = fc.tuple(fc.constantFrom(...names), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 5 }), fc.array(nasty, { maxLength: 1 }))
    .map(([cmd, picks, junk]): FuzzInput => {
      const opts = Object.keys(COMMANDS[cmd]);
      const args = [cmd];
      for (const [o, v, eq] of picks) {
        const name = opts[o % opts.length];
        const values = COMMANDS[cmd][name];
        if (values.length === 0) args.push(name);
        else if (eq && name.startsWith('--')) args.push(`${name}=${values[v % values.length]}`);
        else args.push(name, values[v % values.length]);
      }
      return { category: 'options', args: [...args, ...junk, ...SMALL] };
    });
  return [...hand, ...sample(gen, n - hand.length, seed)];
}

/** Every corpus, `perCategory` inputs each (hand-made cases first), reproducibly from `seed`. */
export function allInputs(perCategory: number, seed: number, runResult: unknown): FuzzInput[] {
  return [
    ...archInputs(perCategory, seed),
    ...cfgInputs(perCategory, seed + 1),
    ...topologyInputs(perCategory, seed + 2),
    ...onnxInputs(perCategory, seed + 3),
    ...sweepInputs(perCategory, seed + 4),
    ...reportInputs(perCategory, seed + 5, runResult),
    ...stdinInputs(perCategory, seed + 6),
    ...optionInputs(perCategory, seed + 7),
  ];
}
