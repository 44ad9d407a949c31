import type { Argv } from 'yargs';
import type { CommandBody } from './index.ts';
import { InputError } from '../../sim/errors.ts';
import { ACCUMULATE, DATAFLOWS, accumulateOf, type Accumulate, type Dataflow } from '../../sim/arch/schema.ts';
import { runAccuracy } from '../../models/accuracy/run.ts';
import { DATASETS, layerPes, type DatasetName } from '../../models/accuracy/task.ts';
import { LANGUAGE_MODELS, recordedLmFigures, recordedPredictions, resolveTrainedModel, trainedMetrics } from '../../models/accuracy/trained.ts';
import { argmax } from '../../models/accuracy/evaluate.ts';
import { isTextSet } from '../../models/data/text.ts';
import { loadArch } from '../arch-file.ts';
import { printJson, printTable } from '../io.ts';
import { progressCallback } from '../progress.ts';
import { peOptionsFrom, withPeOptions, type PeOptionArgs } from '../options.ts';
import { checkJobs, integerOption, JOBS_OPTIONS } from '../option-checks.ts';
import { resolveRun } from '../../models/run-request.ts';
import { runPipeline } from '../../sim/pipeline.ts';

interface AccuracyArgs extends PeOptionArgs {
  model: string;
  pe: string;
  attentionPe?: string;
  fpPe: string;
  dataset?: string;
  limit?: number;
  arch: string;
  dataflow?: string;
  psum?: string;
  accumulate?: string;
  jobs: number;
  force: boolean;
  json: boolean;
  /** the global --quiet */
  quiet?: boolean;
  energy: boolean;
  energyImages?: number;
  gateZeros?: boolean;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

export const accuracyCommand: CommandBody<AccuracyArgs> = {
  builder: (y: Argv<object>) =>
    withPeOptions(y)
      .option('model', { type: 'string', demandOption: true, describe: `trained model (${[...Object.keys(trainedMetrics()), ...Object.keys(LANGUAGE_MODELS)].join(', ') || 'see models/data/trained'}) or an .onnx file with weights` })
      .option('pe', { type: 'string', demandOption: true, describe: 'PE kind of the array ops (bitweave pes)' })
      .option('attention-pe', { type: 'string', describe: 'PE kind of the attention matmuls alone (Q K^T, A V)' })
      .option('fp-pe', { type: 'string', default: 'fp32', describe: 'with --pe xnor: the PE of the non-binary layers (BNNs keep first and last layers in higher precision)' })
      .option('dataset', { type: 'string', describe: `data set: ${DATASETS.join(', ')} (fmnist: the Fashion-MNIST test set, the default; austen: Persuasion, the default of the language model)` })
      .option('limit', integerOption('limit', { min: 1, describe: 'first N images (text: windows of the model\'s context) only' }))
      .option('arch', { type: 'string', default: 'scale', describe: 'array whose rows fold K in ws/is (preset or file)' })
      .option('dataflow', { type: 'string', describe: 'os | ws | is: the order of additions (default: the arch\'s)' })
      .option('psum', { type: 'string', describe: 'partial-sum storage format between folds (default: the accumulator)' })
      .option('accumulate', { type: 'string', describe: "ws/is: where row folds' partial sums are added: top (into the column) or below (under it; default)" })
      .options(JOBS_OPTIONS)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('energy', { type: 'boolean', default: false, describe: 'also the energy per image from gates (gates45): each layer priced on the operands of the first test images' })
      .option('energy-images', integerOption('energy-images', { min: 1, max: 1000, describe: 'with --energy: test images whose operands are sampled (1-1000, default 1)' }))
      .option('gate-zeros', { type: 'boolean', describe: 'with --energy: zero-operand clock gating in the PEs' })
      .example('$0 accuracy --model cnn --pe int8 --limit 500 --energy --gate-zeros', 'accuracy and the gate-level energy per image with zero gating')
      .example('$0 accuracy --model cnn --pe fp8-e4m3', 'CNN on the 10,000 test images with e4m3 multipliers')
      .example('$0 accuracy --model vit --pe fp32 --attention-pe lmul-m4 --limit 1000', 'L-Mul in attention only')
      .example('$0 accuracy --model bcnn --pe xnor', 'binary layers on XNOR-popcount, first and last layers in fp32')
      .example('$0 accuracy --model mlp --pe bf16 --acc bf16 --dataflow ws --jobs 2', 'bf16 accumulation in ws order')
      .example('$0 accuracy --model lm-austen --dataset austen --pe fp8-e4m3 --limit 16', 'bits per character of the language model on 16 windows of Persuasion') as unknown as Argv<AccuracyArgs>,
  handler: async (args) => {
    checkJobs(args.jobs, args.force);
    const modelFile = resolveTrainedModel(args.model);
    const dataset = args.dataset ?? (Object.hasOwn(LANGUAGE_MODELS, args.model) ? LANGUAGE_MODELS[args.model].dataset : 'fmnist');
    if (!DATASETS.includes(dataset)) {
      throw new InputError(`unknown dataset '${dataset}'; valid: ${DATASETS.join(', ')}`);
    }
    const arch = loadArch(args.arch);
    const dataflow = (args.dataflow ?? arch.dataflow) as Dataflow;
    if (!(DATAFLOWS as readonly string[]).includes(dataflow)) throw new InputError(`--dataflow must be os, ws or is, got '${args.dataflow}'`);
    if (args.accumulate !== undefined && !(ACCUMULATE as readonly string[]).includes(args.accumulate)) {
      throw new InputError(`--accumulate must be ${ACCUMULATE.join(' or ')}, got '${args.accumulate}'`);
    }
    const accumulate = accumulateOf({ dataflow, accumulate: (args.accumulate as Accumulate | undefined) ?? arch.accumulate });
    const setup = {
      modelFile,
      dataset: dataset as DatasetName,
      ...layerPes(args.pe, args.fpPe),
      peOptions: peOptionsFrom(args),
      ...(args.attentionPe !== undefined && { attentionPe: args.attentionPe }),
      dataflow,
      rows: arch.array.rows,
      ...(args.psum !== undefined && { psum: args.psum }),
      accumulate,
    };
    if (args.energy && (args.pe === 'xnor' || args.attentionPe !== undefined)) {
      throw new InputError('--energy prices one PE kind for every layer; not with --pe xnor (binary and fp layers) or --attention-pe');
    }
    if (!args.energy && (args.gateZeros !== undefined || args.energyImages !== undefined)) throw new InputError('--gate-zeros and --energy-images go with --energy');
    const energyImages = args.energyImages ?? 1;
    // everything checked: the energy run is resolved (its options validated) before the accuracy run
    const energyRun = args.energy
      ? resolveRun({
          arch: { ...arch, pe: args.pe, dataflow, ...(args.acc !== undefined && { acc: args.acc }), ...(args.psum !== undefined && { psum: args.psum }) },
          model: args.model, peOptions: peOptionsFrom(args), cost: { technology: 'gates45' },
          ...(args.gateZeros !== undefined && { gateZeros: args.gateZeros }), gateImages: energyImages,
        })
      : undefined;
    const started = Date.now();
    const progress = progressCallback('accuracy', isTextSet(dataset) ? 'windows' : 'images', { quiet: args.quiet === true });
    const { summary, result } = await runAccuracy(setup, {
      ...(args.limit !== undefined && { limit: args.limit }), jobs: args.jobs, onProgress: progress.onProgress,
    });
    progress.stop();
    const seconds = (Date.now() - started) / 1000;
    // agreement with PyTorch's predictions recorded at training time, where they exist
    const recorded = recordedPredictions(args.model);
    let pytorchAgreement: number | undefined;
    if (recorded) {
      let same = 0;
      for (let i = 0; i < result.count; i++) if (argmax(result.refLogits, i * result.classes, result.classes) === recorded[i]) same++;
      pytorchAgreement = same / result.count;
    }
    const energy = energyRun ? await runPipeline(energyRun) : undefined;
    const energyReport = energy && {
      technology: 'gates45', images_sampled: energyImages, gate_zeros: args.gateZeros === true,
      energy_pj_per_image: energy.totals.energy_pj.total,
      pe_pj_per_image: energy.totals.energy_pj.compute + energy.totals.energy_pj.registers,
      table_pe_pj_per_image: energy.layers.reduce((s, l) => s + (l.energy_model ? l.energy_model.table.compute + l.energy_model.table.registers : 0), 0),
      layers: energy.layers.map((l) => ({ name: l.name, macs: l.macs, energy_pj: l.energy_pj, energy_model: l.energy_model })),
    };
    const lm = summary.language;
    const pytorch = lm ? recordedLmFigures(args.model, lm.windows) : undefined;
    const report = {
      model: args.model, dataset, pe: args.pe, attention_pe: args.attentionPe ?? args.pe,
      acc: args.acc ?? null, dataflow, accumulate, rows: arch.array.rows, psum: args.psum ?? null,
      ...summary,
      reference_agrees_with_pytorch: pytorchAgreement ?? null,
      ...(energyReport && { energy: energyReport }),
      ...(lm && { pytorch_bits_per_char: pytorch?.bits_per_char ?? null }),
    };
    if (args.json) return printJson(report);
    const samples = lm ? `${lm.windows} windows, ${lm.characters} characters` : `${summary.images} images`;
    process.stdout.write(`${args.model} on ${dataset} (${samples}), PE ${args.pe}` +
      `${args.attentionPe ? `, attention ${args.attentionPe}` : ''}${args.pe === 'xnor' ? `, non-binary layers ${args.fpPe}` : ''}, ${dataflow} order on ${arch.array.rows} rows` +
      `${dataflow === 'os' ? '' : `, accumulate ${accumulate}`}\n\n`);
    const rows: string[][] = lm
      ? [
        ['bits per character', lm.bits_per_char.toFixed(6)],
        ['fp32 reference bits per character', lm.reference_bits_per_char.toFixed(6)],
        ...(pytorch ? [['PyTorch bits per character (recorded)', pytorch.bits_per_char.toFixed(6)]] : []),
        ['perplexity', lm.perplexity.toFixed(4)],
        ['next-character top-1', pct(summary.top1)],
        ['fp32 reference top-1', pct(summary.reference_top1)],
        ['agreement with fp32 next-character choices', pct(summary.agreement)],
      ]
      : [
        ['top-1 accuracy', pct(summary.top1)],
        ['fp32 reference top-1', pct(summary.reference_top1)],
        ['agreement with fp32 predictions', pct(summary.agreement)],
      ];
    printTable(['figure', 'value'], [
      ...rows,
      ['relative error of logits', summary.rel_error.toExponential(3)],
      ['mean cosine similarity', summary.cosine.toFixed(6)],
      ...(summary.non_finite > 0 ? [[lm ? 'positions with non-finite logits' : 'images with non-finite logits', String(summary.non_finite)]] : []),
      ...(pytorchAgreement !== undefined ? [['fp32 reference vs PyTorch predictions', pct(pytorchAgreement)]] : []),
      ['time', `${seconds.toFixed(1)} s`],
    ]);
    if (energyReport) {
      process.stdout.write(`\nenergy per image, gate level (gates45) on the operands of the first ${energyImages} test image(s)` +
        `${energyReport.gate_zeros ? ', zero gating' : ''}: ${(energyReport.energy_pj_per_image / 1e6).toFixed(4)} uJ; PE (compute + registers) ` +
        `${(energyReport.pe_pj_per_image / 1e6).toFixed(4)} uJ (operator table: ${(energyReport.table_pe_pj_per_image / 1e6).toFixed(4)} uJ)\n`);
      printTable(['layer', 'MACs', 'zero operands', 'gates PE pJ/MAC', 'table PE pJ/MAC'], energyReport.layers.map((l) => {
        const m = l.energy_model;
        return [l.name, String(l.macs), m ? `${(100 * m.zero_fraction).toFixed(1)}%` : '', ((l.energy_pj.compute + l.energy_pj.registers) / l.macs).toFixed(4),
          m ? ((m.table.compute + m.table.registers) / l.macs).toFixed(4) : ''];
      }));
    }
  },
};
