/**
 * The `bitweave` command. Each subcommand lives in cli/commands/ and is registered here:
 * the one invoked with its options and handler, the others by name and description only
 * (enough for `--help`), so a command loads its own code and nothing else.
 * Exit codes: 0 success, 1 failed check or internal error, 2 bad input or usage.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { config as zodConfig } from 'zod';
import { InputError, printable } from '../sim/errors.ts';
import { abortPendingOutputs } from '../models/io/output-files.ts';
import { setLogLevel } from './logger.ts';
import { packageFile } from '../models/package-files.ts';
import { commandName, commands, type AnyCommand, type CommandEntry } from './commands/index.ts';
import { checkParsedArgs, strictCommand, UsageError } from './option-checks.ts';
import { MAX_OPTION, applyMaxOption, maxValuesIn } from './limits-option.ts';

// zod compiles each schema into a fast parser (new Function) on its first parse: worth it for
// a million parses, not for the handful a command makes (an arch file, a sweep spec), where
// the compile was a tenth of a start. The command line parses without it; results are the same.
zodConfig({ jitless: true });

/** global options that take a value: the word after them is not the command */
const GLOBAL_VALUE_OPTIONS = new Set(['--log-level', '--max']);

/** The command the arguments invoke: their first word that is not an option or an option's value. */
function invokedCommand(argv: readonly string[]): CommandEntry | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return commands.find((c) => commandName(c) === a);
  }
  return undefined;
}

/** A command that is not invoked: listed by --help; it never runs (only the invoked one is loaded). */
function listed(entry: CommandEntry): AnyCommand {
  return {
    command: entry.command,
    describe: entry.describe,
    handler: () => {
      throw new Error(`command '${commandName(entry)}' ran without being loaded`);
    },
  };
}

/**
 * yargs renders a command's whole help text each time the command runs, to cache it for a
 * later showHelp() (bitweave never calls one after a command): on `run`, with its forty
 * options, that render was a fifth of the start-up. Skip it. An internal method: if a yargs
 * release renames it, nothing is patched and only the speed changes.
 */
function skipHelpCache(parser: Argv): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (parser as unknown as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
}

/** Before a command runs: its options checked, the limits and the log level of this command line set. */
function commandLineMiddleware(args: Record<string, unknown>, y: Argv): void {
  checkParsedArgs(args, y);
  applyMaxOption(args.max as unknown[] | undefined);
  if (args.quiet === true) setLogLevel('silent');
  else if (typeof args.logLevel === 'string') setLogLevel(args.logLevel);
}

/** Runs one command line; resolves to the exit code. Tests call it in-process (test/fuzz/). */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let parser: Argv = yargs(argv)
    .scriptName('bitweave')
    // the package's own version, wherever the command is run from (yargs would look above the cwd)
    .version((JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version)
    // messages in English always: no locale files to look for at start-up
    .detectLocale(false)
    .usage('$0 <command> [options]')
    .option('verbose', { type: 'boolean', describe: 'print stack traces of errors', global: true })
    .option('log-level', {
      type: 'string',
      choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      describe: 'log level (logs go to stderr)',
      global: true,
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      describe: 'no progress output and no logs (errors and results still print); same as --log-level silent',
      global: true,
    })
    .option('max', MAX_OPTION)
    .middleware(commandLineMiddleware as unknown as (args: object) => void)
    .demandCommand(1, 'name a command (see --help)')
    .example('$0 run --arch edge --model resnet18 --pe fp8-e4m3', 'ResNet-18 on a 16x16 fp8 array: cycles, traffic, energy')
    .example('$0 sweep examples/sweep.yaml --jobs 2 --out out/sweep && $0 report out/sweep', 'a design-space sweep and its trade-off plots')
    .example('$0 precision check', 'the precision regression check against baselines/precision.json')
    .example('$0 <command> --help', 'options and examples of one command')
    .epilogue('Exit codes: 0 success, 1 failed check or internal error, 2 bad input or usage. Logs go to stderr (JSON lines unless stderr is a terminal).')
    .strict()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    // --help and --version print and return: main() decides the exit code, also in-process
    .exitProcess(false)
    // a refused command line stops here: the command's handler never runs
    .fail((msg, err) => {
      // yargs' own errors (YError: an option's check or coerce failed) are usage errors too
      if (err && err.name === 'YError') throw new UsageError(err.message);
      if (err) throw err;
      throw new UsageError(msg);
    });
  skipHelpCache(parser);
  try {
    // this command line's limits (or the defaults, whatever an earlier in-process call set)
    applyMaxOption(maxValuesIn(argv));
    const invoked = invokedCommand(argv);
    for (const c of commands) {
      parser = parser.command(c === invoked ? strictCommand({ command: c.command, describe: c.describe, ...(await c.load()) } as AnyCommand) : listed(c));
    }
    await parser.parseAsync();
  } catch (err) {
    // nothing half-written stays behind: outputs staged by the command are removed
    abortPendingOutputs();
    if (err instanceof InputError) {
      process.stderr.write(`bitweave: ${printable(err.message)}\n${err instanceof UsageError ? '(see bitweave --help)\n' : ''}`);
      if (verbose && err.stack) process.stderr.write(printable(err.stack, 1e6) + '\n');
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`bitweave: internal error: ${printable(e.message)}\n`);
    if (verbose && e.stack) process.stderr.write(printable(e.stack, 1e6) + '\n');
    else process.stderr.write('(run again with --verbose for the stack trace)\n');
    return 1;
  }
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}

// the program (bin/bitweave.js) runs it; a test that imports main() sets this flag first
if ((globalThis as { bitweaveInProcess?: boolean }).bitweaveInProcess !== true) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
