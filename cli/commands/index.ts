/**
 * Every subcommand of `bitweave`, in the order `--help` lists them. Each entry names the
 * command and says what it does; its module (options and handler) is imported only when
 * that command runs, so `bitweave --version`, `bitweave --help` and every command start
 * without loading the others' code and libraries (d3-node, highs, onnx-proto, piscina...).
 */
import type { CommandModule } from 'yargs';

/** What a command module exports: its options (builder) and what it does (handler). */
export type CommandBody<A> = Required<Pick<CommandModule<object, A>, 'builder' | 'handler'>>;

/** yargs modules differ in their argument types; the registry only needs them as modules. */
export type AnyCommand = CommandModule<object, never>;

export interface CommandEntry {
  /** the yargs command string: the name, then its positionals */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<CommandBody<never>>;
}

const body = (m: unknown) => m as CommandBody<never>;

export const commands: readonly CommandEntry[] = [
  {
    command: 'formats',
    describe: 'list the number formats and the block formats (any custom eXmY is accepted too)',
    load: async () => body((await import('./formats.ts')).formatsCommand),
  },
  {
    command: 'pes',
    describe: 'list the PE kinds: input formats, multiplier, product and accumulator formats',
    load: async () => body((await import('./pes.ts')).pesCommand),
  },
  {
    command: 'quantize',
    describe: 'encode numbers (stdin, one a line) into a format, or blocks of numbers into a block format (mxfp4, nvfp4, ...); CSV on stdout',
    load: async () => body((await import('./quantize.ts')).quantizeCommand),
  },
  {
    command: 'mul',
    describe: "multiply bit patterns with a PE's multiplier: lines 'A B' (hex) on stdin",
    load: async () => body((await import('./mul.ts')).mulCommand),
  },
  {
    command: 'precision',
    describe: 'numeric precision of the PE arithmetic: multiplier errors (mul), dot products and accumulators (dot), regression check against a baseline (check)',
    load: async () => body((await import('./precision.ts')).precisionCommand),
  },
  {
    command: 'run',
    describe: 'simulate a network on a systolic array: cycles, stalls, SRAM/DRAM traffic (and output bits)',
    load: async () => body((await import('./run.ts')).runCommand),
  },
  {
    command: 'report [input]',
    describe: 'energy, area, cycles and roofline of a run: report.md, report.html, CSV and SVG charts',
    load: async () => body((await import('./report.ts')).reportCommand),
  },
  {
    command: 'sweep <file>',
    describe: 'run a grid of simulations in parallel, streaming results to results.jsonl',
    load: async () => body((await import('./sweep.ts')).sweepCommand),
  },
  {
    command: 'sweep-merge <out> <shards..>',
    describe: 'merge shard directories (e.g. of a Slurm job array) into one results.jsonl and results.csv',
    load: async () => body((await import('./sweep.ts')).sweepMergeCommand),
  },
  {
    command: 'zoo',
    describe: 'the model zoo: list the built-in networks, show how a model is lowered onto the array',
    load: async () => body((await import('./zoo.ts')).zooCommand),
  },
  {
    command: 'accuracy',
    describe: "top-1 accuracy of a trained model on real data, through a PE's exact arithmetic",
    load: async () => body((await import('./accuracy.ts')).accuracyCommand),
  },
  {
    command: 'generate',
    describe: 'a language model continues a prompt through a PE\'s arithmetic (KV-cache decoding); --compare PE kinds side by side',
    load: async () => body((await import('./generate.ts')).generateCommand),
  },
  {
    command: 'exec',
    describe: "run your model on your data through a PE's arithmetic: outputs, error vs fp32 per output and per node, precision baseline",
    load: async () => body((await import('./exec.ts')).execCommand),
  },
  {
    command: 'rtl',
    describe: 'Verilog of the PEs and the systolic array, co-simulated against bitweave (Verilator)',
    load: async () => body((await import('./rtl.ts')).rtlCommand),
  },
];

/** The name a command is invoked by: the first word of its yargs command string. */
export function commandName(entry: CommandEntry): string {
  return entry.command.split(' ')[0];
}
