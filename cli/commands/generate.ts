/**
 * `bitweave generate`: a language model continues a prompt through a PE's arithmetic, decoding
 * with a KV cache (models/lm/decoder.ts); with --compare, the continuations of several PE
 * setups side by side and the first character where each departs from the first one's.
 *
 * Everything (model, PEs, arch, prompt, lengths) is read and checked before any decoding.
 */
import type { Argv } from 'yargs';
import { resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { loadGraph } from '../../models/accuracy/task.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import type { ExecOptions } from '../../models/exec/executor.ts';
import { planDecoder } from '../../models/lm/decoder.ts';
import { checkGeneration, firstDivergence, generate } from '../../models/lm/generate.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { arrayOrderOf, type ArrayOrderArgs } from '../array-order.ts';
import { printJson } from '../io.ts';
import { integerOption, numberOption } from '../option-checks.ts';
import { withPeOptions } from '../options.ts';
import type { CommandBody } from './index.ts';

interface GenerateArgs extends ArrayOrderArgs {
  model: string;
  prompt: string;
  tokens: number;
  pe: string;
  attentionPe?: string;
  compare?: string;
  seed: number;
  temperature: number;
  json: boolean;
}

/** A generated text for a terminal: control characters other than a newline as \xNN. */
function printable(s: string): string {
  return s.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export const generateCommand: CommandBody<GenerateArgs> = {
  builder: (y: Argv<object>) =>
    withPeOptions(y)
      .option('model', { type: 'string', default: 'lm-austen', describe: 'trained language model (lm-austen) or an .onnx file of one' })
      .option('prompt', { type: 'string', demandOption: true, describe: 'the text to continue (ASCII)' })
      .option('tokens', integerOption('tokens', { default: 64, min: 1, describe: 'characters to generate (prompt + tokens <= the model\'s context)' }))
      .option('pe', { type: 'string', default: 'fp32', describe: 'PE kind of the array ops (bitweave pes)' })
      .option('attention-pe', { type: 'string', describe: 'PE kind of the attention matmuls alone' })
      .option('compare', { type: 'string', describe: 'comma-separated PE kinds: their continuations side by side, with the first position where they diverge' })
      .option('seed', integerOption('seed', { default: 0, describe: 'seed of the sampler (with --temperature > 0)' }))
      .option('temperature', numberOption('temperature', { default: 0, min: 0, describe: '0: greedy (largest logit); T > 0: sample from softmax(logits / T)' }))
      .option('arch', { type: 'string', describe: 'array whose dataflow and rows set the order of additions (default: scale)' })
      .option('dataflow', { type: 'string', describe: 'os | ws | is (default: the arch\'s)' })
      .option('accumulate', { type: 'string', describe: "ws/is: top or below (default: the arch's)" })
      .option('psum', { type: 'string', describe: 'partial-sum storage format between folds (default: the accumulator)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 generate --prompt "It was a truth universally acknowledged, that" --tokens 40', 'greedy continuation in fp32')
      .example('$0 generate --prompt "Anne" --tokens 60 --compare fp32,fp8-e4m3,lmul-m3', 'three PE kinds side by side')
      .example('$0 generate --prompt "Captain Wentworth" --tokens 50 --temperature 0.8 --seed 3 --pe bf16', 'sampled, seeded') as unknown as Argv<GenerateArgs>,
  handler: (args) => {
    const file = resolveTrainedModel(args.model);
    const plan = planDecoder(loadGraph(file), `model ${args.model}`);
    const { order, peOptions } = arrayOrderOf(args);
    const pes = args.compare !== undefined ? args.compare.split(',').map((p) => p.trim()).filter((p) => p !== '') : [args.pe];
    if (pes.length === 0) throw new InputError('--compare: no PE kinds given');
    const dup = pes.find((p, i) => pes.indexOf(p) !== i);
    if (dup) throw new InputError(`--compare: '${dup}' is given twice`);
    const attention = args.attentionPe !== undefined ? getPe(args.attentionPe, peOptions) : undefined;
    const setups = pes.map((p) => ({ pe: p, kind: getPe(p, peOptions) }));
    const prompt = Buffer.from(args.prompt, 'latin1');
    if (Buffer.from(args.prompt, 'utf8').length !== prompt.length || /[^\x00-\x7f]/.test(args.prompt)) {
      throw new InputError('--prompt must be ASCII: the model reads one byte per character (token id = ASCII code)');
    }
    const opts = { tokens: args.tokens, temperature: args.temperature, seed: args.seed };
    checkGeneration(plan, prompt, opts);

    const results = setups.map(({ pe, kind }) => {
      const exec: ExecOptions = {
        array: arrayBackend(kind, order),
        ...(attention && { attentionArray: arrayBackend(attention, order) }),
      };
      const started = Date.now();
      const ids = generate(plan, exec, prompt, opts);
      return { pe, ids, text: String.fromCharCode(...ids), seconds: (Date.now() - started) / 1000 };
    });
    const first = results[0];
    const rows = results.map((r) => {
      const at = firstDivergence(first.ids, r.ids);
      return { ...r, diverges_at: at };
    });
    if (args.json) {
      return printJson({
        model: args.model, prompt: args.prompt, tokens: args.tokens, temperature: args.temperature, seed: args.seed,
        attention_pe: args.attentionPe ?? null, dataflow: order.dataflow,
        runs: rows.map((r) => ({ pe: r.pe, continuation: r.text, diverges_from_first_at: r.diverges_at < 0 ? null : r.diverges_at, seconds: r.seconds })),
      });
    }
    const out = process.stdout;
    if (rows.length === 1) {
      out.write(`${printable(args.prompt)}${printable(first.text)}\n`);
      return;
    }
    const width = Math.max(...rows.map((r) => r.pe.length));
    out.write(`prompt: ${JSON.stringify(args.prompt)}\n\n`);
    for (const r of rows) out.write(`${r.pe.padEnd(width)}  ${JSON.stringify(r.text)}\n`);
    out.write('\n');
    for (const r of rows.slice(1)) {
      out.write(r.diverges_at < 0
        ? `${r.pe}: identical to ${first.pe}\n`
        : `${r.pe}: first differs from ${first.pe} at character ${r.diverges_at} of the continuation (${JSON.stringify(first.text[r.diverges_at] ?? '')} vs ${JSON.stringify(r.text[r.diverges_at] ?? '')})\n`);
    }
  },
};
