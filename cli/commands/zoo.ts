import type { Argv, CommandModule } from 'yargs';
import type { CommandBody } from './index.ts';
import { gemmView } from '../../sim/workload/layer.ts';
import type { ArrayOp } from '../../models/lower.ts';
import { DEFAULT_VECTOR_THROUGHPUT, runVector } from '../../sim/workload/vector.ts';
import { loadModel } from '../../models/source.ts';
import { inputShapesOf } from '../../models/exec/inputs.ts';
import { paramCount } from '../../models/graph.ts';
import { graphMacs } from '../../models/operators.ts';
import { zooEntries } from '../../models/zoo/index.ts';
import { InputError } from '../../sim/errors.ts';
import { printJson, printTable } from '../io.ts';
import { withJson } from '../options.ts';
import { numberOption, strictCommand } from '../option-checks.ts';

const fmtCount = (n: number, unit: number, digits: number) => (n / unit).toFixed(digits);

const listSub: CommandModule<object, { json: boolean }> = {
  command: 'list',
  describe: 'the built-in models: kind, MACs and parameters at their default parameters',
  builder: (y) => withJson(y).example('$0 zoo list', 'the zoo table'),
  handler: (args) => {
    const rows = zooEntries().map((e) => {
      const defaults: Record<string, number | string> = {};
      for (const p of e.params) defaults[p.name] = p.default;
      const g = e.build(defaults, {});
      return {
        name: e.name, kind: e.kind, macs: graphMacs(g), params: paramCount(g), nodes: g.nodes.length,
        defaults, description: e.description,
      };
    });
    if (args.json) return printJson(rows);
    printTable(
      ['name', 'kind', 'GMACs', 'params (M)', 'nodes', 'parameters (defaults)', 'description'],
      rows.map((r) => [
        r.name, r.kind, fmtCount(r.macs, 1e9, 3), fmtCount(r.params, 1e6, 3), String(r.nodes),
        Object.entries(r.defaults).map(([k, v]) => `${k}=${v}`).join(','), r.description,
      ]),
    );
    process.stdout.write('\nparameterize with NAME:key=value,... (e.g. bert_base:seq=384, gpt2:mode=decode,seq=511)\n');
  },
};

interface ShowArgs {
  model: string;
  json: boolean;
  vectorThroughput: number;
  foldBn: boolean;
  depthwise: string;
  inputShape?: string[];
}

function arrayOpText(o: ArrayOp): string {
  const g = gemmView(o.layer);
  return `${g.m}x${g.n}x${g.k}${o.repeat > 1 ? ` x${o.repeat}` : ''}${o.binary ? ' bin' : ''}`;
}

const showSub: CommandModule<object, ShowArgs> = {
  command: 'show <model>',
  describe: 'the layer table of a model after lowering (a zoo name, NAME:key=value,..., a .onnx or a SCALE-Sim .csv)',
  builder: (y: Argv) =>
    withJson(y)
      .positional('model', { type: 'string', demandOption: true, describe: 'zoo model spec or model file' })
      .option('vector-throughput', numberOption('vector-throughput', { positive: true, default: DEFAULT_VECTOR_THROUGHPUT, describe: 'vector unit elements per cycle' }))
      .option('fold-bn', { type: 'boolean', default: true, describe: 'fold batch norms into the preceding conv' })
      .option('depthwise', { type: 'string', choices: ['array', 'vector'], default: 'array', describe: 'where depthwise convs run' })
      .option('input-shape', { type: 'string', array: true, describe: 'NAME=1x3x224x224: the shape of a dynamic ONNX input (repeatable)' })
      .example('$0 zoo show mobilenet_v2', 'how MobileNetV2 maps onto the array')
      .example('$0 zoo show bert_base:seq=384 --json', 'the lowering as JSON') as unknown as Argv<ShowArgs>,
  handler: (args) => {
    const tp = args.vectorThroughput;
    if (!(tp > 0)) throw new InputError(`--vector-throughput must be positive, got ${tp}`);
    const m = loadModel(args.model, {
      mergeBatchNorm: args.foldBn, depthwise: args.depthwise === 'vector' ? 'vector' : 'array',
      ...(args.inputShape !== undefined && { inputShapes: inputShapesOf(args.inputShape) }),
    });
    const l = m.lowered;
    const opsOf = new Map<string, ArrayOp[]>();
    for (const o of l.arrayOps) opsOf.set(o.node, [...(opsOf.get(o.node) ?? []), o]);
    const vecCycles = new Map<string, number>();
    for (const v of l.vectorOps) vecCycles.set(v.name, (vecCycles.get(v.name) ?? 0) + runVector(v, tp).cycles);
    const totalVec = [...vecCycles.values()].reduce((a, b) => a + b, 0);
    if (args.json) {
      return printJson({
        name: m.name, source: m.source, params: m.params, macs: m.macs, vector_throughput: tp,
        summary: { ...l.summary, vectorCycles: totalVec },
        nodes: l.nodes.map((n) => ({ ...n, vectorCycles: vecCycles.get(n.node) ?? 0 })),
        arrayOps: l.arrayOps.map((o) => ({ ...o, gemm: gemmView(o.layer) })),
        // `node` names the graph node, as this JSON always has
        vectorOps: l.vectorOps.map(({ name, ...v }) => ({ node: name, ...v, cycles: runVector({ name, ...v }, tp).cycles })),
      });
    }
    process.stdout.write(`${m.name} (${m.source}): ${fmtCount(m.macs, 1e9, 3)} GMACs, ${m.params} parameters\n\n`);
    printTable(
      ['#', 'node', 'op', 'mapping', 'array GEMM MxNxK', 'MACs', 'vector cycles', 'detail'],
      l.nodes.map((n, i) => [
        String(i), n.node, n.op, n.mapping, (opsOf.get(n.node) ?? []).map(arrayOpText).join('; '),
        n.macs > 0 ? String(n.macs) : '', vecCycles.has(n.node) ? String(vecCycles.get(n.node)) : '', n.detail,
      ]),
    );
    const s = l.summary;
    process.stdout.write(
      `\n${s.nodes} nodes: ${s.arrayNodes} on the array, ${s.vectorNodes} on the vector unit, ${s.foldedNodes} folded, ${s.viewNodes} views\n` +
      `array: ${l.arrayOps.length} GEMMs, ${s.arrayMacs} MACs (${(100 * s.arrayMacShare).toFixed(1)}% of the model's MACs); ` +
      `${(100 * s.arrayNodeShare).toFixed(1)}% of the working nodes\n` +
      `vector unit: ${s.vectorOps} element ops, ${totalVec} cycles at ${tp} elements/cycle\n`,
    );
  },
};

export const zooCommand: CommandBody<object> = {
  builder: (y: Argv) =>
    y
      .command(strictCommand(listSub))
      .command(strictCommand(showSub))
      .demandCommand(1, 'name a zoo command: list, show')
      .example('$0 zoo list --json', 'the built-in networks as JSON')
      .example('$0 zoo show resnet50', 'how ResNet-50 is lowered onto the array'),
  handler: () => undefined,
};
