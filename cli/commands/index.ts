/** Every subcommand of `bitweave`, in the order `--help` lists them. */
import type { CommandModule } from 'yargs';
import { accuracyCommand } from './accuracy.ts';
import { formatsCommand } from './formats.ts';
import { mulCommand } from './mul.ts';
import { pesCommand } from './pes.ts';
import { precisionCommand } from './precision.ts';
import { quantizeCommand } from './quantize.ts';
import { reportCommand } from './report.ts';
import { rtlCommand } from './rtl.ts';
import { zooCommand } from './zoo.ts';
import { runCommand } from './run.ts';
import { sweepCommand, sweepMergeCommand } from './sweep.ts';

/** yargs modules differ in their argument types; the registry only needs them as modules. */
export type AnyCommand = CommandModule<object, never>;

export const commands: AnyCommand[] = [
  formatsCommand as unknown as AnyCommand,
  pesCommand as unknown as AnyCommand,
  quantizeCommand as unknown as AnyCommand,
  mulCommand as unknown as AnyCommand,
  precisionCommand as unknown as AnyCommand,
  runCommand as unknown as AnyCommand,
  reportCommand as unknown as AnyCommand,
  sweepCommand as unknown as AnyCommand,
  sweepMergeCommand as unknown as AnyCommand,
  zooCommand as unknown as AnyCommand,
  accuracyCommand as unknown as AnyCommand,
  rtlCommand as unknown as AnyCommand,
];
